import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension MunicipalityCommand {
  /// `beccaria municipality list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List municipalities, by district or ASSKomm membership."),
      discussion: tr(
        """
        Example:
          beccaria municipality list --district Görlitz --members --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only this district (case and accents ignored)."))) var district: String?
    @Flag(help: ArgumentHelp(tr("Only ASSKomm members."))) var members = false
    @Flag(help: ArgumentHelp(tr("Only municipalities that are not ASSKomm members."))) var nonMembers = false

    func validate() throws {
      if members && nonMembers { throw ValidationError(tr("--members and --non-members exclude each other.")) }
    }

    func run() throws {
      try reportingFailures {
        let membership: MunicipalityStore.Membership = members ? .members : nonMembers ? .nonMembers : .any
        let items = try MunicipalityStore(try global.connect()).list(district: district, membership: membership)
        try Listing(
          items: items,
          columns: [
            .init(header: "AGS") { $0.ags },
            .init(header: "NAME") { $0.name },
            .init(header: "DISTRICT") { $0.district ?? "" },
            .init(header: "ASSKOMM SINCE") { $0.asskommMemberSince.map(Cell.date) ?? .empty },
            .init(header: "PARTICIPANTS", alignRight: true) { .integer(Int64($0.participants)) },
          ]
        ).print(output)
      }
    }
  }
}
