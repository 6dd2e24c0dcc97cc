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
  /// A file whose bytes are not those issued (re-saved, printed to PDF, passed through a mail
  /// gateway) but whose carried code is genuine, or that carries none: not the original, not
  /// proof by itself; the code's own verdict is `codeVerdict`.
  case notOriginal = "not-original"
}
