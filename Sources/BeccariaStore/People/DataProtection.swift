import BeccariaCore
import Files
import Foundation
import Postgres
import Signing

#if canImport(Glibc)
  import Glibc
#endif

/// What an erasure did: enrolments ended, who moved up into a freed place, and where the
/// holder's files were written outside the database (for the caller to remove or report).
public struct ErasureOutcome: Codable, Sendable, Equatable {
  public struct EndedEnrolment: Codable, Sendable, Equatable {
    public var course: String
    /// `enrolled` or `waiting`: what the enrolment was before it ended.
    public var was: EnrolmentStatus
  }
  public struct Promotion: Codable, Sendable, Equatable {
    public var course: String
    public var participant: Int64
  }
  /// A file with the holder's data: what it is (`certificate` or `auskunft`), the host that
  /// wrote it, its path and the SHA-256 it had.
  public struct ExportedFile: Codable, Sendable, Equatable {
    public var kind: ExportFileKind
    public var host: String
    public var path: String
    public var sha256: String
    /// The certificate's serial, for a certificate's file.
    public var serial: String?
    /// The registry entry (`export_file`), when the file was registered there.
    public var id: Int64?
  }

  public var participant: Int64
  public var endedEnrolments: [EndedEnrolment]
  public var promoted: [Promotion]
  public var certificates: Int
  public var auditRowsScrubbed: Int
  public var exports: [ExportedFile]

  enum CodingKeys: String, CodingKey {
    case participant, promoted, certificates, exports
    case endedEnrolments = "ended_enrolments"
    case auditRowsScrubbed = "audit_rows_scrubbed"
  }
}

/// The right of access and erasure on request (both done by database functions, so that any
/// client gets the same result).
public struct DataProtection {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Everything stored about a person, as pretty JSON.
  public func export(_ participant: ParticipantID) throws -> Data {
    guard
      let row = try connection.queryOne(
        "SELECT (participant_export(\(participant)) || jsonb_build_object('mail', mail_export(\(participant))))::text AS document"
      ),
      let text: String = try row.decode("document")
    else { throw StoreError.notFound(tr("participant %@", participant)) }
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
  }

  /// Records that an export for the right of access was given (schema 0020): to a file or to
  /// standard output, with the SHA-256 (hex) of the JSON document; audited like every write.
  public func recordGiven(_ participant: ParticipantID, toFile: Bool, sha256: String) throws {
    try connection.execute(
      "SELECT participant_export_record(\(participant), \(toFile ? "file" : "standard output"), \(sha256))")
  }

  /// Registers a file of the person's data written outside the database (an export for the
  /// right of access), so that their erasure finds it.
  public func recordExport(_ participant: ParticipantID, path: String, sha256: String) throws {
    try connection.execute(
      """
      SELECT export_file_record('auskunft', \(participant), NULL, \(ProcessInfo.processInfo.hostName), \(path), \(sha256))
      """)
  }

  /// Registers a session's sign-in sheet just written, naming `people` in its row order: each
  /// one's erasure lists it, and `attendance record --row N` finds whom row N names.
  public func recordSheet(session: Int64, path: String, sha256: String, people: [ParticipantID]) throws {
    try connection.execute(
      """
      SELECT export_file_record_sheet(\(session), \(ProcessInfo.processInfo.hostName), \(path), \(sha256),
                                      \(PostgresArray(people.map(\.rawValue))))
      """)
  }

  /// Removes or pseudonymises the person's data everywhere; certificates stay verifiable.
  public func erase(_ participant: ParticipantID, reason: String) throws -> ErasureOutcome {
    let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !reason.isEmpty else { throw StoreError.invalid(tr("an erasure needs a reason (--reason)")) }
    do {
      return try connection.transaction(attempts: 3) { db in
        guard let row = try db.queryOne("SELECT participant_erase(\(participant), \(reason)) AS outcome") else {
          throw StoreError.corrupt(tr("the erasure of participant %@ returned nothing", participant))
        }
        return try row.decodeJSON("outcome")
      }
    } catch let error as PostgresError where error.sqlState == "P0002" {
      throw StoreError.notFound(tr("participant %@", participant))
    } catch let error as PostgresError where error.constraint == "participant_erased_once" {
      throw StoreError.conflict(error.message)
    }
  }

  /// For a person erased already, the files their erasure listed that are still registered (or
  /// in a run's export folder): an erasure interrupted after its commit, or files deleted by hand
  /// since, are finished by `removeExports`. Nil when the person is not erased.
  public func leftovers(_ participant: ParticipantID) throws -> (erasedAt: Date, outcome: ErasureOutcome)? {
    guard
      let row = try connection.queryOne(
        """
        SELECT p.erased_at, participant_files(p.id)::text AS files FROM participant p
        WHERE p.id = \(participant) AND p.erased_at IS NOT NULL
        """)
    else { return nil }
    let files = try JSONDecoder().decode(
      [ErasureOutcome.ExportedFile].self, from: Data(try row.decode("files", as: String.self).utf8))
    return (
      try row.decode("erased_at"),
      ErasureOutcome(
        participant: participant.rawValue, endedEnrolments: [], promoted: [], certificates: 0, auditRowsScrubbed: 0,
        exports: files)
    )
  }

