import BeccariaCore
import Foundation

/// What prints certificates for the nightly run and re-issue: a batch prepared from drafts before
/// serial numbers exist and finished with the sealed certificates, or one certificate whole.
/// `CertificatePrinter` is the real one; tests wrap it to fail or count.
public protocol CertificatePrinting: Sendable {
  /// Draws `drafts` (the expensive part), before their serials are taken.
  func prepare(_ drafts: [CertificateDraft]) throws -> any PreparedBatch
  /// One certificate, whole.
  func render(_ certificate: SealedCertificate) throws -> Data
}
