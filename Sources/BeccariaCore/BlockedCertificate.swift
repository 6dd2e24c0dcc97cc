import Foundation

/// A certificate the rules would make due, held back by a revoked one of the same kind.
public struct BlockedCertificate: Sendable, Equatable {
  public var kind: CertificateKind
  public var module: Int?
  /// The revoked certificate that blocks it.
  public var revokedSerial: String
  /// Why it would be due.
  public var reason: String
  /// `Zertifikat (module 2) would be due (...), but the revoked BQ-... blocks it: ...`
  public var sentence: String {
    tr(
      "%@ would be due (%@), but the revoked certificate %@ blocks it: beccaria certificate reopen %@ --reason ... lets the next run issue a new one",
      Term.word(kind) + (module.map { " " + tr("module %@", $0) } ?? ""), reason, revokedSerial, revokedSerial)
  }
}
