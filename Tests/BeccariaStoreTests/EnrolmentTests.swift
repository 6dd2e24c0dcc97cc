import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct EnrolmentTests {
  @Test func fortySimultaneousEnrolmentsFillTwentyFivePlacesAndQueueFifteenInArrivalOrder() async throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let setup = try database.connect()
    try Fixtures.programmeAndMunicipalities(setup)
    try Fixtures.course(setup, code: "BQ-SN-2027-1", capacity: 25)
    let people = try Fixtures.participants(setup, count: 40)

    // Every writer has its own connection, opened before any of them starts.
    let connections = try people.map { _ in try database.database().connect() }
    let start = DispatchSemaphore(value: 0)
    let outcomes = try await withThrowingTaskGroup(of: EnrolmentOutcome.self) { group in
      for (person, connection) in zip(people, connections) {
        nonisolated(unsafe) let connection = connection
        group.addTask {
          start.wait()
          return try EnrolmentStore(connection).enrol(courseCode: "BQ-SN-2027-1", participant: person, modules: nil)
        }
      }
      for _ in people { start.signal() }
      return try await group.reduce(into: [EnrolmentOutcome]()) { $0.append($1) }
    }
    let enrolled = outcomes.filter { if case .enrolled = $0 { true } else { false } }
    let positions = outcomes.compactMap { if case .waiting(_, let position) = $0 { position } else { nil } }
    #expect(enrolled.count == 25)
    #expect(positions.sorted() == Array(1...15))

    let list = try EnrolmentStore(setup).list(courseCode: "BQ-SN-2027-1")
    let waiting = list.filter { $0.status == .waiting }
    #expect(list.filter { $0.status == .enrolled }.count == 25)
    #expect(waiting.map(\.waitingPosition) == Array(1...15).map { Optional($0) })
    // The queue follows the order in which the requests got through: FIFO.
    #expect(waiting.map(\.requestedAt) == waiting.map(\.requestedAt).sorted())
    #expect(try CourseStore(setup).find(code: "BQ-SN-2027-1").enrolled == 25)

    // A withdrawal promotes exactly one: the first in the queue.
    let leaver = try #require(list.first { $0.status == .enrolled })
    let outcome = try EnrolmentStore(setup).withdraw(
      courseCode: "BQ-SN-2027-1", participant: leaver.participantID, reason: "Krankheit")
    #expect(outcome.promoted?.id == waiting[0].participantID)
    let after = try EnrolmentStore(setup).list(courseCode: "BQ-SN-2027-1")
    #expect(after.filter { $0.status == .enrolled }.count == 25)
    #expect(after.filter { $0.status == .waiting }.map(\.participantID) == waiting.dropFirst().map(\.participantID))
    #expect(after.filter { $0.status == .waiting }.map(\.waitingPosition) == Array(1...14).map { Optional($0) })
  }

  @Test func withdrawingFromTheWaitingListPromotesNobody() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    try Fixtures.course(db, code: "BQ-SN-2027-1", capacity: 1)
    let people = try Fixtures.participants(db, count: 3)
    let store = EnrolmentStore(db)
    for person in people { _ = try store.enrol(courseCode: "BQ-SN-2027-1", participant: person, modules: nil) }
    let outcome = try store.withdraw(courseCode: "BQ-SN-2027-1", participant: people[1], reason: "kein Interesse")
    #expect(outcome.previousStatus == .waiting)
    #expect(outcome.promoted == nil)
    #expect(try store.list(courseCode: "BQ-SN-2027-1").first { $0.participantID == people[2] }?.waitingPosition == 1)
    #expect(throws: StoreError.self) { try store.enrol(courseCode: "BQ-SN-2027-1", participant: people[0], modules: nil) }
    #expect(throws: StoreError.self) { try store.withdraw(courseCode: "BQ-SN-2027-1", participant: people[1], reason: "x") }
    #expect(throws: StoreError.self) { try store.enrol(courseCode: "BQ-SN-2027-1", participant: people[1], modules: [9]) }
    // Audit trail: who withdrew, with the reason.
    let audit = try #require(
      try db.queryOne(
        "SELECT actor, reason FROM audit_log WHERE table_name = 'enrolment' AND new_values->>'status' = 'withdrawn'"))
    #expect(try audit.decode("actor", as: String.self) == "test")
    #expect(try audit.decode("reason", as: String.self) == "kein Interesse")
  }

  @Test func transferKeepsCompletedModulesCredited() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    try Fixtures.course(db, code: "BQ-SN-2026-1", starts: "2026-01-10")
    try Fixtures.course(db, code: "BQ-SN-2027-1", starts: "2027-01-09")
    let person = try #require(try Fixtures.participants(db, count: 1).first)
    let sessions = SessionStore(db)
    // Module 1 in the old cohort: two sessions of 8 UE, both attended; module 2 one session, missed.
    let ids = try sessions.add([
      NewSession(
        courseCode: "BQ-SN-2026-1", module: 1, day: CalendarDate(iso: "2026-01-10")!, start: 540, end: 945, ue: 8, location: nil,
        trainerEmails: []),
      NewSession(
        courseCode: "BQ-SN-2026-1", module: 1, day: CalendarDate(iso: "2026-01-11")!, start: 540, end: 945, ue: 8, location: nil,
        trainerEmails: []),
      NewSession(
        courseCode: "BQ-SN-2026-1", module: 2, day: CalendarDate(iso: "2026-03-07")!, start: 540, end: 945, ue: 8, location: nil,
        trainerEmails: []),
    ])
    let store = EnrolmentStore(db)
    _ = try store.enrol(courseCode: "BQ-SN-2026-1", participant: person, modules: nil)
    try db.execute(
      """
      INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES
        (\(ids[0].rawValue), \(person.rawValue), 'present', 8), (\(ids[1].rawValue), \(person.rawValue), 'present', 8),
        (\(ids[2].rawValue), \(person.rawValue), 'absent', 0)
      """)
    let result = try store.transfer(participant: person, from: "BQ-SN-2026-1", to: "BQ-SN-2027-1", reason: "Elternzeit")
    #expect(result.credited == [1])
    #expect(result.booked == [2, 3, 4])
    #expect(result.outcome == .enrolled(try #require(try store.list(participant: person).first?.id)))
    let enrolments = try store.list(participant: person)
    #expect(enrolments.map(\.status) == [.enrolled, .transferred])
    #expect(enrolments[0].modules == [2, 3, 4])
    #expect(enrolments[0].scope == .modules)
    #expect(try CourseStore(db).find(code: "BQ-SN-2026-1").enrolled == 0)
    // The credit is still there to be counted: the attendance stays with the old cohort.
    #expect(
      try ParticipantStore(db).progress(person).first { $0.course == "BQ-SN-2026-1" && $0.module == 1 }?.thresholdMet == true)
  }
}
