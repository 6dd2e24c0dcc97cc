import BeccariaCore
import Foundation
import Postgres

/// Reading the audit log (auditors; the office cannot read it).
public struct AuditStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  public func list(table: String?, participant: ParticipantID?, since: CalendarDate?, limit: Int?) throws -> [AuditEntry] {
    try listCounted(table: table, participant: participant, since: since, limit: limit).entries
  }

  /// The newest `limit` entries that match (nil: all), oldest first, and how many match in all.
  public func listCounted(table: String?, participant: ParticipantID?, since: CalendarDate?, limit: Int?) throws -> (
    entries: [AuditEntry], total: Int
  ) {
    var total = 0
    let entries = try connection.query(
      """
      SELECT id, at, db_user, actor, reason, table_name, action, row_key::text AS row_key, participant_id,
             old_values::text AS old_values, new_values::text AS new_values, count(*) OVER () AS total,
             (SELECT coalesce(jsonb_agg(jsonb_build_array(k, old_values -> k #>> '{}', new_values -> k #>> '{}') ORDER BY k), '[]')
                FROM jsonb_object_keys(coalesce(new_values, '{}') || coalesce(old_values, '{}')) AS k) AS fields,
             (SELECT string_agg(value #>> '{}', '/' ORDER BY key) FROM jsonb_each(row_key)) AS key_values
      FROM audit_log
      WHERE (\(table)::text IS NULL OR table_name = \(table))
        AND (\(participant?.rawValue)::bigint IS NULL OR participant_id = \(participant?.rawValue))
        AND (\(since?.postgres)::date IS NULL OR at >= (\(since?.postgres)::date::timestamp AT TIME ZONE 'Europe/Berlin'))
      ORDER BY id DESC LIMIT \(limit.map(Int64.init))
      """
    ).map {
      total = Int(try $0.decode("total", as: Int64.self))
      return AuditEntry(
        id: try $0.decode("id"), at: try $0.decode("at"), databaseUser: try $0.decode("db_user"), actor: try $0.decode("actor"),
        reason: try $0.decode("reason"), table: try $0.decode("table_name"), action: try $0.decode("action"),
        key: try $0.decode("row_key"), participantID: try $0.decode("participant_id"), oldValues: try $0.decode("old_values"),
        newValues: try $0.decode("new_values"),
        fields: try $0.decodeJSON("fields", as: [[String?]].self).map { AuditField(name: $0[0] ?? "", old: $0[1], new: $0[2]) },
        keyValues: try $0.decode("key_values", as: String?.self) ?? "")
    }.reversed()
    return (Array(entries), total)
  }
}
