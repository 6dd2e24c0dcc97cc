import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CertificateCommand {
  /// `beccaria certificate revoke`.
  struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "revoke",
      abstract: tr("Revoke a certificate: it stays stored and verifies as revoked, with the reason and date."),
      discussion: tr(
        """
        Nothing is deleted, and a revoked certificate blocks a new one of its kind until the office \
        reopens it (beccaria certificate reopen, when the holder meets the rules again). It first \
        shows the certificate and its holder; on a terminal it asks you to type the serial to \
        confirm. Scripts give --yes; --dry-run shows it and changes nothing.

        Example:
          beccaria certificate revoke BQ-2026-000042 \\
            --reason "Projektarbeit als Plagiat erkannt"
          beccaria certificate revoke BQ-2026-000042 --reason "Plagiat" --yes
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Serial number."), valueName: "serial")) var serial: String
    @Option(help: ArgumentHelp(tr("Why it is revoked (required; printed by verification)."))) var reason: String
    @Flag(help: ArgumentHelp(tr("Confirm without asking (for scripts)."))) var yes = false
    @Flag(help: ArgumentHelp(tr("Show what would be revoked; change nothing."))) var dryRun = false

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
        let connection = try global.connect()
        let certificate = try CertificateStore(connection).find(serial: serial).listing
        let what =
          certificate.kind == .zertifikat ? "Zertifikat" : tr("Teilnahmebescheinigung (module %@)", certificate.module ?? 0)
        print(
          tr(
            "%@: %@ of %@ (participant %@), issued %@, now %@.", certificate.serial, what, certificate.holderName,
            certificate.participantID, Reader.dateTime(certificate.issuedAt), Term.word(certificate.status.rawValue)))
        // One that is not valid is refused by the store, in its words, before anything is asked.
        if certificate.status != .valid { _ = try CertificateRevision(connection).revoke(serial: serial, reason: reason) }
        if dryRun {
          print(tr("It would verify as revoked from now on, with the reason. Nothing was changed (--dry-run)."))
          return
        }
        try Confirmation.require(certificate.serial, what: tr("Revoking %@", certificate.serial), yes: yes)
        let at = try CertificateRevision(connection).revoke(serial: serial, reason: reason)
        print(tr("Revoked %@ on %@: %@", serial, Reader.dateTime(at), reason.trimmingCharacters(in: .whitespacesAndNewlines)))
      }
    }
  }
}
