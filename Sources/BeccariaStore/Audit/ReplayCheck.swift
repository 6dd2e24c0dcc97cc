import BeccariaCore
import Foundation
import Postgres

/// Every row of an audited table against its last audit entry: a row changed, added or deleted
/// with the triggers switched off no longer matches (values the entry holds are compared, as
/// their column's type; large columns by their SHA-256, `<column>_digest`). What erasure scrubbed from an entry is
/// not compared.
struct ReplayCheck {
  let connection: Connection
  init(_ connection: Connection) { self.connection = connection }

  /// The tables with an audit trigger for inserts (so that every row has an entry).
  static func auditedTables(_ db: Connection) throws -> [String] {
    try db.query(
      """
      SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = 'public'::regnamespace AND t.tgname = 'audit_insert' ORDER BY c.relname
      """
    ).map { try $0.decode("relname") }
  }

  func problems(tables: [String]) throws -> [AuditProblem] {
    try tables.flatMap { try problems(table: $0) }
  }

  func problems(table: String) throws -> [AuditProblem] {
    // The audit trigger's arguments: the key columns, and the columns it leaves out.
    guard
      let trigger = try connection.queryOne(
        """
        SELECT encode(t.tgargs, 'escape') AS args FROM pg_trigger t
        WHERE t.tgrelid = ('public.' || quote_ident(\(table)))::regclass AND t.tgname = 'audit_insert'
        """)
    else { return [AuditProblem(seq: nil, row: nil, problem: tr("the table %@ has lost its audit trigger", table))] }
    let arguments = (try trigger.decode("args", as: String.self)).components(separatedBy: "\\000").filter { !$0.isEmpty }
    let keys = arguments.first?.split(separator: ",").map(String.init) ?? []
    let omitted = Set(arguments.dropFirst().first?.split(separator: ",").map(String.init) ?? [])
    let columns = try connection.query(
      """
      SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
      WHERE a.attrelid = ('public.' || quote_ident(\(table)))::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum
      """
    ).map { (name: try $0.decode("attname", as: String.self), type: try $0.decode("type", as: String.self)) }
    guard !keys.isEmpty else { return [] }
    let key = "jsonb_build_object(" + keys.map { "\(quoteLiteral($0)), t.\(quoteIdentifier($0))" }.joined(separator: ", ") + ")"
    let differs = columns.compactMap { column -> String? in
      let name = quoteIdentifier(column.name)
      let literal = quoteLiteral(column.name)
      if omitted.contains(column.name) {
        let digest = quoteLiteral(column.name + "_digest")
        // Binary columns carry a digest in update entries only (inserts leave them out whole).
        if column.type == "bytea" {
          return "(l.new_values ? \(digest) AND l.new_values->>\(digest) <> encode(sha256(t.\(name)), 'hex'))"
        }
        return
          "(l.new_values ? \(digest) AND l.new_values->>\(digest) <> encode(sha256(convert_to(t.\(name)::text, 'UTF8')), 'hex'))"
      }
      if column.type == "jsonb" { return "(l.new_values ? \(literal) AND l.new_values->\(literal) IS DISTINCT FROM t.\(name))" }
      return "(l.new_values ? \(literal) AND (l.new_values->>\(literal))::\(column.type) IS DISTINCT FROM t.\(name))"
    }.joined(separator: " OR ")
    let sql = """
      WITH latest AS (
        SELECT DISTINCT ON (a.row_key) a.row_key, a.id, a.action, a.new_values FROM public.audit_log a
        WHERE a.table_name = \(quoteLiteral(table)) ORDER BY a.row_key, a.id DESC
      ), present_rows AS (SELECT \(key) AS row_key, t.* FROM public.\(quoteIdentifier(table)) t)
      SELECT l.id, coalesce(t.row_key, l.row_key)::text AS row_key,
             CASE WHEN t.row_key IS NULL THEN 'gone' WHEN l.row_key IS NULL THEN 'unaudited'
                  WHEN l.action = 'DELETE' THEN 'deleted' ELSE 'differs' END AS problem
      FROM present_rows t FULL JOIN latest l ON l.row_key = t.row_key
      WHERE (t.row_key IS NULL AND l.action <> 'DELETE') OR l.row_key IS NULL OR (t.row_key IS NOT NULL AND l.action = 'DELETE')
         OR (t.row_key IS NOT NULL AND l.action <> 'DELETE' AND (\(differs.isEmpty ? "false" : differs)))
      ORDER BY l.id NULLS LAST
      """
    return try connection.query(SQL.unsafeRaw(sql)).map { (result: Row) -> AuditProblem in
      let row: String = try result.decode("row_key")
      let problem: String
      switch try result.decode("problem", as: String.self) {
      case "gone": problem = tr("the %@ row %@ is gone, but its audit history does not record its deletion", table, row)
      case "unaudited": problem = tr("the %@ row %@ has no audit history: it was written behind the audit log", table, row)
      case "deleted": problem = tr("the %@ row %@ was deleted in its audit history, but is there", table, row)
      default: problem = tr("the %@ row %@ differs from its last audit entry: it was changed behind the audit log", table, row)
      }
      return AuditProblem(seq: nil, row: try result.decode("id"), problem: problem)
    }
  }

  /// A string literal for SQL built here from catalogue names.
  func quoteLiteral(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
