import BeccariaCore
import Foundation
import Postgres

/// A change to a scheduled session (`session move`, `session update`); nil fields stay.
public struct SessionChange: Sendable {
  public var day: CalendarDate?
  /// Minutes since midnight.
  public var start: Int?
  public var end: Int?
  public var ue: Int?
  public var location: String?
  /// Trainers by e-mail (case-insensitive).
  public var addTrainers: [String]
  public var removeTrainers: [String]
  /// Kept in the audit log.
  public var reason: String?

  public init(
    day: CalendarDate? = nil, start: Int? = nil, end: Int? = nil, ue: Int? = nil, location: String? = nil,
    addTrainers: [String] = [], removeTrainers: [String] = [], reason: String? = nil
  ) {
    self.day = day
    self.start = start
    self.end = end
    self.ue = ue
    self.location = location
    self.addTrainers = addTrainers
    self.removeTrainers = removeTrainers
    self.reason = reason
  }

  public var isEmpty: Bool {
    day == nil && start == nil && end == nil && ue == nil && location == nil && addTrainers.isEmpty && removeTrainers.isEmpty
  }
}

/// What a session change did: the session before and after, each changed field as
/// "what: old → new", and whom it concerns.
public struct SessionChangeOutcome: Sendable {
  public var before: SessionHeader
  public var after: SessionHeader
  public var changes: [String]
  /// Participants on the session's roster (enrolled for its module).
  public var participants: Int
  /// Notices queued in the outbox by this change (nil for a login that may not read it).
  public var messagesQueued: Int?
}

