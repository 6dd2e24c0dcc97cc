import BeccariaCore
import Foundation
import Postgres
import Signing

/// The answer of a verification.
public enum VerificationVerdict: String, Codable, Sendable, CaseIterable {
  /// Genuine and current.
  case valid
  /// Genuine, but revoked.
  case revoked
  /// Genuine, but replaced by a newer certificate.
  case superseded
  /// No certificate with this serial was issued.
  case unknown
  /// Not genuine: the bytes or the signature do not match what was issued.
  case forged
  /// Signed by a key this register (or the given public keys) does not know.
  case unknownKey = "unknown-key"
}
