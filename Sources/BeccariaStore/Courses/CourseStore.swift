import BeccariaCore
import Foundation
import Postgres

/// Cohorts (Durchgänge).
public struct CourseStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Changes a cohort's title, capacity, venue or dates in one transaction. The database keeps
  /// what depends on them (schema 0019): a larger capacity gives its places to the waiting list
  /// at once, a smaller one below the places taken is refused, and dates that would leave a
  /// session outside are refused.
  public func update(code: String, _ change: CourseChange) throws -> CourseUpdate {
    try connection.transaction(attempts: 3) { db in
      guard let row = try db.queryOne("SELECT id, seats_taken FROM course WHERE code = \(code) FOR NO KEY UPDATE") else {
        throw StoreError.notFound(tr("cohort %@", code))
      }
      let id: Int64 = try row.decode("id")
      let taken: Int = try row.decode("seats_taken")
      if let capacity = change.capacity, capacity < taken {
        throw StoreError.conflict(
          tr(
            "cohort %@ has %@ enrolled; its capacity cannot go below that (withdraw or transfer someone first)", code,
            Plural.count(taken, "participant"))
        )
      }
      let waiting = try EnrolmentStore(db).waitingList(db, courseID: id)
      let wasStatus = try db.queryOne("SELECT status FROM course WHERE id = \(id)")?.decode("status", as: CourseStatus.self)
      if let reason = change.reason { try db.execute("SELECT set_config('beccaria.reason', \(reason), true)") }
      try db.execute(
        """
        UPDATE course SET title = coalesce(\(change.title), title), capacity = coalesce(\(change.capacity), capacity),
               venue = coalesce(\(change.venue), venue), starts_on = coalesce(\(change.startsOn?.postgres), starts_on),
               ends_on = coalesce(\(change.endsOn?.postgres), ends_on), status = coalesce(\(change.status?.rawValue), status)
        WHERE id = \(id)
        """)
      // An ended cohort is over for the nightly run, which would certify on what it planned so far.
      if change.status == .ended,
        let remaining = try db.queryOne(
          "SELECT count(*)::integer AS n FROM session WHERE course_id = \(id) AND day > beccaria_today()")?.decode(
            "n", as: Int.self), remaining > 0
      {
        throw StoreError.conflict(
          tr(
            "cohort %@ has %@ still to come; it ends when they have taken place (or cancel them, or the cohort, first)", code,
            Plural.count(remaining, "session")))
      }
      // A cancelled cohort meets no more: its sessions still to come go (their participants and
      // trainers are told, schema 0024), and its enrolments end; what took place stays recorded.
      // After the status, which closed the waiting list: nobody moves up into a freed place.
      var cancelled = (sessions: 0, enrolments: 0)
      if change.status == .cancelled && wasStatus != .cancelled {
        cancelled.sessions = try db.execute(
          """
          DELETE FROM session s WHERE s.course_id = \(id) AND s.day >= beccaria_today()
            AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = s.id)
          """)
        cancelled.enrolments = try db.execute(
          """
          UPDATE enrolment SET status = 'withdrawn', end_reason = \("Durchgang abgesagt: " + (change.reason ?? ""))
          WHERE course_id = \(id) AND status = 'enrolled'
          """)
      }
      let people = { (status: String) in
        try db.query(
          """
          SELECT participant_id FROM enrolment WHERE id = ANY(\(PostgresArray(waiting))) AND status = \(status)
          ORDER BY enrolled_at, id
          """
        ).map { try ParticipantStore(db).find(ParticipantID(try $0.decode("participant_id"))) }
      }
      return CourseUpdate(
        course: try CourseStore(db).find(code: code), movedUp: try people("enrolled"), waitingListClosed: try people("withdrawn"),
        sessionsCancelled: cancelled.sessions, enrolmentsEnded: cancelled.enrolments)
    }
  }

  /// Opens a cohort pinned to the programme's current version.
  public func create(_ course: NewCourse) throws -> CourseListing {
    try connection.transaction { db in
      guard
        let version = try db.queryOne(
          """
          SELECT v.id, v.title FROM programme p JOIN programme_version v ON v.programme_id = p.id
          WHERE p.code = \(course.programmeCode) ORDER BY v.version DESC LIMIT 1
          """)
      else { throw StoreError.notFound(tr("programme %@", course.programmeCode)) }
      let versionID: Int64 = try version.decode("id")
      let programmeTitle: String = try version.decode("title")
      let title = course.title ?? "\(programmeTitle) – \(course.code)"
      do {
        try db.execute(
          """
          INSERT INTO course (code, programme_version_id, title, capacity, venue, starts_on, ends_on)
          VALUES (\(course.code), \(versionID), \(title), \(course.capacity), \(course.venue),
                  \(course.startsOn?.postgres), \(course.endsOn?.postgres))
          """)
      } catch let error as PostgresError where error.isUniqueViolation {
        throw StoreError.conflict(tr("a cohort with the code %@ already exists", course.code))
      }
      return try CourseStore(db).find(code: course.code)
    }
  }

  static let listingSQL: SQL = """
    SELECT c.id, c.code, c.title, p.code AS programme, v.version, c.capacity, c.seats_taken, c.venue,
           c.starts_on, c.ends_on, c.status,
           (SELECT count(*) FROM enrolment e WHERE e.course_id = c.id AND e.status = 'waiting') AS waiting,
           (SELECT count(*) FROM session s WHERE s.course_id = c.id) AS sessions,
           (SELECT min(s.day) FROM session s WHERE s.course_id = c.id) AS first_day,
           (SELECT max(s.day) FROM session s WHERE s.course_id = c.id) AS last_day
    FROM course c
    JOIN programme_version v ON v.id = c.programme_version_id
    JOIN programme p ON p.id = v.programme_id
    """

  static func listing(_ row: Row) throws -> CourseListing {
    CourseListing(
      id: CourseID(try row.decode("id")), code: try row.decode("code"), title: try row.decode("title"),
      programme: try row.decode("programme"), programmeVersion: try row.decode("version"),
      capacity: try row.decode("capacity"), enrolled: try row.decode("seats_taken"), waiting: try row.decode("waiting"),
      sessions: try row.decode("sessions"),
      startsOn: try row.optionalDate("starts_on") ?? (try row.optionalDate("first_day")),
      endsOn: try row.optionalDate("ends_on") ?? (try row.optionalDate("last_day")),
      venue: try row.decode("venue"), status: try row.decode("status"))
  }

  public func list(programme: String? = nil) throws -> [CourseListing] {
    // A trainer's login lists the cohorts it teaches in (of others it would see empty figures).
    let trainer =
      try connection.isTrainerLogin()
    let taught: SQL =
      trainer
      ? """
      EXISTS (SELECT 1 FROM session s JOIN session_trainer st ON st.session_id = s.id JOIN trainer t ON t.id = st.trainer_id
              WHERE s.course_id = c.id AND t.db_login = session_user)
      """ : "true"
    return try connection.query(
      """
      \(Self.listingSQL) WHERE (\(programme)::text IS NULL OR p.code = \(programme)) AND \(taught)
      ORDER BY c.starts_on NULLS LAST, c.code
      """
    ).map(Self.listing)
  }

  /// The cohort's id alone (one index lookup, for reports that need nothing else of it).
  public func id(code: String) throws -> CourseID {
    guard let row = try connection.queryOne("SELECT id FROM course WHERE code = \(code)") else {
      throw StoreError.notFound(tr("cohort %@", code))
    }
    return CourseID(try row.decode("id"))
  }

  /// The cohort's id, refused to a trainer's login that teaches no session of it: trainers read
  /// every cohort's frame, but the reports of their own cohorts only (an empty report of another
  /// cohort would read as "nobody there").
  public func idOfCohortTaught(code: String) throws -> CourseID {
    let id = try self.id(code: code)
    let trainer =
      try connection.isTrainerLogin()
    if trainer,
      try connection.queryOne("SELECT beccaria_teaches_course(\(id.rawValue)) AS mine")?.decode("mine", as: Bool.self) != true
    {
      throw StoreError.invalid(
        tr("cohort %@ is not one of your cohorts (beccaria session list --mine lists your sessions)", code))
    }
    return id
  }

  public func find(code: String) throws -> CourseListing {
    guard let row = try connection.queryOne("\(Self.listingSQL) WHERE c.code = \(code)") else {
      throw StoreError.notFound(tr("cohort %@", code))
    }
    return try Self.listing(row)
  }
}
