import BeccariaCore
import Foundation
import Postgres

/// What `audit verify` found.
public struct AuditVerification: Codable, Sendable {
  public var links: Int64
  public var rows: Int64
  public var head: AuditChainHead
  /// The tables whose rows were compared with their audit history.
  public var replayedTables: [String]
  /// Every break, the first one first; empty when the chain and the register agree.
  public var problems: [AuditProblem]
  public var intact: Bool { problems.isEmpty }
}
