import BeccariaCore
import Foundation
import Postgres

/// Progress reports computed set-wise from `module_attendance`.
public struct ProgressReports {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  public func matrix(courseCode: String) throws -> AttendanceMatrix {
    let courseID = try CourseStore(connection).idOfCohortTaught(code: courseCode)
    let sessions = try SessionStore(connection).list(courseCode: courseCode)
    let threshold =
      try connection.queryOne(
        "SELECT v.attendance_threshold FROM course c JOIN programme_version v ON v.id = c.programme_version_id WHERE c.id = \(courseID)"
      )?.decode("attendance_threshold", as: Decimal.self) ?? 1
    // German order (ICU, schema 0020): a byte-wise sort put "Müllerová" before "Müller".
    let people = try connection.query(
      """
      SELECT * FROM (
        SELECT DISTINCT ON (p.id) p.id, p.family_name, p.given_names,
               p.family_name || ', ' || p.given_names || CASE e.status WHEN 'enrolled' THEN '' ELSE ' (' || e.status || ')' END AS name,
               e.id AS enrolment_id, e.scope,
               coalesce((SELECT array_to_json(array_agg(em.module_number))::jsonb FROM enrolment_module em WHERE em.enrolment_id = e.id), '[]') AS modules
        FROM enrolment e JOIN participant p ON p.id = e.participant_id
        WHERE e.course_id = \(courseID) AND e.enrolled_at IS NOT NULL AND e.status IN ('enrolled', 'withdrawn', 'transferred')
        ORDER BY p.id, (e.status = 'enrolled') DESC, e.id DESC) latest
      ORDER BY family_name COLLATE german, given_names COLLATE german, id
      """)
    struct Person { var id: Int64; var name: String; var programme: Bool; var modules: [Int] }
    let persons = try people.map { row in
      Person(
        id: try row.decode("id"), name: try row.decode("name"),
        programme: try row.decode("scope", as: String.self) == "programme",
        modules: try row.decodeJSON("modules"))
    }
    var cells: [Int64: [Int64: (String, Decimal)]] = [:]
    for row in try connection.query(
      """
      SELECT a.session_id, a.participant_id, a.status, a.ue_attended FROM attendance a JOIN session s ON s.id = a.session_id
      WHERE s.course_id = \(courseID)
      """)
    {
      cells[try row.decode("participant_id"), default: [:]][try row.decode("session_id")] =
        (try row.decode("status"), try row.decode("ue_attended"))
    }
    var standings: [Int64: [Int: AttendanceMatrix.ModuleShare]] = [:]
    for row in try connection.query(
      """
      SELECT participant_id, module_number, planned_ue, attended_ue, attendance_threshold
      FROM module_attendance WHERE course_id = \(courseID)
      """)
    {
      let planned: Int = try row.decode("planned_ue")
      let attended: Decimal = try row.decode("attended_ue")
      let needed: Decimal = try row.decode("attendance_threshold")
      let module: Int = try row.decode("module_number")
      standings[try row.decode("participant_id"), default: [:]][module] = AttendanceMatrix.ModuleShare(
        module: module, plannedUE: planned, attendedUE: attended,
        share: planned == 0 ? 0 : attended / Decimal(planned), thresholdMet: planned > 0 && attended >= needed * Decimal(planned))
    }
    let lines = persons.map { person in
      AttendanceMatrix.Line(
        participantID: ParticipantID(person.id), name: person.name,
        cells: sessions.map { session in
          let recorded = cells[person.id]?[session.id.rawValue]
          return AttendanceMatrix.Cell(
            sessionID: session.id, status: recorded.flatMap { AttendanceStatus(rawValue: $0.0) }, ue: recorded?.1,
            booked: person.programme || person.modules.contains(session.module))
        },
        modules: (standings[person.id] ?? [:]).values.sorted { $0.module < $1.module })
    }
    return AttendanceMatrix(course: courseCode, threshold: threshold, sessions: sessions, participants: lines)
  }

