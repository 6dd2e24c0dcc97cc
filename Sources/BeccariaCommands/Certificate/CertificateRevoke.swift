import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CertificateCommand {
  /// `beccaria certificate revoke`.
  struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "revoke",
      abstract: "Revoke a certificate: it stays stored and verifies as revoked, with the reason and date.",
      discussion: """
        Nothing is deleted, and a revoked certificate blocks a new one of its kind until the office \
        reopens it (beccaria certificate reopen, when the holder meets the rules again).

        Example:
          beccaria certificate revoke BQ-2026-000042 --reason "Projektarbeit als Plagiat erkannt"
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("Serial number.", valueName: "serial")) var serial: String
    @Option(help: "Why it is revoked (required; printed by verification).") var reason: String

    func validate() throws {
      if SerialNumber.parse(serial) == nil { throw ValidationError("\"\(serial)\" is not a serial number like BQ-2026-000042.") }
      if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("--reason must not be empty.") }
    }

    func run() throws {
      try reportingFailures {
        let at = try CertificateRevision(try global.connect()).revoke(serial: serial, reason: reason)
        print("Revoked \(serial) on \(GermanTime.dateTime(at)): \(reason.trimmingCharacters(in: .whitespacesAndNewlines))")
      }
    }
  }
}
