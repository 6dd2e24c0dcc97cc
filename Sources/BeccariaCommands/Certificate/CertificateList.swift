import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CertificateCommand {
  /// `beccaria certificate list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List issued certificates."),
      discussion: tr(
        """
        Example:
          beccaria certificate list --year 2026 --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only this participant."), valueName: "id")) var participant: ParticipantArgument?
    @Option(help: ArgumentHelp(tr("Only certificates of this status."))) var status: CertificateStatus?
    @Option(help: ArgumentHelp(tr("Only serials of this year."))) var year: Int?
    @Option(name: .customLong("run"), help: ArgumentHelp(tr("Only certificates of this run."))) var runID: Int64?

    func run() throws {
      try reportingFailures {
        let items = try CertificateStore(try global.connect()).list(
          .init(participant: participant?.id, status: status, year: year, run: runID.map { CertificateRunID($0) }))
        try Listing(
          items: items,
          columns: [
            .init(header: "SERIAL") { $0.serial },
            .init(header: "KIND") { Term.kindCell($0.kind.rawValue, module: $0.module) },
            .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
            .init(header: "HOLDER") { $0.holderName },
            .init(header: "STATUS") { .term($0.status.rawValue) },
            .init(header: "COMPLETED") { .date($0.completedOn) },
            .init(header: "ISSUED") { .dateTime($0.issuedAt) },
          ]
        ).print(output)
      }
    }
  }
}