  /// Participants who can no longer reach a module's threshold in their cohort, or would not by
  /// missing one more session. Modules already met in another cohort (make-up) are left out.
  public func atRisk(courseCode: String?) throws -> [AtRiskEntry] {
    // A filter on the view's grouping column reaches inside it, so only the cohort's enrolments are
    // aggregated (a join on the course code would aggregate every enrolment first).
    let cohortFilter: SQL
    if let courseCode {
      cohortFilter = "ma.course_id = \(try CourseStore(connection).idOfCohortTaught(code: courseCode).rawValue)"
    } else {
      cohortFilter = "true"
    }
    let rows = try connection.query(
      """
      SELECT ma.participant_id, p.family_name || ', ' || p.given_names AS name, c.code, ma.module_number, m.title,
             ma.planned_ue, ma.attended_ue, ma.open_ue, ma.largest_future_ue, ma.attendance_threshold,
             ma.past_unrecorded_sessions, ma.past_unrecorded_ue,
             makeup.code AS makeup_code, makeup.booked AS makeup_booked
      FROM module_attendance ma
      JOIN course c ON c.id = ma.course_id
      JOIN participant p ON p.id = ma.participant_id
      JOIN programme_module m ON m.programme_version_id = ma.programme_version_id AND m.number = ma.module_number
      LEFT JOIN LATERAL (
        -- Where to make the module up: a later cohort the person is already booked into, else the
        -- open or running cohort whose next session of the module comes first: per programme
        -- version an index walk in date order that stops at the first hit (joined to the versions
        -- directly, the planner scanned every later session of the module, 5 ms a row nationally).
        SELECT code, booked FROM (
          (SELECT later.code, true AS booked, 0 AS preference, min(ls.day) AS first_day
           FROM enrolment le JOIN course later ON later.id = le.course_id
           JOIN session ls ON ls.course_id = later.id AND ls.module_number = ma.module_number
           WHERE le.participant_id = ma.participant_id AND le.status IN ('enrolled', 'waiting') AND later.id <> ma.course_id
             AND later.status IN ('open', 'running') AND ls.day > ma.last_day
           GROUP BY later.code ORDER BY min(ls.day) LIMIT 1)
          UNION ALL
          (SELECT first.code, false, 1, first.day
           FROM programme_version lv
           CROSS JOIN LATERAL (
             SELECT later.code, ls.day
             FROM session ls JOIN course later ON later.id = ls.course_id
             WHERE ls.programme_version_id = lv.id AND ls.module_number = ma.module_number AND ls.day > ma.last_day
               AND later.id <> ma.course_id AND later.status IN ('open', 'running')
             ORDER BY ls.day, ls.course_id LIMIT 1) first
           WHERE lv.programme_id = ma.programme_id
           ORDER BY first.day LIMIT 1)
        ) candidates
        ORDER BY preference, first_day
        LIMIT 1
      ) makeup ON true
      WHERE ma.enrolment_status = 'enrolled' AND p.erased_at IS NULL
        AND \(cohortFilter)
        AND ma.attended_ue < ma.attendance_threshold * ma.planned_ue
        -- Met in another cohort (make-up): looked up per other enrolment of the person, so the
        -- view aggregates only those.
        AND NOT EXISTS (
          SELECT 1 FROM enrolment oe
          WHERE oe.participant_id = ma.participant_id AND oe.course_id <> ma.course_id AND oe.enrolled_at IS NOT NULL
            AND EXISTS (
              SELECT 1 FROM module_attendance other
              WHERE other.participant_id = oe.participant_id AND other.course_id = oe.course_id
                AND other.programme_id = ma.programme_id AND other.module_number = ma.module_number
                AND other.planned_ue > 0 AND other.attended_ue >= other.attendance_threshold * other.planned_ue))
      ORDER BY c.code, p.family_name COLLATE german, p.given_names COLLATE german, ma.participant_id, ma.module_number
      """)
    return try rows.compactMap { row in
      let standing = ModuleStanding(
        plannedUE: try row.decode("planned_ue"), attendedUE: try row.decode("attended_ue"), openUE: try row.decode("open_ue"),
        largestOpenSession: try row.decode("largest_future_ue"), threshold: try row.decode("attendance_threshold"),
        pastUnrecordedUE: try row.decode("past_unrecorded_ue"), pastUnrecordedSessions: try row.decode("past_unrecorded_sessions")
      )
      guard standing.risk == .cannotPass || standing.risk == .oneMissFromFailing else { return nil }
      return AtRiskEntry(
        participantID: ParticipantID(try row.decode("participant_id")), name: try row.decode("name"),
        course: try row.decode("code"),
        module: try row.decode("module_number"), moduleTitle: try row.decode("title"), risk: standing.risk,
        plannedUE: standing.plannedUE, attendedUE: standing.attendedUE, neededUE: standing.neededUE,
        reachableUE: standing.reachableUE, largestOpenSession: standing.largestOpenSession,
        pastUnrecordedSessions: standing.pastUnrecordedSessions, pastUnrecordedUE: standing.pastUnrecordedUE,
        makeUpCourse: try row.decode("makeup_code"), makeUpBooked: try row.decode("makeup_booked", as: Bool?.self) ?? false)
    }
  }
}
