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
  /// Every field of the row, old and new values as text (nil for none or JSON null), by name:
  /// what `audit log` shows of a change.
  public var fields: [AuditField] = []
  /// The key's values joined by "/" ("12", "37/12").
  public var keyValues = ""
}

/// One field of an audited row.
public struct AuditField: Codable, Sendable, Equatable {
  public var name: String
  public var old: String?
  public var new: String?
}
