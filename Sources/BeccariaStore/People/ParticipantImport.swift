import BeccariaCore
import CSVImport
import Foundation
import Postgres

/// What a participant import did (or, with `dryRun`, would do).
public struct ParticipantImportSummary: Sendable, Equatable {
  public var rows = 0
  public var inserted = 0
  /// The numbers the new participants got (nil when none was new).
  public var firstNumber: Int64?
  public var lastNumber: Int64?
  /// Matched (`update`) and changed; of them, renamed (their old names kept in the history).
  public var updated = 0
  public var renamed = 0
  /// Matched and already so.
  public var unchanged = 0
  /// With a cohort: what was enrolled, and who was enrolled there before.
  public var enrolments: [EnrolmentMade] = []
  public var enrolledBefore = 0
}

/// Bulk registration of participants: validated rows are streamed through COPY into a staging
/// table, checked set-wise in SQL (municipalities, likely duplicates within the file and against
/// the register, matches for `update`), and applied in a few statements, all in one
/// transaction: memory stays flat whatever the file's size.
public struct ParticipantImporter {
  /// The staging columns `feed` writes, in this order, with `CopyWriter.writeRow`: the line, the
  /// participant number to match (or nil), then the participant's fields, the birth date as
  /// YYYY-MM-DD and the municipality as its AGS or its name (resolved here when unique).
  public static let stagingColumns = [
    "line", "number", "family_name", "given_names", "birth_date", "email", "municipality_ags", "organisation", "function",
  ]

  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  public struct Options: Sendable {
    /// Rows that name an existing participant (by the number column, else by e-mail) update them.
    public var update = false
    /// Import likely duplicates anyway.
    public var force = false
    /// Enrol everyone in the file in this cohort, in file order (single modules with `modules`).
    public var courseCode: String?
    public var modules: [Int]?
    /// Why names change (the history of names keeps it); default "participant import FILE".
    public var reason: String?
    public var dryRun = false
    public init() {}
  }