  /// What became of the files an erasure listed.
  public struct RemovedFiles: Sendable {
    public var removed: [String] = []
    /// Files that were not there any more (deleted before, or never written on this machine's disk).
    public var gone: [String] = []
    /// Files left where they are, each with a sentence saying why and what to do.
    public var left: [(file: ErasureOutcome.ExportedFile, why: String)] = []
  }

  /// Removes the files an erasure listed that this machine can reach: those written by this
  /// host that are still what was written — a certificate's file named `<serial>.pdf` with the
  /// issued bytes, an export for the right of access with the registered bytes, holding this
  /// person's record (a registration naming some other file deletes nothing). Sign-in sheets name
  /// others too and are left for the office. A path registered several times (exported again)
  /// is one file, removed when it holds any of the registered versions.
  public func removeExports(_ outcome: ErasureOutcome) throws -> RemovedFiles {
    let host = ProcessInfo.processInfo.hostName
    var result = RemovedFiles()
    var removedIDs: [Int64] = []
    let byPath = Dictionary(grouping: outcome.exports) { "\($0.host)\u{0}\($0.path)" }
    for key in byPath.keys.sorted() {
      guard let versions = byPath[key], let file = versions.first else { continue }
      switch check(file, versions: versions, host: host, person: outcome.participant) {
      case .left(let why): result.left.append((file, why))
      case .gone:
        result.gone.append(file.path)
        removedIDs += versions.compactMap(\.id)
      case .deleted:
        result.removed.append(file.path)
        removedIDs += versions.compactMap(\.id)
      }
    }
    if !removedIDs.isEmpty {
      try connection.execute("UPDATE export_file SET removed_at = now() WHERE id = ANY(\(PostgresArray(removedIDs)))")
    }
    return result
  }

  enum FileState {
    case deleted, gone
    case left(String)
  }

  /// Removes one listed file, or says why it is left.
  private func check(_ file: ErasureOutcome.ExportedFile, versions: [ErasureOutcome.ExportedFile], host: String, person: Int64)
    -> FileState
  {
    let url = URL(fileURLWithPath: file.path)
    let name = url.lastPathComponent
    if file.kind == .sheet {
      return .left(
        tr("a sign-in sheet, which names others too: print it again without this person and destroy this file and its copies"))
    }
    guard file.host == host else { return .left(tr("written on %@, not on this machine: delete it there", file.host)) }
    guard file.path.hasPrefix("/"), file.kind != .certificate || name == "\(file.serial ?? "").pdf" else {
      return .left(tr("not where this certificate's file is written: left alone"))
    }
    let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folder < 0 {
      return errno == ENOENT
        ? .gone : .left(tr("cannot be reached here (%@): delete it by hand", String(cString: strerror(errno))))
    }
    defer { close(folder) }
    guard let data = SafeFile.read(name, in: folder, limit: 256 << 20) else {
      var status = stat()
      if fstatat(folder, name, &status, Int32(AT_SYMLINK_NOFOLLOW)) != 0 && errno == ENOENT { return .gone }
      return .left(tr("is not a plain file that can be read here: check it and delete it by hand"))
    }
    let hash = data.sha256Hex
    guard versions.contains(where: { $0.sha256 == hash }) else {
      return .left(tr("changed since it was written: left alone; check it and delete it by hand"))
    }
    guard file.kind == .certificate || Self.isExport(data, of: person) else {
      return .left(tr("does not hold this person's export: left alone"))
    }
    guard unlinkat(folder, name, 0) == 0 else {
      return .left(tr("cannot be deleted here (%@): delete it by hand", String(cString: strerror(errno))))
    }
    return .deleted
  }

  /// Whether `data` is an export for the right of access of `participant`.
  static func isExport(_ data: Data, of participant: Int64) -> Bool {
    guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let record = document["participant"] as? [String: Any]
    else { return false }
    return (record["id"] as? NSNumber)?.int64Value == participant
  }
}

/// Retention periods and what applying them removes.
public struct RetentionPolicy: Codable, Sendable, Equatable {
  public var attendanceDetailYears: Int?
  public var participantYears: Int?
  public init(attendanceDetailYears: Int?, participantYears: Int?) {
    self.attendanceDetailYears = attendanceDetailYears
    self.participantYears = participantYears
  }
}

