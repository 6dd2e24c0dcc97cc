import BeccariaCore
import Foundation
import Postgres

/// Reading the audit log (auditors; the office cannot read it).
public struct AuditStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  public func list(table: String?, participant: ParticipantID?, since: CalendarDate?, limit: Int) throws -> [AuditEntry] {
    try connection.query(
      """
      SELECT id, at, db_user, actor, reason, table_name, action, row_key::text AS row_key, participant_id,
             old_values::text AS old_values, new_values::text AS new_values
      FROM audit_log
      WHERE (\(table)::text IS NULL OR table_name = \(table))
        AND (\(participant?.rawValue)::bigint IS NULL OR participant_id = \(participant?.rawValue))
        AND (\(since?.postgres)::date IS NULL OR at >= (\(since?.postgres)::date::timestamp AT TIME ZONE 'Europe/Berlin'))
      ORDER BY id DESC LIMIT \(limit)
      """
    ).map {
      AuditEntry(
        id: try $0.decode("id"), at: try $0.decode("at"), databaseUser: try $0.decode("db_user"), actor: try $0.decode("actor"),
        reason: try $0.decode("reason"), table: try $0.decode("table_name"), action: try $0.decode("action"),
        key: try $0.decode("row_key"), participantID: try $0.decode("participant_id"), oldValues: try $0.decode("old_values"),
        newValues: try $0.decode("new_values"))
    }.reversed()
  }
}
