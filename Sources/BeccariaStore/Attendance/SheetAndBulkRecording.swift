import BeccariaCore
import Foundation
import Postgres

/// What `attendance record --all-present` did.
public struct AllPresentOutcome: Sendable, Equatable {
  /// Recorded present with the session's full UE: participant and name ("Given Family").
  public var recorded: [(ParticipantID, String)]
  /// Named with --except and not recorded before: recorded absent (0 UE).
  public var excepted: [(ParticipantID, String)]
  /// On the roster and recorded before: left as they were.
  public var recordedBefore: Int
  public var ue: Int

  public static func == (a: Self, b: Self) -> Bool {
    a.recorded.map(\.0) == b.recorded.map(\.0) && a.excepted.map(\.0) == b.excepted.map(\.0)
      && a.recordedBefore == b.recordedBefore && a.ue == b.ue
  }
}

extension AttendanceStore {
  /// The error for a session the connected login cannot see: to a trainer whose number is another
  /// trainer's session, "not one of your sessions"; otherwise "does not exist".
  func missingSession(_ session: SessionID) throws -> StoreError {
    let trainer =
      try connection.isTrainerLogin()
    if trainer,
      try connection.queryOne("SELECT beccaria_session_exists(\(session)) AS e")?.decode("e", as: Bool.self) == true
    {
      return .invalid(tr("session %@ is not one of your sessions (beccaria session list --mine lists them)", session))
    }
    return .notFound(tr("session %@", session))
  }

  /// Refuses a trainer's login at a session it does not teach: trainers read the schedule of the
  /// whole cohort (schema 0025) but record only their own sessions.
  public func requireTeaching(_ session: SessionID) throws {
    guard try connection.isTrainerLogin() else { return }
    if try connection.queryOne("SELECT beccaria_teaches_session(\(session)) AS mine")?.decode("mine", as: Bool.self) != true {
      throw StoreError.invalid(
        tr(
          "session %@ is not one of your sessions: you record attendance at the sessions you teach (beccaria session list --mine lists them)",
          session))
    }
  }

  /// Whom row `row` of the latest sign-in sheet printed for `session` names. Throws when no sheet
  /// was printed or it has no such row.
  public func participant(onSheetOf session: SessionID, row: Int) throws -> ParticipantID {
    _ = try header(session)
    guard
      let sheet = try connection.queryOne(
        "SELECT participant_id, rows, printed_at FROM attendance_sheet_row(\(session), \(row)::integer)")
    else {
      throw StoreError.invalid(
        tr(
          "no sign-in sheet of session %@ was printed (beccaria attendance sheet --session %@); give --participant with the number on the list instead",
          session, session))
    }
    guard let participant = try sheet.decode("participant_id", as: Int64?.self) else {
      let rows: Int = try sheet.decode("rows")
      throw StoreError.invalid(
        tr("the sign-in sheet of session %@ has %@; there is no row %@", session, Plural.count(rows, "row"), row))
    }
    return ParticipantID(participant)
  }

  /// "Given Family" of a participant the login may read.
  public func name(of participant: ParticipantID) throws -> String {
    guard
      let row = try connection.queryOne(
        "SELECT given_names || ' ' || family_name AS name FROM participant WHERE id = \(participant)")
    else { throw StoreError.notFound(tr("participant %@", participant)) }
    return try row.decode("name")
  }

  /// Records everyone on the session's roster who is not recorded yet as present with the
  /// session's full UE, and `except` (each must be on the roster) as absent, in one transaction.
  public func recordAllPresent(_ session: SessionID, except: [ParticipantID], note: String?) throws -> AllPresentOutcome {
    try connection.transaction(attempts: 3) { db in
      let store = AttendanceStore(db)
      let header = try store.header(session)
      try store.requireTeaching(session)
      let today =
        try db.queryOne("SELECT beccaria_today() AS today")?.date("today") ?? header.day
      if header.day > today {
        throw StoreError.invalid(
          tr("session %@ on %@ has not taken place yet; attendance can be recorded from that day on", session, header.day.german))
      }
      let roster = try store.roster(session)
      let listed = Set(roster.map(\.participantID))
      if let stranger = except.first(where: { !listed.contains($0) }) {
        throw StoreError.invalid(tr("participant %@ (--except) is not on the roster of session %@", stranger, session))
      }
      let left = Set(except)
      let due = roster.filter { $0.status == nil && !left.contains($0.participantID) }
      let absent = roster.filter { $0.status == nil && left.contains($0.participantID) }
      for (people, status, ue) in [(due, "present", header.ue), (absent, "absent", 0)] where !people.isEmpty {
        try db.execute(
          """
          INSERT INTO attendance (session_id, participant_id, status, ue_attended, note)
          SELECT \(session), person, \(status), \(ue), \(note) FROM unnest(\(PostgresArray(people.map(\.participantID.rawValue)))) person
          ON CONFLICT (session_id, participant_id) DO NOTHING
          """)
      }
      let name = { (entry: RosterEntry) in (entry.participantID, "\(entry.givenNames) \(entry.familyName)") }
      return AllPresentOutcome(
        recorded: due.map(name), excepted: absent.map(name), recordedBefore: roster.filter { $0.status != nil }.count,
        ue: header.ue)
    }
  }
}
