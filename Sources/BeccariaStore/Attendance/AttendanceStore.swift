import BeccariaCore
import Foundation
import Postgres

/// Attendance: recording, rosters, bulk import.
public struct AttendanceStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// The session's header; throws when it does not exist.
  public func header(_ session: SessionID) throws -> SessionHeader {
    guard
      let row = try connection.queryOne(
        """
        SELECT s.id, v.title AS programme_title, coalesce(v.definition->'issuer'->>'name', v.title) AS issuer, c.code, c.title AS course_title, s.module_number, m.title AS module_title,
               s.day, to_char(s.starts_at, 'HH24:MI') AS starts, to_char(s.ends_at, 'HH24:MI') AS ends, s.ue,
               coalesce(s.location, c.venue) AS location,
               coalesce((SELECT array_to_json(array_agg(t.name ORDER BY t.name COLLATE german))::jsonb FROM session_trainer st
                          JOIN trainer t ON t.id = st.trainer_id WHERE st.session_id = s.id), '[]'::jsonb) AS trainers
        FROM session s JOIN course c ON c.id = s.course_id
        JOIN programme_version v ON v.id = c.programme_version_id
        JOIN programme_module m ON m.programme_version_id = s.programme_version_id AND m.number = s.module_number
        WHERE s.id = \(session)
        """)
    else { throw try missingSession(session) }
    return SessionHeader(
      id: session, programmeTitle: try row.decode("programme_title"), issuer: try row.decode("issuer"),
      course: try row.decode("code"),
      courseTitle: try row.decode("course_title"), module: try row.decode("module_number"),
      moduleTitle: try row.decode("module_title"), day: try row.date("day"), startsAt: try row.decode("starts"),
      endsAt: try row.decode("ends"), ue: try row.decode("ue"), location: try row.decode("location"),
      trainers: try row.decodeJSON("trainers"))
  }

  /// Enrolment `e` puts its participant on the roster of session `s`: in the session's cohort, for
  /// its module (whole programme or the module booked, make-up included), and still enrolled or left
  /// after the session's day.
  static let onRoster: SQL = """
    e.course_id = s.course_id AND e.enrolled_at IS NOT NULL
    AND (e.status = 'enrolled' OR enrolment_covers_day(e.ended_at, s.day))
    AND (e.scope = 'programme' OR EXISTS (SELECT 1 FROM enrolment_module em
                                           WHERE em.enrolment_id = e.id AND em.module_number = s.module_number))
    """

  /// Everyone to be recorded at the session, by family name, with what is recorded so far.
  public func roster(_ session: SessionID) throws -> [RosterEntry] {
    try connection.query(
      """
      SELECT p.id, p.family_name, p.given_names, p.organisation, m.name AS municipality, e.scope = 'modules' AS single_modules,
             e.scope = 'modules' AND EXISTS (
               SELECT 1 FROM enrolment home JOIN course hc ON hc.id = home.course_id
               JOIN programme_version hv ON hv.id = hc.programme_version_id JOIN programme_version sv ON sv.id = s.programme_version_id
               WHERE home.participant_id = p.id AND home.course_id <> s.course_id AND home.scope = 'programme'
                 AND home.enrolled_at IS NOT NULL AND hv.programme_id = sv.programme_id) AS make_up,
             a.status, a.ue_attended
      FROM session s
      JOIN enrolment e ON \(Self.onRoster)
      JOIN participant p ON p.id = e.participant_id
      LEFT JOIN municipality m ON m.ags = p.municipality_ags
      LEFT JOIN attendance a ON a.session_id = s.id AND a.participant_id = p.id
      WHERE s.id = \(session)
      ORDER BY p.family_name COLLATE german, p.given_names COLLATE german, p.id
      """
    ).map { row in
      RosterEntry(
        participantID: ParticipantID(try row.decode("id")), familyName: try row.decode("family_name"),
        givenNames: try row.decode("given_names"), organisation: try row.decode("organisation"),
        municipality: try row.decode("municipality"), makeUp: try row.decode("make_up"),
        singleModules: try row.decode("single_modules"),
        status: try row.decode("status", as: String?.self).flatMap(AttendanceStatus.init(rawValue:)),
        ueAttended: try row.decode("ue_attended"))
    }
  }

  /// Records (or corrects) one participant's attendance at one session.
  public func record(
    session: SessionID, participant: ParticipantID, status: AttendanceStatus, ue: Decimal?, reason: String?, note: String?
  ) throws -> RecordOutcome {
    try connection.transaction(attempts: 3) { db in
      // What the rules need, in one round trip: the session, today's German date, and whether the
      // participant is on its roster.
      guard
        let facts = try db.queryOne(
          """
          SELECT s.day, s.ue, s.module_number AS module, c.code AS course, beccaria_today() AS today,
                 EXISTS (SELECT 1 FROM enrolment e WHERE \(Self.onRoster) AND e.participant_id = \(participant)) AS listed
          FROM session s JOIN course c ON c.id = s.course_id
          WHERE s.id = \(session)
          """)
      else {
        // A trainer sees only the sessions they teach (row-level security): say so.
        throw try AttendanceStore(db).missingSession(session)
      }
      try AttendanceStore(db).requireTeaching(session)
      let day = try facts.date("day")
      let today = try facts.date("today")
      let module: Int = try facts.decode("module")
      let course: String = try facts.decode("course")
      if day > today {
        throw StoreError.invalid(
          tr("session %@ on %@ has not taken place yet; attendance can be recorded from that day on", session, day))
      }
      let ueAttended: Decimal
      switch AttendanceRule.ueAttended(status: status, ue: ue, sessionUE: try facts.decode("ue")) {
      case .success(let value): ueAttended = value
      case .failure(let problem): throw StoreError.invalid("--ue: \(problem)")
      }
      guard try facts.decode("listed", as: Bool.self) else {
        // Only columns every login that records may read (a trainer reads no e-mail or birth date).
        guard try db.queryOne("SELECT 1 AS ok FROM participant WHERE id = \(participant)") != nil else {
          throw StoreError.notFound(tr("participant %@ (on the roster of session %@)", participant, session))
        }
        throw StoreError.invalid(
          tr(
            "participant %@ is not enrolled for module %@ in %@; enrol them (for make-up: --module %@) first", participant,
            module, course, module)
        )
      }
      let existing = try db.queryOne(
        "SELECT status, ue_attended, note FROM attendance WHERE session_id = \(session) AND participant_id = \(participant) FOR UPDATE"
      )
      var outcome = RecordOutcome.recorded(ue: ueAttended)
      if let existing {
        let oldStatus = AttendanceStatus(rawValue: try existing.decode("status")) ?? .absent
        let oldUE: Decimal = try existing.decode("ue_attended")
        if oldStatus == status && oldUE == ueAttended {
          // The same record with a new note: the note is kept, which is no correction.
          guard let note, note != (try existing.decode("note", as: String?.self)) else { return .unchanged }
          try db.execute(
            "UPDATE attendance SET note = \(note) WHERE session_id = \(session) AND participant_id = \(participant)"
          )
          return .noteChanged
        }
        if day < today && (reason?.trimmingCharacters(in: .whitespaces).isEmpty ?? true) {
          throw StoreError.invalid(
            tr(
              "participant %@ is already recorded as %@ (%@ UE) for session %@ on %@; a correction after the session's day needs --reason",
              participant, Term.word(oldStatus), oldUE, session, day)
          )
        }
        outcome = .corrected(previousStatus: oldStatus, previousUE: oldUE, ue: ueAttended)
      }
      if let reason { try db.execute("SELECT set_config('beccaria.reason', \(reason), true)") }
      try db.execute(
        """
        INSERT INTO attendance (session_id, participant_id, status, ue_attended, correction_reason, note)
        VALUES (\(session), \(participant), \(status), \(ueAttended), \(reason), \(note))
        ON CONFLICT (session_id, participant_id) DO UPDATE
          SET status = EXCLUDED.status, ue_attended = EXCLUDED.ue_attended, correction_reason = EXCLUDED.correction_reason,
              note = coalesce(EXCLUDED.note, attendance.note)
        """)
      return outcome
    }
  }
}
