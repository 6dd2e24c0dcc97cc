import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct AttendanceTests {
  @Test func recordingRulesForEachStatus() throws {
    let fixture = try AttendanceFixture(participants: 4)
    defer { fixture.database.drop() }
    let store = AttendanceStore(fixture.connection)
    let session = fixture.module1[0]
    let p = fixture.participants
    #expect(
      try store.record(session: session, participant: p[0], status: .present, ue: nil, reason: nil, note: nil) == .recorded(ue: 8)
    )
    try fixture.record(session, p[1], .late, ue: Decimal(string: "5.5"))
    try fixture.record(session, p[2], .excused)
    try fixture.record(session, p[3], .absent)
    let roster = try store.roster(session)
    #expect(roster.map(\.status) == [.present, .late, .excused, .absent])
    #expect(roster.map(\.ueAttended) == [8, Decimal(string: "5.5"), 0, 0])
    #expect(throws: StoreError.self) { try fixture.record(session, p[1], .late) }  // late without UE
    #expect(throws: StoreError.self) { try fixture.record(session, p[1], .present, ue: 9) }
    #expect(throws: StoreError.self) { try fixture.record(session, p[3], .absent, ue: 2) }
  }

  @Test func correctionsKeepHistoryAndNeedAReasonAfterTheDay() throws {
    let fixture = try AttendanceFixture()
    defer { fixture.database.drop() }
    let store = AttendanceStore(fixture.connection)
    let session = fixture.module1[0]
    let person = fixture.participants[0]
    try fixture.record(session, person, .present)
    #expect(
      try store.record(session: session, participant: person, status: .present, ue: nil, reason: nil, note: nil) == .unchanged)
    let refused = #expect(throws: StoreError.self) { try fixture.record(session, person, .late, ue: 6) }
    #expect(refused?.description.contains("needs --reason") == true)
    let outcome = try store.record(
      session: session, participant: person, status: .late, ue: 6, reason: "Liste verwechselt", note: nil)
    #expect(outcome == .corrected(previousStatus: .present, previousUE: 8, ue: 6))
    let history = try fixture.connection.query(
      """
      SELECT action, actor, reason, old_values->>'status' AS old_status, new_values->>'status' AS new_status
      FROM audit_log WHERE table_name = 'attendance' ORDER BY id
      """)
    #expect(history.count == 2)
    #expect(try history[1].decode("old_status", as: String.self) == "present")
    #expect(try history[1].decode("new_status", as: String.self) == "late")
    #expect(try history[1].decode("actor", as: String.self) == "test")
    #expect(try history[1].decode("reason", as: String.self) == "Liste verwechselt")
  }

  @Test func futureSessionsAndStrangersAreRefused() throws {
    let fixture = try AttendanceFixture()
    defer { fixture.database.drop() }
    let future = #expect(throws: StoreError.self) { try fixture.record(fixture.module2[2], fixture.participants[0], .present) }
    #expect(future?.description.contains("has not taken place yet") == true)
    let stranger = try #require(try Fixtures.participants(fixture.connection, count: 1, prefix: "Fremd").first)
    let refused = #expect(throws: StoreError.self) { try fixture.record(fixture.module1[0], stranger, .present) }
    #expect(refused?.description.contains("is not enrolled for module 1") == true)
    // And the database itself refuses both, whoever writes.
    #expect(throws: PostgresError.self) {
      try fixture.connection.execute(
        "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(fixture.module2[2].rawValue), \(fixture.participants[0].rawValue), 'present', 8)"
      )
    }
    #expect(throws: PostgresError.self) {
      try fixture.connection.execute(
        "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(fixture.module1[0].rawValue), \(stranger.rawValue), 'present', 8)"
      )
    }
    let above = #expect(throws: PostgresError.self) {
      try fixture.connection.execute(
        "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(fixture.module1[0].rawValue), \(fixture.participants[0].rawValue), 'present', 8.5)"
      )
    }
    #expect(above?.constraint == "attendance_ue_within_session")
  }

  @Test func makeUpBookingsMayBeRecordedInTheOtherCohort() throws {
    let fixture = try AttendanceFixture()
    defer { fixture.database.drop() }
    try Fixtures.course(fixture.connection, code: "BQ-SN-2027-1")
    let later = try SessionStore(fixture.connection).add([
      NewSession(
        courseCode: "BQ-SN-2027-1", module: 2, day: CalendarDate.today().adding(days: -1), start: 540, end: 945, ue: 8,
        location: nil, trainerEmails: []),
      NewSession(
        courseCode: "BQ-SN-2027-1", module: 1, day: CalendarDate.today().adding(days: -1), start: 1000, end: 1400, ue: 4,
        location: nil, trainerEmails: []),
    ])
    let person = fixture.participants[0]
    _ = try EnrolmentStore(fixture.connection).enrol(courseCode: "BQ-SN-2027-1", participant: person, modules: [2])
    let roster = try AttendanceStore(fixture.connection).roster(later[0])
    #expect(roster.map(\.participantID) == [person])
    #expect(roster.first?.makeUp == true)
    try fixture.record(later[0], person, .present)
    // Booked for module 2 only: module 1 of that cohort is not theirs.
    #expect(throws: StoreError.self) { try fixture.record(later[1], person, .present) }
  }
}