extension SessionStore {
  /// Changes a session's day, times, UE, location or trainers in one transaction, under the rules
  /// the database enforces too: a recorded session stays in the past and keeps UE for what was
  /// recorded (schema 0019), it stays within its cohort's dates, its UE fit its times (0020), and
  /// no cohort or trainer is booked twice at once. Throws `StoreError` naming what clashes.
  public func change(_ session: SessionID, _ change: SessionChange) throws -> SessionChangeOutcome {
    guard !change.isEmpty else { throw StoreError.invalid(tr("nothing to change")) }
    // A change to what it is already is rolled back, so that it leaves no audit entry.
    return try connection.transaction(attempts: 3, committingIf: { !$0.changes.isEmpty }) { db in
      let attendance = AttendanceStore(db)
      let before = try attendance.header(session)
      guard
        let row = try db.queryOne(
          """
          SELECT s.course_id, s.day, extract(hour FROM s.starts_at)::integer * 60 + extract(minute FROM s.starts_at)::integer AS start,
                 extract(hour FROM s.ends_at)::integer * 60 + extract(minute FROM s.ends_at)::integer AS "end", s.ue, s.location,
                 coalesce((v.definition->>'ueMinutes')::integer, 45) AS ue_minutes, beccaria_today() AS today,
                 (SELECT count(*)::integer FROM attendance a WHERE a.session_id = s.id) AS recorded,
                 (SELECT max(a.ue_attended) FROM attendance a WHERE a.session_id = s.id) AS most
          FROM session s JOIN programme_version v ON v.id = s.programme_version_id WHERE s.id = \(session) FOR UPDATE OF s
          """)
      else { throw StoreError.notFound(tr("session %@", session)) }
      let courseID: Int64 = try row.decode("course_id")
      let oldDay = try row.date("day")
      let today = try row.date("today")
      let recorded: Int = try row.decode("recorded")
      let day = change.day ?? oldDay
      let start = try change.start ?? row.decode("start", as: Int.self)
      let end = try change.end ?? row.decode("end", as: Int.self)
      let ue = try change.ue ?? row.decode("ue", as: Int.self)
      let probe = NewSession(
        courseCode: before.course, module: before.module, day: day, start: start, end: end, ue: ue, location: nil,
        trainerEmails: [])
      if let problem = probe.timeProblem(ueMinutes: try row.decode("ue_minutes")) { throw StoreError.invalid(problem) }
      if recorded > 0 && day != oldDay && day > today {
        throw StoreError.conflict(
          tr(
            "session %@ took place on %@ and has attendance recorded for %@; it cannot move to %@, which is still to come",
            session, oldDay.german, Plural.count(recorded, "participant"), day.german))
      }
      if let most = try row.decode("most", as: Decimal?.self), Decimal(ue) < most {
        throw StoreError.conflict(
          tr(
            "participants are recorded with up to %@ UE at session %@; it cannot have fewer UE than that (correct their attendance first)",
            most, session))
      }
      let range: SQL =
        "tsrange(\(day.postgres) + \(NewSession.clock(start))::time, \(day.postgres) + \(NewSession.clock(end))::time)"
      if let clash = try db.queryOne(
        """
        SELECT id, to_char(starts_at, 'HH24:MI') AS starts, to_char(ends_at, 'HH24:MI') AS ends FROM session
        WHERE course_id = \(courseID) AND id <> \(session) AND tsrange(day + starts_at, day + ends_at) && \(range) LIMIT 1
        """)
      {
        let other = try clash.decode("id", as: Int.self)
        let starts = try clash.decode("starts", as: String.self)
        let ends = try clash.decode("ends", as: String.self)
        throw StoreError.conflict(
          tr("cohort %@ already has session %@ on %@ %@–%@, which overlaps", before.course, other, day.german, starts, ends))
      }
      if let reason = change.reason { try db.execute("SELECT set_config('beccaria.reason', \(reason), true)") }
      let trainers = TrainerStore(db)
      let removed = try trainers.ids(forEmails: change.removeTrainers)
      let added = try trainers.ids(forEmails: change.addTrainers)
      let current = try db.query("SELECT trainer_id FROM session_trainer WHERE session_id = \(session)").map {
        TrainerID(try $0.decode("trainer_id"))
      }
      for (id, email) in zip(removed, change.removeTrainers) where !current.contains(id) {
        throw StoreError.invalid(tr("%@ does not teach session %@", email, session))
      }
      for (id, email) in zip(added, change.addTrainers) where current.contains(id) {
        throw StoreError.invalid(tr("%@ teaches session %@ already", email, session))
      }
      // Every trainer of the session, moved or new, must be free then (the database's exclusion
      // constraint refuses it too; this names the other session).
      let teaching = current.filter { !removed.contains($0) } + added
      if let clash = try db.queryOne(
        """
        SELECT t.name, o.id, c.code, o.day, to_char(o.starts_at, 'HH24:MI') AS starts, to_char(o.ends_at, 'HH24:MI') AS ends
        FROM session_trainer ot JOIN trainer t ON t.id = ot.trainer_id
        JOIN session o ON o.id = ot.session_id JOIN course c ON c.id = o.course_id
        WHERE ot.trainer_id = ANY (\(PostgresArray(teaching.map(\.rawValue)))) AND ot.session_id <> \(session)
          AND tsrange(o.day + o.starts_at, o.day + o.ends_at) && \(range)
        ORDER BY o.day, o.starts_at LIMIT 1
        """)
      {
        let name = try clash.decode("name", as: String.self)
        let other = try clash.decode("id", as: Int.self)
        let code = try clash.decode("code", as: String.self)
        let otherDay = try clash.date("day").german
        let starts = try clash.decode("starts", as: String.self)
        let ends = try clash.decode("ends", as: String.self)
        throw StoreError.conflict(
          tr("%@ already teaches session %@ of %@ on %@ %@–%@, which overlaps", name, other, code, otherDay, starts, ends))
      }
      for id in removed { try db.execute("DELETE FROM session_trainer WHERE session_id = \(session) AND trainer_id = \(id)") }
      for id in added { try db.execute("INSERT INTO session_trainer (session_id, trainer_id) VALUES (\(session), \(id))") }
      // After the trainers change, so that the notice of a move goes to who teaches it now.
      let location = change.location.map { $0.trimmingCharacters(in: .whitespaces) }
      try db.execute(
        """
        UPDATE session SET day = \(day.postgres), starts_at = \(NewSession.clock(start))::time,
               ends_at = \(NewSession.clock(end))::time, ue = \(ue),
               location = CASE WHEN \(location == nil) THEN location ELSE nullif(\(location ?? ""), '') END
        WHERE id = \(session)
        """)
      let after = try attendance.header(session)
      var changes: [String] = []
      if before.day != after.day { changes.append(tr("date %@ → %@", before.day.german, after.day.german)) }
      if (before.startsAt, before.endsAt) != (after.startsAt, after.endsAt) {
        changes.append(tr("time %@–%@ → %@–%@", before.startsAt, before.endsAt, after.startsAt, after.endsAt))
      }
      if before.ue != after.ue { changes.append("\(before.ue) UE → \(after.ue) UE") }
      if before.location != after.location {
        changes.append(tr("location %@ → %@", before.location ?? "–", after.location ?? "–"))
      }
      if before.trainers != after.trainers {
        let list = { (names: [String]) in names.isEmpty ? tr("none") : names.joined(separator: ", ") }
        changes.append(tr("trainers %@ → %@", list(before.trainers), list(after.trainers)))
      }
      let participants =
        try db.queryOne(
          """
          SELECT count(DISTINCT e.participant_id)::integer AS n FROM session s JOIN enrolment e ON \(AttendanceStore.onRoster)
          WHERE s.id = \(session) AND e.status = 'enrolled'
          """)?.decode("n", as: Int.self) ?? 0
      var messages: Int?
      if try db.canRead("mail_message") {
        messages =
          try db.queryOne(
            """
            SELECT count(*)::integer AS n FROM mail_message
            WHERE session_id = \(session) AND kind = 'change' AND queued_at >= transaction_timestamp()
            """)?.decode("n", as: Int.self)
      }
      return SessionChangeOutcome(
        before: before, after: after, changes: changes, participants: participants, messagesQueued: messages)
    }
  }
}
