import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// Rules that read another table, raced with two connections in READ COMMITTED: one holds a
/// change open while the other writes what the rule joins them by; after the first commits, the
/// second is refused (schema 0019 locks what the attendance rule reads).
@Suite struct RacingRulesTests {
  /// Runs `body` on another thread and returns a handle to wait for its error, if any.
  final class Racer: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var error: (any Error)?
    init(_ body: @escaping @Sendable () throws -> Void) {
      // A thread of its own: the global queue's few threads may all be blocked by other tests.
      Thread.detachNewThread {
        do { try body() } catch { self.error = error }
        self.done.signal()
      }
    }
    /// Whether it is still running after `seconds` (blocked on a lock).
    func stillRunning(after seconds: Double) -> Bool {
      if done.wait(timeout: .now() + seconds) == .timedOut { return true }
      done.signal()  // give back what the wait took, for `finish`
      return false
    }
    func finish() -> (any Error)? {
      done.wait()
      return error
    }
  }

  static func constraint(_ error: (any Error)?) -> String? {
    if let error = error as? PostgresError { return error.constraint }
    if let error = error as? StoreError { return "\(error)" }
    return error.map { "\($0)" }
  }

  @Test func aSessionMovedIntoTheFutureWhileItIsRecordedIsRefusedWhicheverCommitsFirst() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let database = fixture.database.database()
    let session = fixture.module1[0]
    let future = CalendarDate.today().adding(days: 12)
    // The office moves the session and holds its transaction open; a trainer records meanwhile.
    let office = try database.connect()
    try office.execute("BEGIN")
    try office.execute("UPDATE session SET day = \(future.postgres) WHERE id = \(session.rawValue)")
    let person = fixture.participants[0]
    let sessionID = session.rawValue
    let trainer = Racer {
      try (try database.connect()).execute(
        "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(sessionID), \(person.rawValue), 'present', 8)"
      )
    }
    #expect(trainer.stillRunning(after: 1))
    try office.execute("COMMIT")
    let recorded = trainer.finish()
    #expect(Self.constraint(recorded) == "attendance_not_in_future", "\(String(describing: recorded))")
    // The other order: the record is held open, the move waits and is refused.
    try office.execute("UPDATE session SET day = day WHERE id = \(session.rawValue)")
    let other = fixture.module1[1]
    let recorder = try database.connect()
    try recorder.execute("BEGIN")
    try recorder.execute(
      "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(other.rawValue), \(person.rawValue), 'present', 8)"
    )
    let move = Racer {
      try (try database.connect()).execute(
        "UPDATE session SET day = \(future.adding(days: 1).postgres) WHERE id = \(other.rawValue)")
    }
    #expect(move.stillRunning(after: 1))
    try recorder.execute("COMMIT")
    #expect(Self.constraint(move.finish()) == "session_keeps_attendance")
    #expect(
      try office.queryOne(
        "SELECT count(*)::integer AS n FROM attendance a JOIN session s ON s.id = a.session_id WHERE s.day > current_date")?
        .decode("n", as: Int.self) == 0)
  }

  @Test func aSessionsUEOrAnEnrolmentsEndRacedWithARecordIsRefused() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let database = fixture.database.database()
    let (session, person) = (fixture.module1[2], fixture.participants[1])
    // The session's UE lowered to 2 while 8 UE are recorded.
    let office = try database.connect()
    try office.execute("BEGIN")
    try office.execute("UPDATE session SET ue = 2 WHERE id = \(session.rawValue)")
    let sessionID = session.rawValue
    let trainer = Racer {
      try (try database.connect()).execute(
        "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(sessionID), \(person.rawValue), 'present', 8)"
      )
    }
    #expect(trainer.stillRunning(after: 1))
    try office.execute("COMMIT")
    let error = trainer.finish()
    #expect(Self.constraint(error) == "attendance_ue_within_session", "\(String(describing: error))")
    // A single-module booking taken back while someone records the person at that module.
    let single = try Fixtures.participants(office, count: 1, prefix: "Einzel")[0]
    _ = try EnrolmentStore(office).enrol(courseCode: AttendanceFixture.course, participant: single, modules: [1, 2])
    try office.execute("BEGIN")
    try office.execute(
      """
      DELETE FROM enrolment_module WHERE module_number = 1
        AND enrolment_id = (SELECT id FROM enrolment WHERE participant_id = \(single.rawValue))
      """)
    let moduleOneSession = fixture.module1[3].rawValue
    let late = Racer {
      try (try database.connect()).execute(
        "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(moduleOneSession), \(single.rawValue), 'present', 8)"
      )
    }
    #expect(late.stillRunning(after: 1))
    try office.execute("COMMIT")
    #expect(Self.constraint(late.finish()) == "attendance_participant_enrolled")
    #expect(
      try office.queryOne(
        "SELECT count(*)::integer AS n FROM attendance WHERE participant_id = \(person.rawValue) AND ue_attended > 2 AND session_id = \(session.rawValue)"
      )?.decode("n", as: Int.self) == 0)
  }

  @Test func anErasureAndAnEnrolmentOfThePersonQueueWhicheverComesFirst() throws {
    let fixture = try AttendanceFixture(participants: 0)
    defer { fixture.database.drop() }
    let database = fixture.database.database()
    let people = try Fixtures.participants(fixture.connection, count: 2, prefix: "Weg")
    // The erasure first, held open: the enrolment waits and is refused.
    let office = try database.connect()
    try office.execute("BEGIN")
    try office.execute("SELECT participant_erase(\(people[0].rawValue), 'Antrag')")
    let first = people[0]
    let enrol = Racer {
      _ = try EnrolmentStore(try database.connect()).enrol(courseCode: AttendanceFixture.course, participant: first, modules: nil)
    }
    #expect(enrol.stillRunning(after: 1))
    try office.execute("COMMIT")
    #expect(Self.constraint(enrol.finish())?.contains("was erased") == true)
    // The enrolment first, held open: the erasure waits and ends it.
    try office.execute("BEGIN")
    try office.execute(
      """
      INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status)
      SELECT id, programme_version_id, \(people[1].rawValue), 'programme', 'enrolled' FROM course WHERE code = \(AttendanceFixture.course)
      """)
    let second = people[1]
    let erase = Racer { _ = try DataProtection(try database.connect()).erase(second, reason: "Antrag") }
    #expect(erase.stillRunning(after: 1))
    try office.execute("COMMIT")
    #expect(erase.finish() == nil)
    #expect(
      try office.queryOne(
        "SELECT count(*)::integer AS n FROM enrolment e JOIN participant p ON p.id = e.participant_id WHERE p.erased_at IS NOT NULL AND e.status IN ('enrolled', 'waiting')"
      )?.decode("n", as: Int.self) == 0)
  }

  @Test func aSessionPlannedWhileTheCohortsDatesChangeStaysWithinThem() throws {
    let fixture = try AttendanceFixture(participants: 0)
    defer { fixture.database.drop() }
    let database = fixture.database.database()
    let day = CalendarDate.today().adding(days: 20)
    let office = try database.connect()
    let ends = CalendarDate.today().adding(days: 10)
    // The session's transaction stays open while the cohort's end moves before its day.
    let update = try office.transaction { office in
      _ = try SessionStore(office).add([
        NewSession(
          courseCode: AttendanceFixture.course, module: 3, day: day, start: 540, end: 945, ue: 8, location: nil, trainerEmails: []
        )
      ])
      let update = Racer {
        _ = try CourseStore(try database.connect()).update(code: AttendanceFixture.course, CourseChange(endsOn: ends))
      }
      #expect(update.stillRunning(after: 1))
      return update
    }
    #expect(Self.constraint(update.finish()) == "session_within_course")
  }

  @Test func aCorrectionRacingTheRunThatIssuesOnTheOldFiguresIsReviewed() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let database = try cohort.database.database()
    let person = cohort.people[0].rawValue
    // The "run": claims the holder's due marker and stores a certificate, not yet committed.
    let run = try database.connect()
    try run.execute("BEGIN")
    _ = try run.query("SELECT 1 FROM certificate_due WHERE participant_id = \(person) FOR UPDATE")
    let number: Int = try run.queryOne("SELECT certificate_take_serials(1) AS n")?.decode("n") ?? 0
    let serial = SerialNumber.make(year: CalendarDate.today().year, number: number)
    try run.execute(
      """
      INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, completed_on, pdf,
                               pdf_sha256, snapshot, key_id, signature)
      VALUES (\(serial), 'zertifikat', \(person), 1, 1, beccaria_today(),
              convert_to('%PDF- /Keywords (' || \(serial) || ' https://example.org/p?c=BQ1.e30.' || repeat('A', 86) || ')', 'UTF8'),
              encode(sha256(\(serial)::bytea), 'hex'),
              jsonb_build_object('serial', \(serial), 'keyID', \(cohort.signer.keyID),
                                 'qrPayload', 'https://example.org/p?c=BQ1.e30.' || repeat('A', 86)),
              \(cohort.signer.keyID), repeat('A', 86))
      """)
    // Meanwhile the office corrects the attendance the certificate rests on.
    let session = try #require(
      try cohort.connection.queryOne("SELECT id FROM session WHERE module_number = 1")?.decode("id", as: Int64.self))
    let correction = Racer {
      _ = try AttendanceStore(try database.connect()).record(
        session: SessionID(session), participant: ParticipantID(person), status: .absent, ue: nil, reason: "verwechselt",
        note: nil)
    }
    #expect(correction.stillRunning(after: 1))
    try run.execute("COMMIT")
    #expect(correction.finish() == nil)
    #expect(try CertificateReview(cohort.connection).list().map(\.serial) == [serial])
  }

  @Test func anEnrolmentCaughtInADeadlockIsRetriedAndSucceeds() throws {
    let fixture = try AttendanceFixture(participants: 0)
    defer { fixture.database.drop() }
    let database = fixture.database.database()
    let person = try Fixtures.participants(fixture.connection, count: 1, prefix: "Verklemmt")[0]
    // A second writer that takes the locks in the other order: the cohort, then the person.
    let other = try database.connect()
    try other.execute("BEGIN")
    try other.execute("SELECT 1 FROM course WHERE code = \(AttendanceFixture.course) FOR UPDATE")
    let enrol = Racer {
      _ = try EnrolmentStore(try database.connect()).enrol(
        courseCode: AttendanceFixture.course, participant: person, modules: nil)
    }
    #expect(enrol.stillRunning(after: 0.5))
    // Now a deadlock: PostgreSQL ends one side with SQLSTATE 40P01 — the enrolment, which waited
    // first — and the enrolment runs again once the other writer is done.
    try other.execute("SELECT 1 FROM participant WHERE id = \(person.rawValue) FOR UPDATE")
    try other.execute("COMMIT")
    #expect(enrol.finish() == nil)
    #expect(
      try other.queryOne(
        "SELECT count(*)::integer AS n FROM enrolment WHERE participant_id = \(person.rawValue) AND status = 'enrolled'")?
        .decode("n", as: Int.self) == 1)
  }

  @Test func aTrainerAssignedWhileTheSessionIsReTimedIsNeverDoubleBooked() throws {
    let fixture = try AttendanceFixture(participants: 0)
    defer { fixture.database.drop() }
    let database = fixture.database.database()
    let db = fixture.connection
    try db.execute("INSERT INTO trainer (name, email) VALUES ('Dr. Anna Schulz', 'anna@example.org')")
    try Fixtures.course(db, code: "BQ-SN-2026-2")
    let day = CalendarDate.today().adding(days: 50)
    // Anna teaches the other cohort 13:00–15:00; the first cohort's session is 09:00–15:45.
    let other = try SessionStore(db).add([
      NewSession(
        courseCode: "BQ-SN-2026-2", module: 1, day: day, start: 780, end: 900, ue: 2, location: nil,
        trainerEmails: ["anna@example.org"])
    ])[0]
    _ = other
    let session = try SessionStore(db).add([
      NewSession(
        courseCode: AttendanceFixture.course, module: 3, day: day, start: 480, end: 720, ue: 5, location: nil, trainerEmails: [])
    ])[0]
    // The office re-times the session into Anna's afternoon and holds its transaction open while
    // Anna is assigned to it on its old (free) times: the assignment waits, then is refused.
    let office = try database.connect()
    let assign = try office.transaction { office in
      try office.execute("UPDATE session SET starts_at = '12:00', ends_at = '16:00' WHERE id = \(session.rawValue)")
      let assign = Racer {
        try (try database.connect()).execute(
          "INSERT INTO session_trainer (session_id, trainer_id) SELECT \(session.rawValue), id FROM trainer WHERE email = 'anna@example.org'"
        )
      }
      #expect(assign.stillRunning(after: 1))
      return assign
    }
    let refused = Self.constraint(assign.finish())
    #expect(refused == "session_trainer_no_overlap" || refused == "session_trainer_follows_session", "\(refused ?? "accepted")")
    // The other order: Anna is assigned first and held open; the re-timing waits and is refused.
    try db.execute("UPDATE session SET starts_at = '08:00', ends_at = '12:00' WHERE id = \(session.rawValue)")
    let retime = try office.transaction { office in
      try office.execute(
        "INSERT INTO session_trainer (session_id, trainer_id) SELECT \(session.rawValue), id FROM trainer WHERE email = 'anna@example.org'"
      )
      let retime = Racer {
        try (try database.connect()).execute(
          "UPDATE session SET starts_at = '12:00', ends_at = '16:00' WHERE id = \(session.rawValue)")
      }
      #expect(retime.stillRunning(after: 1))
      return retime
    }
    #expect(Self.constraint(retime.finish()) == "session_trainer_no_overlap")
    let overlaps = try db.queryOne(
      """
      SELECT count(*)::integer AS n FROM session_trainer a JOIN session s ON s.id = a.session_id
      JOIN session_trainer b ON b.trainer_id = a.trainer_id AND b.session_id <> a.session_id JOIN session t ON t.id = b.session_id
      WHERE s.during && t.during
      """)
    #expect(try overlaps?.decode("n", as: Int.self) == 0)
  }
}
