import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
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
      DispatchQueue.global().async {
        do { try body() } catch { self.error = error }
        self.done.signal()
      }
    }
    /// Whether it is still running after `seconds` (blocked on a lock).
    func stillRunning(after seconds: Double) -> Bool { done.wait(timeout: .now() + seconds) == .timedOut }
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
      try (try database.connect()).execute("UPDATE session SET day = \(future.postgres) WHERE id = \(other.rawValue)")
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
}
