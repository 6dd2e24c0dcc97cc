import Foundation

/// The verdict for one participant: what is due now, what is still missing for the Zertifikat,
/// and what a revoked certificate holds back.
public struct EligibilityVerdict: Sendable, Equatable {
  public var due: [DueCertificate]
  public var missing: [String]
  public var blocked: [BlockedCertificate] = []
}
