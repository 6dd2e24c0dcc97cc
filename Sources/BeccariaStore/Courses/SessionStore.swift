import BeccariaCore
import Foundation
import Postgres

/// Teaching sessions of cohorts and their trainers.
public struct SessionStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Adds sessions in one transaction; a session overlapping another of its cohort or of one of
  /// its trainers is refused, naming that one.
  public func add(_ sessions: [NewSession]) throws -> [SessionID] {
    try connection.transaction(attempts: 3) { db in
      var ids: [SessionID] = []
      for session in sessions {
        guard
          let course = try db.queryOne(
            """
            SELECT c.id, c.programme_version_id, coalesce((v.definition->>'ueMinutes')::integer, 45) AS ue_minutes
            FROM course c JOIN programme_version v ON v.id = c.programme_version_id WHERE c.code = \(session.courseCode)
            """)
        else { throw StoreError.notFound(tr("cohort %@", session.courseCode)) }
        // The programme version says how long its UE are (the database checks it too, schema 0020).
        if let problem = session.timeProblem(ueMinutes: try course.decode("ue_minutes")) { throw StoreError.invalid(problem) }
        let courseID: Int64 = try course.decode("id")
        let versionID: Int64 = try course.decode("programme_version_id")
        guard
          try db.queryOne(
            "SELECT 1 AS ok FROM programme_module WHERE programme_version_id = \(versionID) AND number = \(session.module)")
            != nil
        else {
          throw StoreError.invalid(tr("the programme of cohort %@ has no module %@", session.courseCode, session.module))
        }
        let trainerIDs = try TrainerStore(db).ids(forEmails: session.trainerEmails)
        let start = NewSession.clock(session.start)
        let end = NewSession.clock(session.end)
        // The database refuses it too (session_no_overlap_in_course, schema 0020); this names it.
        if let clash = try db.queryOne(
          """
          SELECT id, to_char(starts_at, 'HH24:MI') AS starts, to_char(ends_at, 'HH24:MI') AS ends FROM session
          WHERE course_id = \(courseID) AND during && tsrange(\(session.day.postgres) + \(start)::time, \(session.day.postgres) + \(end)::time)
          LIMIT 1
          """)
        {
          let other = try clash.decode("id", as: Int.self)
          let starts = try clash.decode("starts", as: String.self)
          let ends = try clash.decode("ends", as: String.self)
          throw StoreError.conflict(
            tr(
              "cohort %@ already has session %@ on %@ %@–%@, which overlaps", session.courseCode, other, session.day, starts, ends
            ))
        }
        let row = try db.queryOne(
          """
          INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue, location)
          VALUES (\(courseID), \(versionID), \(session.module), \(session.day.postgres), \(start)::time, \(end)::time,
                  \(session.ue), \(session.location))
          RETURNING id
          """)
        let id = SessionID(try row?.decode("id", as: Int64.self) ?? 0)
        for (trainerID, email) in zip(trainerIDs, session.trainerEmails) {
          if let clash = try db.queryOne(
            """
            SELECT s.id, c.code, to_char(s.starts_at, 'HH24:MI') AS starts, to_char(s.ends_at, 'HH24:MI') AS ends
            FROM session_trainer st JOIN session s ON s.id = st.session_id JOIN course c ON c.id = s.course_id
            WHERE st.trainer_id = \(trainerID)
              AND st.during && tsrange(\(session.day.postgres) + \(start)::time, \(session.day.postgres) + \(end)::time)
            LIMIT 1
            """)
          {
            let other = try clash.decode("id", as: Int.self)
            let code = try clash.decode("code", as: String.self)
            let starts = try clash.decode("starts", as: String.self)
            let ends = try clash.decode("ends", as: String.self)
            throw StoreError.conflict(
              tr(
                "trainer %@ already teaches session %@ of %@ on %@ %@–%@, which overlaps", email, other, code, session.day,
                starts,
                ends))
          }
          try db.execute("INSERT INTO session_trainer (session_id, trainer_id) VALUES (\(id), \(trainerID))")
        }
        ids.append(id)
      }
      return ids
    }
  }

  /// Cancels a session that has no recorded attendance: it goes, with its trainers, and its UE
  /// leave the module's plan (so shares and eligibility are computed without it). A session with
  /// recorded attendance took place and stays (the database refuses, schema 0019). Returns the
  /// session as it was.
  public func cancel(_ session: SessionID, reason: String) throws -> SessionHeader {
    let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !reason.isEmpty else { throw StoreError.invalid(tr("cancelling a session needs a reason (--reason)")) }
    return try connection.transaction(attempts: 3) { db in
      let header = try AttendanceStore(db).header(session)
      guard try db.queryOne("SELECT 1 AS ok FROM session WHERE id = \(session) FOR UPDATE") != nil else {
        throw StoreError.notFound(tr("session %@", session))
      }
      let recorded =
        try db.queryOne("SELECT count(*)::integer AS n FROM attendance WHERE session_id = \(session)")?.decode(
          "n", as: Int.self) ?? 0
      if recorded > 0 {
        throw StoreError.conflict(
          tr(
            "session %@ on %@ has %@: it took place and is not cancelled (correct its attendance instead)", session, header.day,
            Plural.count(recorded, "attendance record")))
      }
      try db.execute("SELECT set_config('beccaria.reason', \(reason), true)")
      try db.execute("DELETE FROM session WHERE id = \(session)")
      return header
    }
  }

  /// A module of a cohort planned with more UE than its programme version defines, as a sentence
  /// (nil when it is not): the share of attendance is taken of what is planned, so extra sessions
  /// raise what a participant must attend.
  public func overplanned(courseCode: String, module: Int) throws -> String? {
    guard
      let row = try connection.queryOne(
        """
        SELECT coalesce(sum(s.ue), 0)::integer AS planned, m.ue AS defined
        FROM course c JOIN programme_module m ON m.programme_version_id = c.programme_version_id AND m.number = \(module)
        LEFT JOIN session s ON s.course_id = c.id AND s.module_number = m.number
        WHERE c.code = \(courseCode) GROUP BY m.ue
        """)
    else { return nil }
    let planned: Int = try row.decode("planned")
    let defined: Int = try row.decode("defined")
    guard planned > defined else { return nil }
    return tr(
      "module %@ of %@ is now planned with %@ UE, the programme defines %@; attendance shares are taken of all %@ (session cancel removes a session planned twice)",
      module, courseCode, planned, defined, planned)
  }

  /// The blocks of a module as the programme version of a cohort defines them.
  public func blocks(courseCode: String, module: Int) throws -> (blocks: [ProgrammeDefinition.Block], ueMinutes: Int) {
    guard
      let row = try connection.queryOne(
        """
        SELECT m.blocks, coalesce((v.definition->>'ueMinutes')::integer, 45) AS ue_minutes
        FROM course c JOIN programme_module m ON m.programme_version_id = c.programme_version_id
        JOIN programme_version v ON v.id = c.programme_version_id
        WHERE c.code = \(courseCode) AND m.number = \(module)
        """)
    else {
      if try connection.queryOne("SELECT 1 AS ok FROM course WHERE code = \(courseCode)") == nil {
        throw StoreError.notFound(tr("cohort %@", courseCode))
      }
      throw StoreError.invalid(tr("the programme of cohort %@ has no module %@", courseCode, module))
    }
    return (try row.decodeJSON("blocks"), try row.decode("ue_minutes"))
  }

  /// Whose sessions `list` shows.
  public enum Selection: Sendable {
    case course(String)
    /// The sessions the connected login teaches (a trainer's login).
    case mine
    /// The sessions of the trainer with this e-mail.
    case trainer(String)
  }

  /// Sessions of a cohort, of the connected trainer or of a trainer, in time order.
  public func list(courseCode: String) throws -> [SessionListing] { try list(.course(courseCode)) }

  public func list(_ selection: Selection) throws -> [SessionListing] {
    let filter: SQL
    switch selection {
    case .course(let code):
      _ = try CourseStore(connection).idOfCohortTaught(code: code)
      filter = "c.code = \(code)"
    case .mine:
      guard try connection.isTrainerLogin() else {
        let login = try connection.queryOne("SELECT session_user AS login")?.decode("login", as: String.self) ?? ""
        throw StoreError.invalid(
          tr(
            "--mine lists the sessions of a trainer's login, and %@ is no trainer's (the office uses --trainer EMAIL or --course CODE)",
            login)
        )
      }
      filter = """
        EXISTS (SELECT 1 FROM session_trainer st JOIN trainer t ON t.id = st.trainer_id
                WHERE st.session_id = s.id AND t.db_login = session_user)
        """
    case .trainer(let email):
      let id = try TrainerStore(connection).ids(forEmails: [email])[0]
      filter = "EXISTS (SELECT 1 FROM session_trainer st WHERE st.session_id = s.id AND st.trainer_id = \(id))"
    }
    return try connection.query(
      """
      SELECT s.id, c.code, s.module_number, m.title, s.day, to_char(s.starts_at, 'HH24:MI') AS starts,
             to_char(s.ends_at, 'HH24:MI') AS ends, s.ue, s.location,
             coalesce((SELECT array_to_json(array_agg(t.name ORDER BY t.name COLLATE german))::jsonb FROM session_trainer st
                        JOIN trainer t ON t.id = st.trainer_id WHERE st.session_id = s.id), '[]'::jsonb) AS trainers
      FROM session s JOIN course c ON c.id = s.course_id
      JOIN programme_module m ON m.programme_version_id = s.programme_version_id AND m.number = s.module_number
      WHERE \(filter)
      ORDER BY s.day, s.starts_at, s.id
      """
    ).map { row in
      SessionListing(
        id: SessionID(try row.decode("id")), course: try row.decode("code"), module: try row.decode("module_number"),
        moduleTitle: try row.decode("title"), day: try row.date("day"), startsAt: try row.decode("starts"),
        endsAt: try row.decode("ends"), ue: try row.decode("ue"), location: try row.decode("location"),
        trainers: try row.decodeJSON("trainers"))
    }
  }
}
