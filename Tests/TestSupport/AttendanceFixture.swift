import BeccariaCore
import BeccariaStore
import Foundation
import Postgres

/// A cohort whose module 1 has four past 8-UE sessions and whose module 2 has two past and two
/// future ones, with participants enrolled for the whole programme.
public struct AttendanceFixture {
  public let database: TestDatabase
  public let connection: Connection
  public let participants: [ParticipantID]
  public let module1: [SessionID]
  public let module2: [SessionID]

  public static let course = "BQ-SN-2026-1"

  public init(participants count: Int = 3, capacity: Int = 25) throws {
    database = try TestDatabase.migrated()
    connection = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(connection)
    try Fixtures.course(connection, code: Self.course, capacity: capacity)
    participants = try Fixtures.participants(connection, count: count)
    for person in participants {
      _ = try EnrolmentStore(connection).enrol(courseCode: Self.course, participant: person, modules: nil)
    }
    let today = CalendarDate.today()
    func session(_ module: Int, _ day: CalendarDate) -> NewSession {
      NewSession(
        courseCode: Self.course, module: module, day: day, start: 540, end: 945, ue: 8, location: "Raum 1", trainerEmails: [])
    }
    let store = SessionStore(connection)
    module1 = try store.add((0..<4).map { session(1, today.adding(days: -120 + $0)) })
    module2 = try store.add([
      session(2, today.adding(days: -60)), session(2, today.adding(days: -59)),
      session(2, today.adding(days: 30)), session(2, today.adding(days: 31)),
    ])
  }

  /// Records one attendance through the store.
  public func record(
    _ session: SessionID, _ person: ParticipantID, _ status: AttendanceStatus, ue: Decimal? = nil, reason: String? = nil
  ) throws {
    _ = try AttendanceStore(connection).record(
      session: session, participant: person, status: status, ue: ue, reason: reason, note: nil)
  }
}
