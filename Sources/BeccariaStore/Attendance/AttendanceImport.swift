import BeccariaCore
import CSVImport
import Foundation
import Postgres

/// What an attendance import did (or, with `dryRun`, would do).
public struct AttendanceImportSummary: Sendable, Equatable {
  public var rows: Int
  public var inserted: Int
  public var corrected: Int
  public var unchanged: Int
  public var sessions: Int
  /// Valid certificates issued before this import whose holders' attendance it wrote (their
  /// programme, and module for a Teilnahmebescheinigung): `BQ-… (participant N)`. Empty for a
  /// login that may not read certificates.
  public var certificatesToReview: [String] = []
}

/// Bulk attendance import: the CSV goes through COPY into a staging table (PostgreSQL parses the
/// CSV), is validated set-wise in SQL, and is applied in one statement, all in one transaction.
public struct AttendanceImporter {
  /// Columns the staging table takes, as the CSV header may name them.
  public static let columns = ["session", "participant", "status", "ue", "reason", "note"] + informational
  /// Columns of `attendance roster`'s own export that say who a row is, so that a roster filled in
  /// and saved as CSV imports as it is: taken and not used (the participant column decides).
  public static let informational = ["name", "family_name", "given_names", "organisation", "municipality", "enrolment"]
  public static let required = ["session", "participant", "status"]

  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Imports the rows of `file` streamed by `feed`, which writes CSV records in COPY's csv format
  /// (`CSVCopyFramer`), each prefixed by its line number as the first field. `columns` names the
  /// fields after the line number; `lineOfRecord` maps PostgreSQL's record number (1-based) back
  /// to the file's line for parse errors. With `dryRun`, everything is checked and nothing is
  /// kept. Throws `InputProblems` naming `file` and the lines; nothing is written then.
  public func run(
    file: String, columns: [String], delimiter: Character = ",", reason: String?, dryRun: Bool, maxProblems: Int = 500,
    lineOfRecord: (Int) -> Int, feed: (CopyWriter) throws -> Void
  ) throws -> AttendanceImportSummary {
    try connection.transaction(committingIf: { _ in !dryRun }) { db in
      // Set-wise work over a million rows: JIT compilation costs more than it saves here (seconds
      // per query), and hashes and sorts of the whole file should stay in memory.
      try db.executeScript(unsafeSQL: "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
      try db.executeScript(
        unsafeSQL: """
          CREATE TEMP TABLE attendance_staging (
            line bigint NOT NULL, session text, participant text, status text, ue text, reason text, note text,
            name text, family_name text, given_names text, organisation text, municipality text, enrolment text
          ) ON COMMIT DROP
          """)
      let columnList = (["line"] + columns).map(quoteIdentifier).joined(separator: ", ")
      let delimiterLiteral = delimiter == "'" ? "''''" : "'\(delimiter)'"
      do {
        try db.copyIn(
          .unsafeRaw("COPY attendance_staging (\(columnList)) FROM STDIN (FORMAT csv, DELIMITER \(delimiterLiteral))"),
          feed)
      } catch let error as PostgresError where error.kind == .server {
        throw InputProblems(file: file, [Self.copyProblem(error, lineOfRecord: lineOfRecord)])
      }
      try db.executeScript(unsafeSQL: "ANALYZE attendance_staging")
      try resolve(db, defaultReason: reason)
      // The reason given for the whole file is this transaction's: the audit log's, and the one
      // a correction falls back to (schema 0016's trigger).
      if let reason { try db.execute("SELECT set_config('beccaria.reason', \(reason), true)") }
      let problems = try validate(db, limit: maxProblems)
      if !problems.isEmpty { throw InputProblems(file: file, problems) }
      let summary = try apply(db, dryRun: dryRun)
      return summary
    }
  }

  /// Turns a COPY parse error into a line-level problem.
  static func copyProblem(_ error: PostgresError, lineOfRecord: (Int) -> Int) -> InputProblem {
    var line: Int?
    if let context = error.context, let range = context.range(of: #"line [0-9]+"#, options: .regularExpression) {
      line = lineOfRecord(Int(context[range].dropFirst(5)) ?? 0)
    }
    var column: String?
    if let context = error.context, let range = context.range(of: #"column [a-z_]+"#, options: .regularExpression) {
      column = String(context[range].dropFirst(7))
    }
    var reason = error.message
    if error.sqlState == "22021" { reason = tr("%@ (save the file as \"CSV UTF-8\")", reason) }
    return InputProblem(line: line, column: column, reason: reason)
  }

  /// Resolves references and values once, into `attendance_resolved`.
  private func resolve(_ db: Connection, defaultReason: String?) throws {
    try db.execute(
      """
      CREATE TEMP TABLE attendance_resolved ON COMMIT DROP AS
      WITH keyed AS (
        SELECT st.*,
               -- Digits only (no regular expressions: over a million rows they cost seconds).
               CASE WHEN st.session_text <> '' AND length(st.session_text) <= 18 AND ltrim(st.session_text, '0123456789') = ''
                    THEN st.session_text::bigint END AS session_key,
               CASE WHEN st.participant_text <> '' AND length(st.participant_text) <= 18 AND ltrim(st.participant_text, '0123456789') = ''
                    THEN st.participant_text::bigint END AS participant_key,
               CASE WHEN position('@' IN st.participant_text) > 0 THEN lower(st.participant_text) END AS address
        FROM (
          SELECT st.line, btrim(coalesce(st.session, '')) AS session_text, btrim(coalesce(st.participant, '')) AS participant_text,
                 btrim(coalesce(st.status, '')) AS status_text, btrim(coalesce(st.ue, '')) AS ue_text,
                 coalesce(nullif(btrim(coalesce(st.reason, '')), ''), \(defaultReason)) AS reason,
                 nullif(btrim(coalesce(st.note, '')), '') AS note
          FROM attendance_staging st
        ) st
      ), mail AS (
        -- Only the addresses the file names (most rows give the number).
        -- Through a function: a trainer may not read addresses (schema 0025).
        SELECT * FROM participant_ids_by_email(ARRAY(SELECT DISTINCT address FROM keyed WHERE address IS NOT NULL))
      )
      SELECT r.*,
             CASE WHEN r.status = 'present' AND r.ue_text = '' THEN r.session_ue::numeric
                  WHEN r.status IN ('present', 'late') THEN r.ue_value
                  WHEN r.status IN ('absent', 'excused') AND (r.ue_text = '' OR r.ue_value = 0) THEN 0::numeric
             END AS ue_attended
      FROM (
        SELECT st.line, st.session_text, st.participant_text, st.status_text, st.ue_text, st.reason, st.note,
               s.id AS session_id, s.ue AS session_ue, s.day AS session_day, s.course_id, s.module_number,
               coalesce(pid.id, mail.id) AS participant_id, coalesce(mail.matches, 1) AS participant_matches,
               CASE lower(st.status_text)
                 WHEN 'present' THEN 'present' WHEN 'anwesend' THEN 'present' WHEN 'x' THEN 'present'
                 WHEN 'late' THEN 'late' WHEN 'verspätet' THEN 'late' WHEN 'teilweise' THEN 'late'
                 WHEN 'excused' THEN 'excused' WHEN 'entschuldigt' THEN 'excused'
                 WHEN 'absent' THEN 'absent' WHEN 'abwesend' THEN 'absent' WHEN 'unentschuldigt' THEN 'absent'
               END AS status,
               CASE WHEN st.ue_text <> '' AND st.ue_text ~ '^[0-9]{1,3}([.,][0-9]{1,2})?$'
                    THEN replace(st.ue_text, ',', '.')::numeric END AS ue_value
        FROM keyed st
        LEFT JOIN session s ON s.id = st.session_key
        LEFT JOIN participant pid ON pid.id = st.participant_key AND pid.erased_at IS NULL
        LEFT JOIN mail ON mail.address = st.address
      ) r
      """)
    try db.executeScript(unsafeSQL: "ANALYZE attendance_resolved")
  }

  /// Every problem, set-wise: one query per rule over all rows.
  private func validate(_ db: Connection, limit: Int) throws -> [InputProblem] {
    let trainer =
      try db.isTrainerLogin()
    // The problems are sentences in the reader's language: each is a translated template whose
    // placeholders are PostgreSQL's `%1$s`, `%2$s`, … (passed as `tr`'s arguments), filled by
    // `format()` with the row's values, so that every rule stays one set-wise query. A stored
    // status key is shown as the reader's word for it.
    let word = { (status: SQL) in SQLWords.words(status, AttendanceStatus.allCases.map(\.rawValue)) }
    let control = tr("contains a control or invisible character (a single line of text, please)")
    return try db.query(
      """
      WITH problems (line, column_name, reason) AS (
        SELECT line, 'session', CASE WHEN session_text = '' THEN \(tr("is required"))
                                     WHEN session_text !~ '^[0-9]{1,18}$'
                                       THEN format(\(tr("\"%@\" is not a session number", "%1$s")), left(session_text, 40))
                                     ELSE format(\(tr("there is no session %@", "%1$s")), session_text) END
          FROM attendance_resolved WHERE session_id IS NULL
        UNION ALL
        SELECT line, 'participant', CASE WHEN participant_text = '' THEN \(tr("is required"))
                                         WHEN participant_matches > 1
                                           THEN format(\(tr("%@ belongs to %@ participants; use the participant number", "%1$s", "%2$s")),
                                                       participant_text, participant_matches)
                                         ELSE format(\(tr("there is no participant %@", "%1$s")), left(participant_text, 60)) END
          FROM attendance_resolved WHERE participant_id IS NULL OR participant_matches > 1
        UNION ALL
        SELECT line, 'status', CASE WHEN status_text = '' THEN \(tr("is required"))
                                    ELSE format(\(tr("\"%@\" is not one of present, late, excused, absent", "%1$s")),
                                                left(status_text, 40)) END
          FROM attendance_resolved WHERE status IS NULL
        UNION ALL
        SELECT line, 'ue', CASE
                 WHEN ue_text <> '' AND ue_value IS NULL THEN format(\(tr("\"%@\" is not a number of UE", "%1$s")), left(ue_text, 20))
                 WHEN ue_value * 2 <> trunc(ue_value * 2)
                   THEN format(\(tr("%@ UE: UE are recorded in half steps (6 or 6.5)", "%1$s")), ue_text)
                 WHEN status = 'late' AND ue_text = '' THEN \(tr("late needs the UE actually attended"))
                 WHEN status IN ('absent', 'excused') THEN format(\(tr("%@ means 0 UE, not %@", "%1$s", "%2$s")), \(word("status")), ue_text)
                 WHEN ue_attended <= 0 THEN format(\(tr("%@ needs more than 0 UE; record absent instead", "%1$s")), \(word("status")))
                 ELSE format(\(tr("%@ UE is more than the %@ UE of session %@", "%1$s", "%2$s", "%3$s")), \(SQLWords.number("ue_attended")), session_ue, session_id) END
          FROM attendance_resolved
         WHERE status IS NOT NULL AND session_id IS NOT NULL
           AND (ue_attended IS NULL OR ue_attended > session_ue OR (status IN ('present', 'late') AND ue_attended <= 0)
                OR ue_value * 2 <> trunc(ue_value * 2))
        UNION ALL
        SELECT line, 'session', format(\(tr("session %@ on %@ has not taken place yet", "%1$s", "%2$s")),
                                       session_id, \(SQLWords.day("session_day")))
          FROM attendance_resolved WHERE session_day > beccaria_today()
        UNION ALL
        -- Trainers read their cohorts' schedules but record their own sessions only.
        SELECT line, 'session', format(\(tr("session %@ is not one of your sessions", "%1$s")), session_id)
          FROM attendance_resolved WHERE \(trainer) AND session_id IS NOT NULL AND NOT beccaria_teaches_session(session_id)
        UNION ALL
        SELECT r.line, 'participant',
               format(\(tr("participant %@ is not enrolled for module %@ of the session's cohort", "%1$s", "%2$s")),
                      r.participant_id, r.module_number)
          FROM attendance_resolved r
         WHERE r.session_id IS NOT NULL AND r.participant_id IS NOT NULL AND r.participant_matches = 1
           AND NOT EXISTS (
             SELECT 1 FROM enrolment e
              WHERE e.participant_id = r.participant_id AND e.course_id = r.course_id AND e.enrolled_at IS NOT NULL
                AND (e.status = 'enrolled' OR enrolment_covers_day(e.ended_at, r.session_day))
                AND (e.scope = 'programme' OR EXISTS (SELECT 1 FROM enrolment_module em
                                                       WHERE em.enrolment_id = e.id AND em.module_number = r.module_number)))
        UNION ALL
        SELECT line, NULL, format(\(tr("repeats session %@ and participant %@ of line %@", "%1$s", "%2$s", "%3$s")),
                                  session_id, participant_id, first_line)
          FROM (SELECT line, session_id, participant_id,
                       min(line) OVER (PARTITION BY session_id, participant_id) AS first_line
                  FROM attendance_resolved WHERE session_id IS NOT NULL AND participant_id IS NOT NULL) d
         WHERE line > first_line
        UNION ALL
        SELECT r.line, 'reason',
               format(\(tr("changes the recorded %@ (%@ UE) of a past session; a correction needs a reason (column reason or --reason)", "%1$s", "%2$s")),
                      \(word("a.status")), \(SQLWords.number("a.ue_attended")))
          FROM attendance_resolved r JOIN attendance a ON a.session_id = r.session_id AND a.participant_id = r.participant_id
         WHERE (a.status, a.ue_attended) IS DISTINCT FROM (r.status, r.ue_attended)
           AND r.session_day < beccaria_today() AND r.reason IS NULL
        UNION ALL
        -- A correction needs a reason of its own, not the one left by the last correction.
        SELECT r.line, 'reason', \(tr("repeats the reason of this record's last correction; say what this correction is for"))
          FROM attendance_resolved r JOIN attendance a ON a.session_id = r.session_id AND a.participant_id = r.participant_id
         WHERE (a.status, a.ue_attended) IS DISTINCT FROM (r.status, r.ue_attended)
           AND r.session_day < beccaria_today() AND r.reason = a.correction_reason
           AND coalesce(current_setting('beccaria.reason', true), '') = ''
        UNION ALL
        -- The table's checks (schema 0018) would refuse the whole file without naming the line.
        SELECT line, 'reason', \(control)
          FROM attendance_resolved WHERE reason IS NOT NULL AND NOT beccaria_inert(reason)
        UNION ALL
        SELECT line, 'note', \(control)
          FROM attendance_resolved WHERE note IS NOT NULL AND NOT beccaria_inert(note)
        UNION ALL
        -- The rule of Validation.spreadsheetFormula, set-wise: a formula would run when the data
        -- is opened in a spreadsheet again.
        SELECT line, x.column_name,
               \(tr("starts like a spreadsheet formula (=, +, @ or - before anything but a number); such values are refused"))
          FROM attendance_resolved r,
               LATERAL (VALUES ('note', r.note), ('reason', r.reason)) x(column_name, value)
         WHERE x.value IS NOT NULL AND ltrim(x.value, ' ') ~ '^([=+@]|-($|[^0-9., ]|[ ]*$))'
      )
      SELECT line, column_name, reason FROM problems ORDER BY line, column_name NULLS LAST LIMIT \(limit)
      """
    ).map { row in
      InputProblem(line: try row.decode("line"), column: try row.decode("column_name"), reason: try row.decode("reason"))
    }
  }

  /// Inserts new records and corrects changed ones in one statement; unchanged rows stay as they are.
  private func apply(_ db: Connection, dryRun: Bool) throws -> AttendanceImportSummary {
    // The file's participants first, FOR SHARE and by id (the lock order of erasure, which takes
    // the participant before anything else): an import and an erasure of someone in it queue
    // instead of deadlocking. (A login that may not lock participants cannot import either.)
    if try db.queryOne("SELECT has_table_privilege('public.participant', 'UPDATE') AS ok")?.decode("ok", as: Bool.self) == true {
      try db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM participant WHERE id IN (SELECT participant_id FROM attendance_resolved) ORDER BY id FOR SHARE) x"
      )
    }
    let totals = try db.queryOne(
      "SELECT count(*)::integer AS rows, count(DISTINCT session_id)::integer AS sessions FROM attendance_resolved")
    let rows: Int = try totals?.decode("rows") ?? 0
    let sessions: Int = try totals?.decode("sessions") ?? 0
    let counts = try db.queryOne(
      """
      WITH written AS (
        INSERT INTO attendance (session_id, participant_id, status, ue_attended, correction_reason, note)
        SELECT session_id, participant_id, status, ue_attended, reason, note FROM attendance_resolved
        ON CONFLICT (session_id, participant_id) DO UPDATE
          SET status = EXCLUDED.status, ue_attended = EXCLUDED.ue_attended,
              correction_reason = EXCLUDED.correction_reason, note = coalesce(EXCLUDED.note, attendance.note)
          WHERE (attendance.status, attendance.ue_attended) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.ue_attended)
        RETURNING (xmax = 0) AS inserted
      )
      SELECT count(*) FILTER (WHERE inserted)::integer AS inserted, count(*) FILTER (WHERE NOT inserted)::integer AS corrected
      FROM written
      """)
    let inserted: Int = try counts?.decode("inserted") ?? 0
    let corrected: Int = try counts?.decode("corrected") ?? 0
    var summary = AttendanceImportSummary(
      rows: rows, inserted: inserted, corrected: corrected, unchanged: rows - inserted - corrected, sessions: sessions)
    // Rows written by this transaction carry its time (schema 0016 stamps every change).
    if try db.canRead("certificate") {
      summary.certificatesToReview = try db.query(
        """
        SELECT DISTINCT c.serial, c.participant_id
        FROM attendance a JOIN session s ON s.id = a.session_id JOIN programme_version v ON v.id = s.programme_version_id
        JOIN certificate c ON c.participant_id = a.participant_id AND c.programme_id = v.programme_id AND c.status = 'valid'
                          AND (c.module_number IS NULL OR c.module_number = s.module_number) AND c.issued_at < now()
        WHERE a.recorded_at = now() AND a.session_id IN (SELECT DISTINCT session_id FROM attendance_resolved)
        ORDER BY c.serial
        """
      ).map {
        tr("%@ (participant %@)", try $0.decode("serial", as: String.self), try $0.decode("participant_id", as: Int64.self))
      }
    }
    return summary
  }
}
