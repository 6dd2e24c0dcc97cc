import BeccariaCore
import Foundation
import Postgres

/// A stored certificate with its frozen content.
public struct StoredCertificate: Sendable {
  public var listing: CertificateListing
  public var snapshot: CertificateSnapshot
  public var pdf: Data
  public var revokedAt: Date?
  public var revocationReason: String?
  public var supersededBy: String?
  /// The status field itself when it disagrees with the recorded history (it was altered).
  public var alteredStatus: CertificateStatus?
  /// When the holder's data, and with it the PDF, was erased on request.
  public var holderErasedAt: Date?
}
