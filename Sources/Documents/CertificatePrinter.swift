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

/// A prepared batch: finished with its drafts sealed, one PDF each in the order prepared.
public protocol PreparedBatch: Sendable {
  func finish(_ sealed: [SealedCertificate]) throws -> [Data]
}

/// The certificate layout of `CertificateDocument`, printed on up to `threads` threads (one
/// Cairo document each; the run's workers share the cores, so each passes its share).
public struct CertificatePrinter: CertificatePrinting {
  public var threads: Int

  public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
    self.threads = max(1, threads)
  }

  public func prepare(_ drafts: [CertificateDraft]) throws -> any PreparedBatch {
    try CertificateDocument.prepareBatch(drafts, threads: threads)
  }

  public func render(_ certificate: SealedCertificate) throws -> Data {
    try CertificateDocument.render(certificate)
  }

  /// Prepares and finishes at once, as the run does: one standalone PDF per certificate.
  public func print(_ sealed: [SealedCertificate]) throws -> [Data] {
    try prepare(sealed.map(\.draft)).finish(sealed)
  }
}
