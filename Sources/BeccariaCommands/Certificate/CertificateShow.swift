import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CertificateCommand {
  /// `beccaria certificate show SERIAL`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: tr("Show a certificate's status and the fields it printed, as frozen at issue."),
      discussion: tr(
        """
        Example:
          beccaria certificate show BQ-2026-000001
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Serial number."), valueName: "serial")) var serial: String
    @Option(help: ArgumentHelp(tr("Output format: table or json."))) var format: OutputFormat = .table

    func validate() throws {
      if SerialNumber.parse(serial) == nil {
        throw ValidationError(tr("\"%@\" is not a serial number like BQ-2026-000042.", serial))
      }
      if format == .csv { throw ValidationError(tr("certificate show prints table or json.")) }
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
        print("\(v(s.serial)) — \(v(s.heading)) (\(Term.word(stored.listing.status.rawValue)))")
        print(
          Self.field(tr("holder"))
            + tr(
              "%@ (participant %@)", v(s.holderName) + (s.birthDate.map { ", " + tr("born %@", Reader.date($0)) } ?? ""),
              stored.listing.participantID)
        )
        if let award = s.award { print(Self.field(tr("award")) + v(award)) }
        for module in s.modules {
          print(
            Self.field(tr("module %@", module.number))
              + tr("%@, %@ UE, %@, completed %@", v(module.title), module.ue, v(module.course), Reader.date(module.completedOn))
          )
        }
        print(
          Self.field(tr("completed")) + tr("%@; issued %@, %@", Reader.date(s.completedOn), v(s.place), Reader.date(s.issuedOn)))
        if let erased = stored.holderErasedAt {
          print(
            Self.field("SHA-256")
              + tr(
                "%@ (the PDF was deleted when the holder's data was erased, %@)", stored.listing.sha256, Reader.dateTime(erased))
          )
        } else {
          print(Self.field("SHA-256") + tr("%@ (%@ bytes)", stored.listing.sha256, stored.pdf.count))
        }
        if let altered = stored.alteredStatus {
          print(
            Self.field(tr("ALTERED"))
              + tr("the status field says %@, which revoke or reissue did not set; run beccaria audit verify", altered.rawValue))
        }
        if let reason = stored.revocationReason {
          print(Self.field(tr("revoked")) + "\(stored.revokedAt.map(Reader.dateTime) ?? ""): \(v(reason))")
        }
        if let next = stored.supersededBy { print("  " + tr("superseded by %@", next)) }
      }
    }

    /// `  label:` padded to one column, as `certificate verify` prints its fields.
    static func field(_ label: String) -> String {
      // German labels run longer ("abgeschlossen:"), so their column is wider.
      "  " + (label + ":").padding(toLength: Localisation.language == .german ? 16 : 13, withPad: " ", startingAt: 0)
    }
  }
}
