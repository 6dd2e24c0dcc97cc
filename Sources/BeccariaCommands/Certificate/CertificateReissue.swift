import ArgumentParser
import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Issuance
import Signing

extension CertificateCommand {
  /// `beccaria certificate reissue`.
  struct Reissue: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "reissue",
      abstract: tr(
        "Replace a certificate (e.g. after a name change): new serial, same completion date; the old one is superseded."),
      discussion: tr(
        """
        The new certificate prints the holder's current name and birth date and everything else \
        as first issued (texts, modules, completion date). The old one verifies as superseded and \
        names its successor. Nothing is ever re-issued by itself.

        Example:
          beccaria participant rename 17 --family-name Nowak-Schulz --reason "Heirat"
          beccaria certificate reissue BQ-2026-000042 \\
            --reason "Namensänderung nach Heirat" --output zertifikate
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var key: SigningKeyOption
    @Argument(help: ArgumentHelp(tr("Serial number of the certificate to replace."), valueName: "serial")) var serial: String
    @Option(help: ArgumentHelp(tr("Why it is re-issued (required; kept with the new certificate)."))) var reason: String
    @Option(help: ArgumentHelp(tr("Also export the new PDF to DIR/<year>/<serial>.pdf."), valueName: "dir")) var output: String?

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
        let signer = try key.load()
        let connection = try global.connect()
        let issued = try CertificateReissuer(connection).reissue(serial: serial, reason: reason, signer: signer)
        print(tr("Re-issued %@ as %@ for %@; %@ is now superseded.", serial, issued.serial, issued.holderName, serial))
        // A re-issue certifies what the first certificate did; when that no longer holds, the
        // office should know before the new one leaves the building.
        let holder = try CertificateStore(connection).find(serial: issued.serial).listing.participantID
        if let review = try CertificateReview(connection).list(participant: holder).first(where: { $0.serial == issued.serial }),
          let unmet = review.noLongerMet
        {
          warn(
            tr(
              "%@ certifies what %@ did, but the rules are no longer met (%@); report review lists it. Revoke it if it should not stand: beccaria certificate revoke %@ --reason …",
              issued.serial, serial, unmet, issued.serial))
        }
        if let output {
          for path in try CertificateFileExport(connection).export([issued.serial], to: output).paths {
            print(tr("Exported %@", path))
          }
        }
      }
    }
  }
}
