import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Issuance

extension CertificateCommand {
  /// `beccaria certificate export`.
  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: tr("Write stored certificate PDFs to DIR/<year>/<serial>.pdf (the stored bytes, never re-rendered)."),
      discussion: tr(
        """
        Example:
          beccaria certificate export --output /srv/beccaria/zertifikate --year 2026
          beccaria certificate export --output ./pdf --serial BQ-2026-000001
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Target folder."), valueName: "dir")) var output: String
    @Option(help: ArgumentHelp(tr("Only these serials (repeatable)."), valueName: "serial")) var serial: [String] = []
    @Option(help: ArgumentHelp(tr("Only serials of this year."))) var year: Int?
    @Option(help: ArgumentHelp(tr("Only this participant."), valueName: "id")) var participant: ParticipantArgument?

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let serials =
          serial.isEmpty
          ? try CertificateStore(connection).list(.init(participant: participant?.id, year: year)).map(\.serial) : serial
        let outcome = try CertificateFileExport(connection).export(serials, to: output)
        print(tr("Exported %@ to %@.", Plural.count(outcome.paths.count, "certificate"), output))
        if !outcome.erased.isEmpty {
          print(
            trn(
              "Skipped %@ whose holder was erased on request (its PDF is deleted; it still verifies): %@",
              "Skipped %@ whose holders were erased on request (their PDFs are deleted; they still verify): %@",
              outcome.erased.count, outcome.erased.count, outcome.erased.joined(separator: ", ")))
        }
      }
    }
  }
}
