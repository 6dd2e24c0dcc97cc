import BeccariaCore
import Crypto
import Foundation

extension Data {
  /// The SHA-256 of the bytes as 64 lower-case hex digits (as stored in `pdf_sha256`).
  public var sha256Hex: String { Digits.hex(SHA256.hash(data: self)) }
}
