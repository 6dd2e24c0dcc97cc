import BeccariaCore
import Foundation
import Postgres

/// The register's statuses against their history: once a certificate's audit history records it
/// revoked or superseded, it stays so; its status event says the same; no audit entry shows a
/// status going back; and every status event the log recorded still exists.
struct CertificateRegisterCheck {
  let connection: Connection
  init(_ connection: Connection) { self.connection = connection }

  func problems() throws -> [AuditProblem] {
    let statuses = ["valid", "revoked", "superseded"]
    let word = { (column: SQL) in SQLWords.words(column, statuses) }
    return try connection.query(
      """
      WITH recorded AS (
        SELECT DISTINCT ON (a.row_key->>'id') (a.row_key->>'id')::bigint AS certificate_id, a.id AS audit_id,
               a.new_values->>'status' AS status
        FROM public.audit_log a
        WHERE a.table_name = 'certificate' AND a.new_values->>'status' IN ('revoked', 'superseded')
        ORDER BY a.row_key->>'id', a.id
      )
      SELECT r.audit_id AS row,
             format(\(tr("certificate %@ was recorded as %@, but its status now says %@: it was changed behind the audit log", "%1$s", "%2$s", "%3$s")),
                    c.serial, \(word("r.status")), \(word("c.status"))) AS problem
      FROM recorded r JOIN public.certificate c ON c.id = r.certificate_id WHERE c.status <> r.status
      UNION ALL
      SELECT NULL, format(\(tr("certificate %@ is %@, but its status history says %@", "%1$s", "%2$s", "%3$s")), c.serial, \(word("c.status")),
                          coalesce(\(word("e.status")), \(tr("valid (no revocation or re-issue recorded)"))))
      FROM public.certificate c LEFT JOIN public.certificate_status_event e ON e.certificate_id = c.id
      WHERE coalesce(e.status, 'valid') <> c.status
      UNION ALL
      SELECT a.id, format(\(tr("the audit log shows certificate %@ going back from %@ to %@", "%1$s", "%2$s", "%3$s")), a.row_key->>'id',
                          \(word("(a.old_values->>'status')")), \(word("(a.new_values->>'status')")))
      FROM public.audit_log a
      WHERE a.table_name = 'certificate' AND a.action = 'UPDATE' AND a.old_values->>'status' <> 'valid'
        AND a.new_values->>'status' IS DISTINCT FROM a.old_values->>'status'
      UNION ALL
      SELECT a.id, format(\(tr("the status event %@ (%@) the audit log recorded is gone or changed", "%1$s", "%2$s")), a.row_key->>'id',
                          \(word("(a.new_values->>'status')")))
      FROM public.audit_log a
      WHERE a.table_name = 'certificate_status_event' AND a.action = 'INSERT'
        AND NOT EXISTS (SELECT 1 FROM public.certificate_status_event e
                        WHERE e.id = (a.row_key->>'id')::bigint AND e.status = a.new_values->>'status')
      ORDER BY 1 NULLS LAST
      """
    ).map { AuditProblem(seq: nil, row: try $0.decode("row"), problem: try $0.decode("problem")) }
  }
}
