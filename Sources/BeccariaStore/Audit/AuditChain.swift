import BeccariaCore
import Foundation
import Postgres

/// The tamper-evident audit chain (schema 0016): each committed transaction's audit rows are
/// sealed into a link that holds their SHA-256 and the previous link's hash.
///
/// Verification trusts nothing the database's owner could replace: it runs in one snapshot with
/// `search_path = pg_catalog`, computes every digest with PostgreSQL's built-in functions, and
/// first checks that the tables it reads are plain tables with no rule, no row-level security
/// and no guard switched off.
public struct AuditChain {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// The tables whose current rows are compared with their last audit entry unless all are asked
  /// for: the certificate register and what it is made from.
  public static let registerTables = [
    "certificate", "certificate_status_event", "certificate_reopening", "certificate_serial_counter", "signing_key", "programme",
    "programme_version", "programme_module",
  ]

  /// The chain's newest link.
  public func head() throws -> AuditChainHead {
    guard let row = try connection.queryOne("SELECT seq, encode(sha256, 'hex') AS sha256 FROM public.audit_chain_head") else {
      throw StoreError.corrupt(tr("the audit chain has no head"))
    }
    return AuditChainHead(seq: try row.decode("seq"), sha256: try row.decode("sha256"))
  }

  /// Recomputes every row and link (the auditor's or the owner's task: it reads the whole log),
  /// checks the register's statuses and rows against their audit history, and with `expected`
  /// that the chain still passes through heads printed earlier. `allTables` compares the rows of
  /// every audited table with their history, not only the register's.
  public func verify(expected: [AuditChainHead] = [], allTables: Bool = false) throws -> AuditVerification {
    try connection.transaction(.repeatableRead) { db in
      try db.execute("SET LOCAL search_path = pg_catalog, pg_temp")
      var problems = try Self.setupProblems(db)
      problems += try Self.chainProblems(db)
      problems += try Self.scrubProblems(db)
      let current = try AuditChain(db).head()
      for earlier in expected {
        guard
          let found = try db.queryOne(
            "SELECT encode(l.sha256, 'hex') AS sha256 FROM public.audit_chain l WHERE l.seq = \(earlier.seq)")
        else {
          problems.append(
            AuditProblem(
              seq: earlier.seq, row: nil,
              problem: earlier.seq > current.seq
                ? tr(
                  "printed earlier as the chain's head, it is beyond today's head (%@): the chain was cut, or the value is mistyped",
                  current.seq)
                : tr("printed earlier as the chain's head, it is gone: the chain was cut")))
          continue
        }
        // Its stored hash was recomputed above from the links before it; it must be the one printed.
        if try found.decode("sha256", as: String.self) != earlier.sha256 {
          problems.append(
            AuditProblem(
              seq: earlier.seq, row: nil,
              problem: tr(
                "it is not the link printed earlier (whose hash began %@…): the chain was rewritten", earlier.sha256.prefix(16))))
        }
      }
      problems += try CertificateRegisterCheck(db).problems()
      let tables = allTables ? try ReplayCheck.auditedTables(db) : Self.registerTables
      problems += try ReplayCheck(db).problems(tables: tables)
      let counts = try db.queryOne(
        "SELECT (SELECT count(*) FROM public.audit_chain) AS links, (SELECT count(*) FROM public.audit_log) AS rows")
      return AuditVerification(
        links: try counts?.decode("links") ?? 0, rows: try counts?.decode("rows") ?? 0, head: current, replayedTables: tables,
        problems: problems)
    }
  }

  /// The tables read must be plain tables, with no rule to rewrite what is read, no row-level
  /// security to hide rows and no guard trigger switched off. (The problems of this and the
  /// following checks are sentences in the reader's language: see `SQLWords`.)
  static func setupProblems(_ db: Connection) throws -> [AuditProblem] {
    try db.query(
      """
      SELECT format(\(tr("%@ is not a plain table as the migrations made it (%@)", "%1$s", "%2$s")), c.relname,
                    CASE WHEN c.relkind <> 'r' THEN format(\(tr("its kind is %@", "%1$s")), c.relkind::text)
                         WHEN c.relrowsecurity AND c.relname <> 'participant'
                           THEN \(tr("it has row-level security, which can hide rows"))
                         ELSE \(tr("it has a rule")) END) AS problem, c.relname AS table_name, '' AS trigger_name
      FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace
        AND c.relname IN ('audit_log', 'audit_chain', 'audit_chain_head', 'certificate', 'certificate_status_event',
                          'certificate_serial_counter', 'participant')
        AND (c.relkind <> 'r' OR (c.relrowsecurity AND c.relname <> 'participant')
             OR EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'))
      UNION ALL
      SELECT format(\(tr("the trigger %@ on %@ is switched off", "%1$s", "%2$s")), t.tgname, c.relname), c.relname, t.tgname::text
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal AND t.tgenabled = 'D'
      -- By table and trigger, not by the sentence: the same order in every language.
      ORDER BY table_name, trigger_name
      """
    ).map { AuditProblem(seq: nil, row: nil, problem: try $0.decode("problem")) }
  }

