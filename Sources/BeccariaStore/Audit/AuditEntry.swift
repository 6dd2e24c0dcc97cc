import BeccariaCore
import Foundation
import Postgres

/// One row of the audit log.
public struct AuditEntry: Codable, Sendable {
  public var id: Int64
  public var at: Date
  public var databaseUser: String
  public var actor: String?
  public var reason: String?
  public var table: String
  public var action: String
  public var key: String
  public var participantID: Int64?
  public var oldValues: String?
  public var newValues: String?
}
