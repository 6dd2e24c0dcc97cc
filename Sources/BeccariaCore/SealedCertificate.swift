import Foundation

/// A certificate with its serial, printed address and signed QR code: what is rendered and
/// stored. Made only by `CertificateDraft.sealed(serial:sign:)`, so it always carries the draft it
/// was sealed from. Its printed fields read as its own (`sealed.holderName`).
@dynamicMemberLookup
public struct SealedCertificate: Sendable, Equatable {
  /// Every printed field.
  public let snapshot: CertificateSnapshot
  /// The draft it completes (what was drawn before the serial existed).
  public let draft: CertificateDraft
  /// The Ed25519 signature of the claim (64 bytes), stored beside the row.
  public let signature: Data

  public subscript<Value>(dynamicMember field: KeyPath<CertificateSnapshot, Value>) -> Value { snapshot[keyPath: field] }
}
