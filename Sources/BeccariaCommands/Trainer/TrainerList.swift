import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension TrainerCommand {
  /// `beccaria trainer list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List trainers."),
      discussion: tr(
        """
        Example:
          beccaria trainer list --format json
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() throws {
      try reportingFailures {
        let items = try TrainerStore(try global.connect()).list()
        try Listing(
          items: items,
          columns: [
            .init(header: "ID", alignRight: true) { .integer($0.id.rawValue) },
            .init(header: "NAME") { $0.name },
            .init(header: "E-MAIL") { $0.email },
            .init(header: "LOGIN") { $0.login ?? "" },
            .init(header: "SESSIONS", alignRight: true) { .integer(Int64($0.sessions)) },
          ]
        ).print(output)
      }
    }
  }
}
