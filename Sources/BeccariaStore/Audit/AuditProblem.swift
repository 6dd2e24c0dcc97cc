import BeccariaCore
import Foundation
import Postgres

/// One break in the audit chain or the register, as `audit verify` reports it.
public struct AuditProblem: Codable, Sendable, Equatable {
  /// The link (transaction) concerned, when the break is in a link.
  public var seq: Int64?
  /// The first audit row concerned, when known.
  public var row: Int64?
  /// One sentence.
  public var problem: String
}