  /// Each row's SHA-256, as the seal computes it (schema 0016's audit_row_sha256), written out
  /// here with built-in functions.
  static let rowDigest = """
    sha256(convert_to(jsonb_build_array(
      a.id, (extract(epoch FROM a.at) * 1000000)::bigint, a.xact::text, a.db_user, a.actor, a.table_name, a.action, a.row_key,
      a.participant_id,
      encode(CASE WHEN a.scrubbed_at IS NULL
                  THEN sha256(convert_to(jsonb_build_array(a.old_values, a.new_values, a.reason)::text, 'UTF8'))
                  ELSE a.content_sha256 END, 'hex'))::text, 'UTF8'))
    """

  /// Links missing, altered or not continuing the one before; rows added, removed or changed
  /// (with the first changed row); rows in no link; a head that is not the last link.
  static func chainProblems(_ db: Connection) throws -> [AuditProblem] {
    try db.query(
      """
      WITH grouped AS (
        SELECT coalesce(a.xact, '0'::xid8) AS xact, count(*)::integer AS n,
               string_agg(\(unsafeRaw: rowDigest), ''::bytea ORDER BY a.id) AS digests, array_agg(a.id ORDER BY a.id) AS ids
        FROM public.audit_log a GROUP BY 1
      ), links AS (
        SELECT l.*, lag(l.sha256) OVER (ORDER BY l.seq) AS actual_prev, row_number() OVER (ORDER BY l.seq) - 1 AS position
        FROM public.audit_chain l
      ), compared AS (
        SELECT l.seq, l.position, l.row_count, l.row_digests, g.n, g.digests, g.ids,
               CASE
                 WHEN l.seq <> l.position THEN 'missing'
                 WHEN l.prev_sha256 <> coalesce(l.actual_prev, '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
                   THEN 'not continued'
                 WHEN l.sha256 <> sha256(l.prev_sha256 || convert_to(jsonb_build_array(l.seq, l.xact::text, l.first_id, l.last_id,
                                                                                         l.row_count)::text, 'UTF8')
                                         || sha256(l.row_digests))
                   THEN 'altered'
                 WHEN coalesce(g.n, 0) < l.row_count THEN 'removed'
                 WHEN coalesce(g.n, 0) > l.row_count THEN 'added'
                 WHEN coalesce(g.digests, '') <> l.row_digests THEN 'changed'
               END AS problem
        FROM links l LEFT JOIN grouped g ON g.xact = l.xact
      )
      SELECT c.seq, (SELECT c.ids[i] FROM generate_series(1, least(c.n, c.row_count)) i
                     WHERE substring(c.digests FROM (i - 1) * 32 + 1 FOR 32) <> substring(c.row_digests FROM (i - 1) * 32 + 1 FOR 32)
                     ORDER BY i LIMIT 1) AS first_row,
             CASE c.problem
               WHEN 'missing'
                 THEN format(\(tr("link %@ is missing: the chain goes from %@ to %@", "%1$s", "%2$s", "%3$s")),
                             c.position, c.position - 1, c.seq)
               WHEN 'not continued' THEN \(tr("the link does not continue the link before it"))
               WHEN 'altered' THEN \(tr("the link was altered: its hash does not match its content"))
               WHEN 'removed'
                 THEN CASE WHEN c.n > 0
                        THEN format(\(tr("%@ of its %@ audit rows were removed (the rows differ from the one named on)", "%1$s", "%2$s")),
                                    c.row_count - coalesce(c.n, 0), c.row_count)
                        ELSE format(\(tr("%@ of its %@ audit rows were removed", "%1$s", "%2$s")), c.row_count - coalesce(c.n, 0), c.row_count)
                      END
               WHEN 'added' THEN format(\(tr("%@ audit rows were added to its %@", "%1$s", "%2$s")), c.n - c.row_count, c.row_count)
               ELSE \(tr("audit rows were changed"))
             END AS problem
      FROM compared c WHERE c.problem IS NOT NULL
      UNION ALL
      SELECT NULL, g.ids[1],
             format(\(tr("%@ audit rows (ids %@ to %@) belong to no link: they were written past the seal", "%1$s", "%2$s", "%3$s")),
                    g.n, g.ids[1], g.ids[g.n])
      FROM grouped g WHERE NOT EXISTS (SELECT 1 FROM public.audit_chain l WHERE l.xact = g.xact)
      UNION ALL
      SELECT h.seq, NULL, \(tr("the chain head does not name the last link (the tail was cut or replaced)"))
      FROM public.audit_chain_head h
      WHERE NOT EXISTS (SELECT 1 FROM public.audit_chain l WHERE l.seq = h.seq AND l.sha256 = h.sha256)
         OR EXISTS (SELECT 1 FROM public.audit_chain l WHERE l.seq > h.seq)
      ORDER BY 1 NULLS LAST, 2 NULLS LAST
      """
    ).map { AuditProblem(seq: try $0.decode("seq"), row: try $0.decode("first_row"), problem: try $0.decode("problem")) }
  }

