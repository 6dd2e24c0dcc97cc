import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria certificate show SERIAL`.
struct CertificateShow: ParsableCommand {
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
              supersededBy: stored.supersededBy, printed: stored.snapshot)), terminator: "")
        return
      }
      let s = stored.snapshot
      print("\(s.serial) — \(s.heading) (\(stored.listing.status))")
      print(
        "  holder:     \(s.holderName)\(s.birthDate.map { ", geboren am \($0.german)" } ?? "") (participant \(stored.listing.participantID))"
      )
      if let award = s.award { print("  award:      \(award)") }
      for module in s.modules {
        print(
          "  module \(module.number):   \(module.title), \(module.ue) UE, \(module.course), completed \(module.completedOn.german)"
        )
      }
      print("  completed:  \(s.completedOn.german); issued \(s.place), \(s.issuedOn.german)")
      print("  SHA-256:    \(stored.listing.sha256) (\(stored.pdf.count) bytes)")
      if let reason = stored.revocationReason {
        print("  revoked:    \(stored.revokedAt.map(GermanTime.dateTime) ?? ""): \(reason)")
      }
      if let next = stored.supersededBy { print("  superseded by \(next)") }
    }
  }
}