/// What one application of the retention periods removes (or would remove).
public struct RetentionPlan: Codable, Sendable {
  public struct Cohort: Codable, Sendable {
    public var code: String
    public var lastDay: CalendarDate
    public var attendanceRows: Int
  }
  public struct Person: Codable, Sendable {
    public var participantID: Int64
    public var lastActivity: CalendarDate
  }
  public var policy: RetentionPolicy
  public var cohorts: [Cohort] = []
  public var participants: [Person] = []
  /// What each erasure did (empty in a dry run): its files are for the caller to remove.
  public var erasures: [ErasureOutcome] = []
  /// Audit rows of the deleted records whose values were scrubbed down to their keys (0 in a dry run).
  public var auditRowsScrubbed = 0
}

public struct RetentionStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  public func policy() throws -> RetentionPolicy {
    guard let row = try connection.queryOne("SELECT attendance_detail_years, participant_years FROM retention_policy") else {
      return RetentionPolicy(attendanceDetailYears: nil, participantYears: nil)
    }
    return RetentionPolicy(
      attendanceDetailYears: try row.decode("attendance_detail_years"), participantYears: try row.decode("participant_years"))
  }

  public func set(_ policy: RetentionPolicy) throws {
    try connection.execute(
      """
      UPDATE retention_policy SET attendance_detail_years = \(policy.attendanceDetailYears),
             participant_years = \(policy.participantYears), updated_at = now()
      """)
  }

  func plan(_ db: Connection) throws -> RetentionPlan {
    var plan = RetentionPlan(policy: try RetentionStore(db).policy())
    if let years = plan.policy.attendanceDetailYears {
      plan.cohorts = try db.query(
        """
        SELECT c.code, max(s.day) AS last_day, (SELECT count(*)::integer FROM attendance a JOIN session x ON x.id = a.session_id
                                                 WHERE x.course_id = c.id) AS n
        FROM course c JOIN session s ON s.course_id = c.id
        WHERE c.status = 'ended'
        GROUP BY c.id, c.code
        HAVING max(s.day) < beccaria_today() - make_interval(years => \(years)::integer)
           AND (SELECT count(*) FROM attendance a JOIN session x ON x.id = a.session_id WHERE x.course_id = c.id) > 0
        ORDER BY max(s.day), c.code
        """
      ).map {
        RetentionPlan.Cohort(code: try $0.decode("code"), lastDay: try $0.date("last_day"), attendanceRows: try $0.decode("n"))
      }
    }
    if let years = plan.policy.participantYears {
      plan.participants = try db.query(
        """
        SELECT id, last_activity FROM (
          SELECT p.id, participant_last_activity(p.id) AS last_activity
          FROM participant p
          WHERE p.erased_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM certificate c WHERE c.participant_id = p.id)
            -- Someone enrolled or waiting in a cohort that has not ended keeps their record,
            -- however long ago they last took part.
            AND NOT EXISTS (SELECT 1 FROM enrolment e JOIN course c ON c.id = e.course_id
                            WHERE e.participant_id = p.id AND e.status IN ('enrolled', 'waiting')
                              AND c.status NOT IN ('ended', 'cancelled'))) candidates
        WHERE last_activity < beccaria_today() - make_interval(years => \(years)::integer)
        ORDER BY id
        """
      ).map { RetentionPlan.Person(participantID: try $0.decode("id"), lastActivity: try $0.date("last_activity")) }
    }
    return plan
  }

  /// Lists what the periods remove; with `dryRun` false removes it, all in one transaction.
  public func apply(dryRun: Bool) throws -> RetentionPlan {
    try connection.transaction { db in
      var plan = try plan(db)
      if dryRun { return plan }
      if !plan.cohorts.isEmpty {
        // The reasons are the audit log's, read by people: in the reader's language.
        // Stored in the audit log: one language (English) whoever runs it.
        let reason = Localisation.inEnglish { tr("retention: attendance detail of ended cohorts") }
        try db.execute("SELECT set_config('beccaria.reason', \(reason), true)")
        try db.execute(
          """
          DELETE FROM attendance a USING session s, course c
          WHERE s.id = a.session_id AND c.id = s.course_id AND c.code = ANY(\(PostgresArray(plan.cohorts.map(\.code))))
          """)
        // The audit log's copies of what was deleted go too, down to which session and person
        // they were about (schema 0020).
        plan.auditRowsScrubbed =
          try db.queryOne(
            """
            SELECT audit_scrub_attendance_of(ARRAY(SELECT id FROM course WHERE code = ANY(\(PostgresArray(plan.cohorts.map(\.code))))),
                                             \(reason)) AS n
            """)?.decode("n", as: Int.self) ?? 0
      }
      for person in plan.participants {
        let years = plan.policy.participantYears ?? 0
        // Stored with the erasure: one language (English) whoever runs it.
        let reason = Localisation.inEnglish {
          trn(
            "retention: no certificate, last activity %@, period %@ year",
            "retention: no certificate, last activity %@, period %@ years",
            years, person.lastActivity.description, years)
        }
        guard
          let row = try db.queryOne("SELECT participant_erase(\(person.participantID), \(reason)) AS outcome")
        else { continue }
        plan.erasures.append(try row.decodeJSON("outcome"))
      }
      return plan
    }
  }
}