  /// A scrubbed row (its values removed by an erasure) keeps the SHA-256 of what was there; it
  /// must be matched by exactly one erasure record, written in the erasure's own transaction of a
  /// person who is erased, and be that person's row or a row of a transaction that touched them.
  static func scrubProblems(_ db: Connection) throws -> [AuditProblem] {
    try db.query(
      """
      WITH erasures AS (
        SELECT (r.row_key->>'id')::bigint AS person, r.xact FROM public.audit_log r
        WHERE r.table_name = 'participant' AND r.action = 'UPDATE' AND r.new_values->>'erased_at' IS NOT NULL
          AND r.old_values ? 'erased_at' AND r.old_values->>'erased_at' IS NULL
      ), records AS (
        SELECT r.id, (r.row_key->>'id')::bigint AS target, r.participant_id AS person, r.xact,
               r.old_values->>'content_sha256' AS before, r.new_values->>'content_sha256' AS after
        FROM public.audit_log r WHERE r.table_name = 'audit_log' AND r.action = 'UPDATE'
      ), named AS (
        SELECT a.id, a.scrubbed_at, a.participant_id, a.xact, a.table_name, a.row_key, encode(a.content_sha256, 'hex') AS kept,
               encode(sha256(convert_to(jsonb_build_array(a.old_values, a.new_values, a.reason)::text, 'UTF8')), 'hex') AS now,
               count(r.id) AS records, min(r.before) AS before, min(r.after) AS after, min(r.person) AS person,
               min(r.xact::text)::xid8 AS record_xact
        FROM public.audit_log a LEFT JOIN records r ON r.target = a.id
        WHERE a.scrubbed_at IS NOT NULL OR r.id IS NOT NULL
        GROUP BY a.id
      )
      SELECT id, problem FROM (
        SELECT n.id,
               CASE
                 WHEN n.scrubbed_at IS NULL THEN \(tr("an erasure record names the audit row, but the row was not erased"))
                 WHEN n.records = 0 THEN \(tr("the audit row is marked erased on request, but no erasure record names it"))
                 WHEN n.records > 1 THEN \(tr("the audit row is named by more than one erasure record"))
                 WHEN n.before <> n.kept OR n.after <> n.now THEN \(tr("the audit row does not hold what its erasure record says"))
                 -- Retention scrubs the audit rows of the attendance it deletes, in the same
                 -- transaction as the deletion (schema 0020).
                 WHEN NOT EXISTS (SELECT 1 FROM erasures e JOIN public.participant p ON p.id = e.person AND p.erased_at IS NOT NULL
                                  WHERE e.person = n.person AND e.xact = n.record_xact)
                  AND NOT (n.table_name = 'attendance'
                           AND EXISTS (SELECT 1 FROM public.audit_log d
                                       WHERE d.table_name = 'attendance' AND d.action = 'DELETE' AND d.row_key = n.row_key
                                         AND d.xact = n.record_xact))
                   THEN \(tr("the erasure record was not written by the erasure of an erased person, nor by retention deleting the record"))
                 WHEN n.participant_id IS DISTINCT FROM n.person
                  AND NOT EXISTS (SELECT 1 FROM public.audit_log b WHERE b.xact = n.xact AND b.participant_id = n.person)
                   THEN \(tr("the audit row is neither the erased person's nor of a transaction that touched them"))
               END AS problem
        FROM named n
      ) checked WHERE problem IS NOT NULL ORDER BY id
      """
    ).map { AuditProblem(seq: nil, row: try $0.decode("id"), problem: try $0.decode("problem")) }
  }
}
