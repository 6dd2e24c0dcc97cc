import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CertificateCommand {
  /// `beccaria certificate show SERIAL`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show a certificate's status and the fields it printed, as frozen at issue.",
      discussion: """
        Example:
          beccaria certificate show BQ-2026-000001
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("Serial number.", valueName: "serial")) var serial: String
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func validate() throws {
      if SerialNumber.parse(serial) == nil { throw ValidationError("\"\(serial)\" is not a serial number like BQ-2026-000042.") }
      if format == .csv { throw ValidationError("certificate show prints table or json.") }
    }

    struct Details: Encodable {
      var certificate: CertificateListing
      var revokedAt: Date?
      var revocationReason: String?
      var supersededBy: String?
      var alteredStatus: CertificateStatus?
      var holderErasedAt: Date?
      var printed: CertificateSnapshot
    }

    func run() throws {
      try reportingFailures {
        let stored = try CertificateStore(try global.connect()).find(serial: serial)
        if format == .json {
          print(
            try JSONOutput.encode(
              Details(
                certificate: stored.listing, revokedAt: stored.revokedAt, revocationReason: stored.revocationReason,
                supersededBy: stored.supersededBy, alteredStatus: stored.alteredStatus, holderErasedAt: stored.holderErasedAt,
                printed: stored.snapshot)), terminator: "")
          return
        }
        // Printed fields come from the stored snapshot (JSON, which the text checks do not cover):
        // each is escaped whole, line breaks included, so that none prints a line of its own.
        let s = stored.snapshot
        func v(_ text: String) -> String { InertText.escape(text) }
        print("\(v(s.serial)) — \(v(s.heading)) (\(stored.listing.status))")
        print(
          "  holder:     \(v(s.holderName))\(s.birthDate.map { ", geboren am \($0.german)" } ?? "") (participant \(stored.listing.participantID))"
        )
        if let award = s.award { print("  award:      \(v(award))") }
        for module in s.modules {
          print(
            "  module \(module.number):   \(v(module.title)), \(module.ue) UE, \(v(module.course)), completed \(module.completedOn.german)"
          )
        }
        print("  completed:  \(s.completedOn.german); issued \(v(s.place)), \(s.issuedOn.german)")
        if let erased = stored.holderErasedAt {
          print(
            "  SHA-256:    \(stored.listing.sha256) (the PDF was deleted when the holder's data was erased, \(GermanTime.dateTime(erased)))"
          )
        } else {
          print("  SHA-256:    \(stored.listing.sha256) (\(stored.pdf.count) bytes)")
        }
        if let altered = stored.alteredStatus {
          print("  ALTERED:    the status field says \(altered), which revoke or reissue did not set; run beccaria audit verify")
        }
        if let reason = stored.revocationReason {
          print("  revoked:    \(stored.revokedAt.map(GermanTime.dateTime) ?? ""): \(v(reason))")
        }
        if let next = stored.supersededBy { print("  superseded by \(next)") }
      }
    }
  }
}
