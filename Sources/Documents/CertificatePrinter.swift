import BeccariaCore
import Foundation

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
