import BeccariaCore
import Foundation
import Postgres

/// The newest link of the audit chain: its number and SHA-256 (64 hex digits). Printed by the
/// nightly run so that it is kept outside the database; `audit verify --head SEQ:SHA256` checks
/// later that the chain still passes through it.
public struct AuditChainHead: Codable, Sendable, Equatable, CustomStringConvertible {
  public var seq: Int64
  public var sha256: String

  public init(seq: Int64, sha256: String) {
    self.seq = seq
    self.sha256 = sha256
  }

  /// `SEQ:SHA256`, the form `audit verify --head` takes.
  public var description: String { "\(seq):\(sha256)" }

  /// Parses `SEQ:SHA256` (hex digits in either case); nil when malformed.
  public init?(_ text: String) {
    let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit)
    else { return nil }
    self.init(seq: seq, sha256: String(parts[1]))
  }
}