  /// Runs the import of `file`; `feed` writes the staging rows and returns the problems it found
  /// in the file itself (which do not stop the SQL checks, so that one run reports both).
  /// Throws `InputProblems` (at most `maxProblems`, by line) and writes nothing then.
  public func run(
    file: String, options: Options, maxProblems: Int = 500, feed: (CopyWriter) throws -> [InputProblem]
  ) throws -> ParticipantImportSummary {
    try connection.transaction(committingIf: { _ in !options.dryRun }) { db in
      try db.executeScript(unsafeSQL: "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
      try db.executeScript(
        unsafeSQL: """
          CREATE TEMP TABLE participant_staging (
            line bigint NOT NULL, number bigint, family_name text NOT NULL, given_names text NOT NULL, birth_date date NOT NULL,
            email text NOT NULL, municipality_ags text NOT NULL, organisation text, function text,
            target bigint, problem_column text, problem text,
            -- The keys of the duplicate checks, computed once per row as COPY stores it.
            folded_family text GENERATED ALWAYS AS (beccaria_fold(family_name)) STORED,
            folded_given text GENERATED ALWAYS AS (beccaria_fold(given_names)) STORED,
            address text GENERATED ALWAYS AS (lower(email)) STORED
          ) ON COMMIT DROP;
          CREATE TEMP TABLE participant_inserted (id bigint PRIMARY KEY) ON COMMIT DROP
          """)
      var problems: [InputProblem] = []
      let columns = Self.stagingColumns.map(quoteIdentifier).joined(separator: ", ")
      _ = try db.copyIn(.unsafeRaw("COPY participant_staging (\(columns)) FROM STDIN")) { writer in
        problems = try feed(writer)
      }
      try db.executeScript(unsafeSQL: "ANALYZE participant_staging")
      problems += try check(db, options: options, limit: maxProblems)
      if !problems.isEmpty {
        throw InputProblems(file: file, Array(problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) }.prefix(maxProblems)))
      }
      var summary = try apply(db, file: file, options: options)
      if let courseCode = options.courseCode {
        try enrol(db, file: file, courseCode: courseCode, modules: options.modules, into: &summary)
      }
      return summary
    }
  }

  /// Matches rows to participants (for `update`) and finds every problem the register shows,
  /// one set-wise statement per rule.
  private func check(_ db: Connection, options: Options, limit: Int) throws -> [InputProblem] {
    // A municipality given by name: the one the register has by that name (as `beccaria_fold`
    // compares, like `MunicipalityStore.resolve`); ambiguous and unknown names are problems below.
    try db.execute(
      """
      UPDATE participant_staging s SET municipality_ags = m.ags
        FROM (SELECT beccaria_fold(name) AS key, min(ags) AS ags FROM municipality GROUP BY 1 HAVING count(*) = 1) m
       WHERE s.municipality_ags !~ '^[0-9]{8}$' AND m.key = beccaria_fold(s.municipality_ags)
      """)
    // The problems are sentences in the reader's language: each is a translated template whose
    // placeholders are PostgreSQL's `%1$s`, `%2$s`, … (passed as `tr`'s arguments), filled by
    // `format()` with the row's values, so that the rules stay set-wise.
    if options.update {
      // By number; else by e-mail when exactly one (not erased) participant has it.
      try db.execute(
        """
        UPDATE participant_staging s SET target = p.id,
               problem_column = CASE WHEN p.erased_at IS NOT NULL THEN 'number' END,
               problem = CASE WHEN p.erased_at IS NOT NULL
                              THEN format(\(tr("participant %@ was erased on request and is not updated", "%1$s")), p.id) END
        FROM participant p WHERE s.number IS NOT NULL AND p.id = s.number
        """)
      try db.execute(
        """
        UPDATE participant_staging s SET problem_column = 'number', problem = format(\(tr("there is no participant %@", "%1$s")), s.number)
        WHERE s.number IS NOT NULL AND s.target IS NULL
        """)
      try db.execute(
        """
        UPDATE participant_staging s SET target = m.id
        FROM (SELECT lower(email) AS address, min(id) AS id FROM participant
               WHERE erased_at IS NULL AND lower(email) IN (SELECT address FROM participant_staging WHERE number IS NULL)
               GROUP BY lower(email) HAVING count(*) = 1) m
        WHERE s.number IS NULL AND s.address = m.address
        """)
    }
    var duplicateRules: SQL = ""
    if !options.force {
      // Against the register in two joins (an OR would compare every row with every person).
      let sameName = tr("the same name and birth date")
      let sameEmail = tr("the same e-mail")
      let registered =
        options.update
        ? tr(
          "likely duplicate: participant %@ (%@, born %@, %@) has %@; name them by a number column (Nr.) to update them, or use --force to add anyway",
          "%1$s", "%2$s", "%3$s", "%4$s", "%5$s")
        : tr(
          "likely duplicate: participant %@ (%@, born %@, %@) has %@; use --update to update them, or --force to add anyway",
          "%1$s", "%2$s", "%3$s", "%4$s", "%5$s")
      duplicateRules = """
        UNION ALL
        SELECT line, NULL,
               format(\(tr("likely duplicate of line %@ in the same input (%@); use --force to add anyway", "%1$s", "%2$s")),
                      first_line, CASE kind WHEN 'e-mail' THEN \(sameEmail) ELSE \(sameName) END)
          FROM (SELECT line, 'name and birth date' AS kind,
                       min(line) OVER (PARTITION BY folded_family, folded_given, birth_date) AS first_line
                  FROM participant_staging
                UNION ALL
                SELECT line, 'e-mail', min(line) OVER (PARTITION BY address) FROM participant_staging) d
         WHERE line > first_line
        UNION ALL
        SELECT line, NULL, reason FROM (
        SELECT DISTINCT ON (line) line,
               format(\(registered), id, given_names || ' ' || family_name, \(SQLWords.day("birth_date")),
                      coalesce(email, \(tr("no e-mail"))), CASE kind WHEN 'e-mail' THEN \(sameEmail) ELSE \(sameName) END)
          FROM (SELECT s.line, p.id, p.given_names, p.family_name, p.birth_date, p.email, 'e-mail' AS kind
                  FROM participant_staging s JOIN participant p ON lower(p.email) = s.address
                 WHERE s.target IS NULL AND p.erased_at IS NULL
                UNION ALL
                SELECT s.line, p.id, p.given_names, p.family_name, p.birth_date, p.email, 'name and birth date'
                  FROM participant_staging s JOIN participant p
                    ON beccaria_fold(p.family_name) = s.folded_family AND p.birth_date = s.birth_date
                   AND beccaria_fold(p.given_names) = s.folded_given
                 WHERE s.target IS NULL AND p.erased_at IS NULL) found
         ORDER BY line, kind) first_found (line, reason)
        UNION ALL
        -- An update that would give someone another person's address.
        SELECT DISTINCT ON (s.line) s.line, 'email',
               format(\(tr("participant %@ (%@) has this e-mail already; use --force to give it to both", "%1$s", "%2$s")),
                      p.id, p.given_names || ' ' || p.family_name)
          FROM participant_staging s JOIN participant p ON lower(p.email) = s.address AND p.id <> s.target
         WHERE s.target IS NOT NULL AND p.erased_at IS NULL
        """
    }
    return try db.query(
      """
      WITH problems (line, column_name, reason) AS (
        SELECT line, problem_column, problem FROM participant_staging WHERE problem IS NOT NULL
        UNION ALL
        SELECT line, 'municipality',
               CASE WHEN s.municipality_ags ~ '^[0-9]{8}$'
                      THEN format(\(tr("%@ is not in the municipality register", "%1$s")), s.municipality_ags)
                    WHEN named.n > 1
                      THEN format(\(tr("%@ municipalities are called %@: %@; give the AGS", "%1$s", "%2$s", "%3$s")),
                                  named.n, s.municipality_ags, named.list)
                    ELSE format(\(tr("\"%@\" is not the name of a municipality in the register; give its AGS", "%1$s")),
                                s.municipality_ags)
               END
          -- Only the rows whose municipality is not found look for candidates by name (the
          -- lookup folds every name, which would cost a fold per row and municipality).
          FROM (SELECT line, municipality_ags FROM participant_staging st
                 WHERE NOT EXISTS (SELECT 1 FROM municipality m WHERE m.ags = st.municipality_ags)
                 OFFSET 0) s
          LEFT JOIN LATERAL (
            SELECT count(*) AS n, string_agg(m.name || ' (' || m.ags || ', ' || m.district || ')', ', ' ORDER BY m.ags) AS list
              FROM municipality m WHERE s.municipality_ags !~ '^[0-9]{8}$' AND beccaria_fold(m.name) = beccaria_fold(s.municipality_ags)
          ) named ON true
        UNION ALL
        SELECT line, 'number', format(\(tr("participant %@ appears in line %@ already", "%1$s", "%2$s")), target, first_line)
          FROM (SELECT line, target, min(line) OVER (PARTITION BY target) AS first_line FROM participant_staging
                 WHERE target IS NOT NULL) t
         WHERE line > first_line
        \(duplicateRules)
      )
      SELECT line, column_name, reason FROM problems ORDER BY line LIMIT \(limit)
      """
    ).map { row in
      InputProblem(
        line: Int(try row.decode("line", as: Int64.self)), column: try row.decode("column_name"), reason: try row.decode("reason")
      )
    }
  }

  /// Inserts the new rows in file order, updates the matched ones that differ (a new name goes
  /// into the history of names with the reason), and counts.
  private func apply(_ db: Connection, file: String, options: Options) throws -> ParticipantImportSummary {
    var summary = ParticipantImportSummary()
    summary.rows = try db.queryOne("SELECT count(*)::integer AS n FROM participant_staging")?.decode("n", as: Int.self) ?? 0
    if let inserted = try db.queryOne(
      """
      WITH new AS (
        INSERT INTO participant (family_name, given_names, birth_date, email, municipality_ags, organisation, function)
        SELECT family_name, given_names, birth_date, email, municipality_ags, organisation, function
          FROM participant_staging WHERE target IS NULL ORDER BY line
        RETURNING id),
      kept AS (INSERT INTO participant_inserted SELECT id FROM new RETURNING id)
      SELECT count(*)::integer AS n, min(id) AS first, max(id) AS last FROM kept
      """)
    {
      summary.inserted = try inserted.decode("n")
      summary.firstNumber = try inserted.decode("first")
      summary.lastNumber = try inserted.decode("last")
    }
    guard options.update else { return summary }
    // The reason given is why names change; every other change is the import's.
    // Stored (name history, audit log): one language (English) whoever runs the import.
    let reason = options.reason ?? Localisation.inEnglish { tr("participant import %@", file) }
    try db.execute("SELECT set_config('beccaria.reason', \(reason), true)")
    summary.renamed = try db.execute(
      """
      INSERT INTO participant_name_change (participant_id, old_family_name, old_given_names, new_family_name, new_given_names, reason)
      SELECT p.id, p.family_name, p.given_names, s.family_name, s.given_names, \(reason)
        FROM participant_staging s JOIN participant p ON p.id = s.target
       WHERE (p.family_name, p.given_names) IS DISTINCT FROM (s.family_name, s.given_names)
       ORDER BY s.line
      """)
    if summary.renamed > 0 {
      try db.execute(
        """
        UPDATE participant p SET family_name = s.family_name, given_names = s.given_names, updated_at = now()
          FROM participant_staging s
         WHERE s.target = p.id AND (p.family_name, p.given_names) IS DISTINCT FROM (s.family_name, s.given_names)
        """)
    }
    try db.execute("SELECT set_config('beccaria.reason', \(Localisation.inEnglish { tr("participant import %@", file) }), true)")
    try db.execute(
      """
      UPDATE participant p SET birth_date = s.birth_date, email = s.email, municipality_ags = s.municipality_ags,
             organisation = coalesce(s.organisation, p.organisation), function = coalesce(s.function, p.function),
             updated_at = now()
        FROM participant_staging s
       WHERE s.target = p.id
         AND (p.birth_date, p.email, p.municipality_ags, p.organisation, p.function)
             IS DISTINCT FROM (s.birth_date, s.email, s.municipality_ags, coalesce(s.organisation, p.organisation),
                               coalesce(s.function, p.function))
      """)
    // Updated: the matched rows either statement changed, which carry this transaction's time.
    summary.updated =
      try db.queryOne(
        """
        SELECT count(*)::integer AS n FROM participant_staging s JOIN participant p ON p.id = s.target
        WHERE p.updated_at = now()
        """)?.decode("n", as: Int.self) ?? 0
    summary.unchanged = summary.rows - summary.inserted - summary.updated
    return summary
  }

  /// Enrols every row's participant in `courseCode` in file order, except those enrolled or
  /// waiting there already.
  private func enrol(
    _ db: Connection, file: String, courseCode: String, modules: [Int]?, into summary: inout ParticipantImportSummary
  ) throws {
    let rows = try db.query(
      """
      WITH new AS (
        SELECT line, row_number() OVER (ORDER BY line) AS n FROM participant_staging WHERE target IS NULL),
      -- Identities are drawn in the order of the insert, which was the file's.
      ids AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM participant_inserted)
      SELECT s.line, coalesce(s.target, ids.id) AS person,
             EXISTS (SELECT 1 FROM enrolment e JOIN course c ON c.id = e.course_id
                      WHERE c.code = \(courseCode) AND e.participant_id = coalesce(s.target, ids.id)
                        AND e.status IN ('enrolled', 'waiting')) AS already
        FROM participant_staging s LEFT JOIN new USING (line) LEFT JOIN ids ON ids.n = new.n
       ORDER BY s.line
      """)
    var requests: [EnrolmentRequest] = []
    for row in rows {
      if try row.decode("already", as: Bool.self) {
        summary.enrolledBefore += 1
        continue
      }
      requests.append(
        EnrolmentRequest(
          line: Int(try row.decode("line", as: Int64.self)), participant: String(try row.decode("person", as: Int64.self)),
          course: courseCode, modules: modules))
    }
    summary.enrolments = try EnrolmentStore(db).enrolAll(requests, file: file)
  }
}
