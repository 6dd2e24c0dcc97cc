import BeccariaCore
import Foundation
import Postgres

/// The right of access and erasure on request (both done by database functions, so that any
/// client gets the same result).
public struct DataProtection {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Everything stored about a person, as pretty JSON.
  public func export(_ participant: ParticipantID) throws -> Data {
    guard let row = try connection.queryOne("SELECT participant_export(\(participant.rawValue))::text AS document"),
      let text: String = try row.decode("document")
    else { throw StoreError.notFound("participant \(participant)") }
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
  }

  /// Removes or pseudonymises the person's data everywhere; certificates stay verifiable.
  public func erase(_ participant: ParticipantID, reason: String) throws {
    let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !reason.isEmpty else { throw StoreError.invalid("an erasure needs a reason (--reason)") }
    do {
      try connection.transaction { db in
        try db.execute("SELECT participant_erase(\(participant.rawValue), \(reason))")
      }
    } catch let error as PostgresError where error.sqlState == "P0002" {
      throw StoreError.notFound("participant \(participant)")
    } catch let error as PostgresError where error.constraint == "participant_erased_once" {
      throw StoreError.conflict(error.message)
    }
  }
}

/// Retention periods and what applying them removes.
public struct RetentionPolicy: Codable, Sendable, Equatable {
  public var attendanceDetailYears: Int?
  public var participantYears: Int?
  public init(attendanceDetailYears: Int?, participantYears: Int?) {
    self.attendanceDetailYears = attendanceDetailYears
    self.participantYears = participantYears
  }
}

/// What one application of the retention periods removes (or would remove).
public struct RetentionPlan: Codable, Sendable {
  public struct Cohort: Codable, Sendable {
    public var code: String
    public var lastDay: CalendarDate
    public var attendanceRows: Int
  }
  public struct Person: Codable, Sendable {
    public var participantID: Int64
    public var lastActivity: CalendarDate
  }
  public var policy: RetentionPolicy
  public var cohorts: [Cohort] = []
  public var participants: [Person] = []
}

public struct RetentionStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  public func policy() throws -> RetentionPolicy {
    guard let row = try connection.queryOne("SELECT attendance_detail_years, participant_years FROM retention_policy") else {
      return RetentionPolicy(attendanceDetailYears: nil, participantYears: nil)
    }
    return RetentionPolicy(
      attendanceDetailYears: try row.decode("attendance_detail_years"), participantYears: try row.decode("participant_years"))
  }

  public func set(_ policy: RetentionPolicy) throws {
    try connection.execute(
      """
      UPDATE retention_policy SET attendance_detail_years = \(policy.attendanceDetailYears),
             participant_years = \(policy.participantYears), updated_at = now()
      """)
  }

  func plan(_ db: Connection) throws -> RetentionPlan {
    var plan = RetentionPlan(policy: try RetentionStore(db).policy())
    if let years = plan.policy.attendanceDetailYears {
      plan.cohorts = try db.query(
        """
        SELECT c.code, max(s.day) AS last_day, (SELECT count(*)::integer FROM attendance a JOIN session x ON x.id = a.session_id
                                                 WHERE x.course_id = c.id) AS n
        FROM course c JOIN session s ON s.course_id = c.id
        WHERE c.status = 'ended'
        GROUP BY c.id, c.code
        HAVING max(s.day) < beccaria_today() - make_interval(years => \(years)::integer)
           AND (SELECT count(*) FROM attendance a JOIN session x ON x.id = a.session_id WHERE x.course_id = c.id) > 0
        ORDER BY max(s.day), c.code
        """
      ).map {
        RetentionPlan.Cohort(code: try $0.decode("code"), lastDay: try $0.date("last_day"), attendanceRows: try $0.decode("n"))
      }
    }
    if let years = plan.policy.participantYears {
      plan.participants = try db.query(
        """
        SELECT p.id, coalesce((SELECT max(s.day) FROM enrolment e JOIN session s ON s.course_id = e.course_id
                               WHERE e.participant_id = p.id), (p.created_at AT TIME ZONE 'Europe/Berlin')::date) AS last_activity
        FROM participant p
        WHERE p.erased_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM certificate c WHERE c.participant_id = p.id)
          AND coalesce((SELECT max(s.day) FROM enrolment e JOIN session s ON s.course_id = e.course_id WHERE e.participant_id = p.id),
                       (p.created_at AT TIME ZONE 'Europe/Berlin')::date) < beccaria_today() - make_interval(years => \(years)::integer)
        ORDER BY p.id
        """
      ).map { RetentionPlan.Person(participantID: try $0.decode("id"), lastActivity: try $0.date("last_activity")) }
    }
    return plan
  }

  /// Lists what the periods remove; with `dryRun` false removes it, all in one transaction.
  public func apply(dryRun: Bool) throws -> RetentionPlan {
    try connection.transaction { db in
      let plan = try plan(db)
      if dryRun { return plan }
      if !plan.cohorts.isEmpty {
        try db.execute("SELECT set_config('beccaria.reason', 'retention: attendance detail of ended cohorts', true)")
        try db.execute(
          """
          DELETE FROM attendance a USING session s, course c
          WHERE s.id = a.session_id AND c.id = s.course_id AND c.code = ANY(\(PostgresArray(plan.cohorts.map(\.code))))
          """)
      }
      for person in plan.participants {
        try db.execute(
          """
          SELECT participant_erase(\(person.participantID),
                 'retention: no certificate, last activity ' || \(person.lastActivity.description) || ', period '
                 || \(plan.policy.participantYears ?? 0)::text || ' years')
          """)
      }
      return plan
    }
  }
}
