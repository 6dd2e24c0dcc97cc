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
    "\(kind)\(module.map { " module \($0)" } ?? "") would be due (\(reason)), but the revoked certificate "
      + "\(revokedSerial) blocks it: beccaria certificate reopen \(revokedSerial) --reason ... lets the next run issue a new one"
  }
}
