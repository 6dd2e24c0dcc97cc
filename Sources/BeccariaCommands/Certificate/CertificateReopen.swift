import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CertificateCommand {
  /// `beccaria certificate reopen`.
  struct Reopen: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "reopen",
      abstract: tr("Let the next run issue a new certificate in place of a revoked one, when the rules are met again."),
      discussion: tr(
        """
        A revoked certificate blocks a new one of its kind until the office decides otherwise: \
        project work found plagiarised, then redone and passed, say. The revoked certificate stays \
        revoked (verification says so); the holder is checked again by the next run, which issues \
        a new certificate with a new serial only if the completion rules are met. `participant \
        show` and `certificate run --dry-run` name a certificate held back by a revoked one. The \
        decision, its reason and who made it are kept and audited.

        Example:
          beccaria certificate reopen BQ-2026-000042 \\
            --reason "Neue Projektarbeit am 12.03.2027 bestanden"
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Serial number of the revoked certificate."), valueName: "serial")) var serial: String
    @Option(help: ArgumentHelp(tr("Why a new certificate may be issued (required; kept and audited)."))) var reason: String

    func validate() throws {
      if SerialNumber.parse(serial) == nil {
        throw ValidationError(tr("\"%@\" is not a serial number like BQ-2026-000042.", serial))
      }
      if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        throw ValidationError(tr("--reason must not be empty."))
      }
    }

    func run() throws {
      try reportingFailures {
        let at = try CertificateRevision(try global.connect()).reopen(serial: serial, reason: reason)
        print(
          tr(
            "Reopened %@ on %@: it stays revoked; the next run issues a new certificate if the rules are met.", serial,
            Reader.dateTime(at))
        )
      }
    }
  }
}
