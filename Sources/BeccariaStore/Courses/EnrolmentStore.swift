import BeccariaCore
import Foundation
import Postgres

/// An enrolment as listed.
public struct EnrolmentListing: Codable, Sendable, Equatable {
  public var id: EnrolmentID
  public var course: String
  public var participantID: ParticipantID
  public var participant: String
  public var municipality: String?
  public var organisation: String?
  public var scope: EnrolmentScope
  /// Booked modules (empty for the whole programme).
  public var modules: [Int]
  public var status: EnrolmentStatus
  /// 1-based place on the waiting list, for waiting enrolments.
  public var waitingPosition: Int?
  public var requestedAt: Date
  public var enrolledAt: Date?
  public var endReason: String?
}

/// What `enrol` did.
public enum EnrolmentOutcome: Sendable, Equatable {
  case enrolled(EnrolmentID)
  case waiting(EnrolmentID, position: Int)
}

/// What `withdraw` did.
public struct WithdrawalOutcome: Sendable, Equatable {
  public var previousStatus: EnrolmentStatus
  /// The participant who moved up from the waiting list, if a place was freed.
  public var promoted: ParticipantListing?
}

/// What `transfer` did.
public struct TransferOutcome: Sendable, Equatable {
  /// Modules already completed in the old cohort, kept as credit.
  public var credited: [Int]
  /// Modules booked in the new cohort.
  public var booked: [Int]
  public var outcome: EnrolmentOutcome
  /// The participant who moved up from the old cohort's waiting list into the freed place.
  public var promoted: ParticipantListing?
  /// Booked modules for which the new cohort has no session planned (yet).
  public var unplanned: [Int] = []
}

/// Enrolments, the waiting list and transfers between cohorts.
///
/// Capacity holds under any number of concurrent writers: each operation locks the cohort's row
/// (`FOR NO KEY UPDATE`: writers of the cohort queue, while the nightly run's foreign-key checks
/// on it, `FOR KEY SHARE`, pass) before it counts, and the database's CHECK on
/// `course.seats_taken` refuses overbooking even from other clients.
public struct EnrolmentStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  struct LockedCourse {
    var id: Int64
    var versionID: Int64
    var capacity: Int
    var seatsTaken: Int
    var status: CourseStatus
    var moduleNumbers: [Int]
  }

  /// The participant row, FOR SHARE, before any cohort: the lock order erasure takes too
  /// (participant, then cohorts by id), so that an enrolment and an erasure of the same person
  /// queue instead of deadlocking, and whichever comes second sees the other.
  func lockParticipant(_ db: Connection, _ participant: ParticipantID) throws {
    _ = try db.queryOne("SELECT 1 AS ok FROM participant WHERE id = \(participant) FOR SHARE")
  }

  func lockCourse(_ db: Connection, code: String) throws -> LockedCourse {
    guard
      let row = try db.queryOne(
        "SELECT id, programme_version_id, capacity, seats_taken, status FROM course WHERE code = \(code) FOR NO KEY UPDATE")
    else { throw StoreError.notFound(tr("cohort %@", code)) }
    let versionID: Int64 = try row.decode("programme_version_id")
    let modules = try db.query(
      "SELECT number FROM programme_module WHERE programme_version_id = \(versionID) ORDER BY number"
    ).map { try $0.decode("number", as: Int.self) }
    return LockedCourse(
      id: try row.decode("id"), versionID: versionID, capacity: try row.decode("capacity"),
      seatsTaken: try row.decode("seats_taken"), status: try row.decode("status"), moduleNumbers: modules)
  }

  /// Enrols a participant for the whole programme (`modules` nil) or for single modules; beyond
  /// capacity they go onto the waiting list.
  public func enrol(courseCode: String, participant: ParticipantID, modules: [Int]?) throws -> EnrolmentOutcome {
    try connection.transaction(attempts: 3) { db in
      try lockParticipant(db, participant)
      let course = try lockCourse(db, code: courseCode)
      return try insertEnrolment(db, course: course, courseCode: courseCode, participant: participant, modules: modules)
    }
  }

  func insertEnrolment(
    _ db: Connection, course: LockedCourse, courseCode: String, participant: ParticipantID, modules: [Int]?
  ) throws -> EnrolmentOutcome {
    guard course.status.takesEnrolments else {
      throw StoreError.conflict(tr("cohort %@ is %@ and takes no enrolments", courseCode, Term.word(course.status)))
    }
    guard
      let person = try db.queryOne(
        "SELECT erased_at IS NOT NULL AS erased FROM participant WHERE id = \(participant)")
    else { throw StoreError.notFound(tr("participant %@", participant)) }
    if try person.decode("erased", as: Bool.self) {
      throw StoreError.conflict(tr("participant %@ was erased and cannot be enrolled", participant))
    }
    if let modules {
      let unknown = modules.filter { !course.moduleNumbers.contains($0) }
      if !unknown.isEmpty {
        throw StoreError.invalid(
          tr("the programme of cohort %@ has no module %@", courseCode, unknown.map(String.init).joined(separator: ", ")))
      }
      if modules.isEmpty { throw StoreError.invalid(tr("no module to book")) }
    }
    if let existing = try db.queryOne(
      "SELECT status FROM enrolment WHERE course_id = \(course.id) AND participant_id = \(participant) AND status IN ('enrolled', 'waiting')"
    ) {
      let status: EnrolmentStatus = try existing.decode("status")
      throw StoreError.conflict(
        status == .waiting
          ? tr("participant %@ is already on the waiting list of cohort %@", participant, courseCode)
          : tr("participant %@ is already enrolled in cohort %@", participant, courseCode)
      )
    }
    let seatFree = course.seatsTaken < course.capacity
    let scope = modules == nil ? EnrolmentScope.programme : .modules
    let row = try db.queryOne(
      """
      INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, queue_number, enrolled_at)
      VALUES (\(course.id), \(course.versionID), \(participant), \(scope),
              \(seatFree ? "enrolled" : "waiting"),
              CASE WHEN \(seatFree) THEN NULL ELSE nextval('enrolment_queue_seq') END,
              CASE WHEN \(seatFree) THEN clock_timestamp() END)
      RETURNING id, queue_number
      """)
    guard let row else { throw StoreError.corrupt(tr("enrolment was not created")) }
    let id = EnrolmentID(try row.decode("id"))
    for module in Set(modules ?? []).sorted() {
      try db.execute(
        """
        INSERT INTO enrolment_module (enrolment_id, programme_version_id, module_number)
        VALUES (\(id), \(course.versionID), \(module))
        """)
    }
    if seatFree { return .enrolled(id) }
    let queueNumber: Int64 = try row.decode("queue_number")
    let position =
      try db.queryOne(
        "SELECT count(*) AS n FROM enrolment WHERE course_id = \(course.id) AND status = 'waiting' AND queue_number <= \(queueNumber)"
      )?.decode("n", as: Int.self) ?? 0
    return .waiting(id, position: position)
  }

  /// What the office should know about an enrolment just made, as sentences: a certificate the
  /// participant already holds for what they booked, and other cohorts of the same programme they
  /// are enrolled in or waiting for. Empty when there is nothing to say.
  public func concerns(courseCode: String, participant: ParticipantID, modules: [Int]?) throws -> [String] {
    let held = try connection.query(
      """
      SELECT c.serial, c.kind, c.module_number, to_char(c.issued_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD') AS issued
      FROM certificate c JOIN course k ON k.code = \(courseCode) JOIN programme_version v ON v.id = k.programme_version_id
      WHERE c.participant_id = \(participant) AND c.programme_id = v.programme_id AND c.status = 'valid'
        AND (c.kind = 'zertifikat' OR c.module_number = ANY(\(PostgresArray(modules ?? []))))
      ORDER BY c.serial
      """)
    var sentences = try held.map { row -> String in
      let kind: CertificateKind = try row.decode("kind")
      let module: Int? = try row.decode("module_number")
      let serial = try row.decode("serial", as: String.self)
      let issued = try row.decode("issued", as: String.self)
      return kind == .zertifikat
        ? tr("participant %@ already holds the Zertifikat of this programme (%@, issued %@)", participant, serial, issued)
        : tr(
          "participant %@ already holds a Teilnahmebescheinigung for module %@ of this programme (%@, issued %@)", participant,
          module ?? 0, serial, issued)
    }
    let others = try connection.query(
      """
      SELECT o.code, o.status AS course_status, e.status
      FROM enrolment e JOIN course o ON o.id = e.course_id JOIN course k ON k.code = \(courseCode)
      JOIN programme_version ov ON ov.id = o.programme_version_id JOIN programme_version kv ON kv.id = k.programme_version_id
      WHERE e.participant_id = \(participant) AND e.status IN ('enrolled', 'waiting') AND o.id <> k.id
        AND o.status IN ('open', 'running') AND ov.programme_id = kv.programme_id
      ORDER BY o.code
      """)
    sentences += try others.map { row in
      let code: String = try row.decode("code")
      let status: EnrolmentStatus = try row.decode("status")
      let courseStatus: String = try row.decode("course_status")
      return status == .waiting
        ? tr("participant %@ is also on the waiting list of cohort %@", participant, code)
        : tr("participant %@ is also enrolled in cohort %@ (%@)", participant, code, Term.word(courseStatus))
    }
    return sentences
  }

  /// Withdraws a participant (enrolled or waiting). A freed place goes to the first on the
  /// waiting list in the same transaction.
  public func withdraw(courseCode: String, participant: ParticipantID, reason: String) throws -> WithdrawalOutcome {
    try connection.transaction(attempts: 3) { db in
      let course = try lockCourse(db, code: courseCode)
      guard
        let enrolment = try db.queryOne(
          """
          SELECT id, status FROM enrolment
          WHERE course_id = \(course.id) AND participant_id = \(participant) AND status IN ('enrolled', 'waiting')
          FOR UPDATE
          """)
      else { throw StoreError.notFound(tr("an enrolment of participant %@ in cohort %@", participant, courseCode)) }
      let status = EnrolmentStatus(rawValue: try enrolment.decode("status")) ?? .enrolled
      let waiting = try waitingList(db, courseID: course.id)
      try db.execute("SELECT set_config('beccaria.reason', \(reason), true)")
      try db.execute(
        """
        UPDATE enrolment SET status = 'withdrawn', queue_number = NULL, ended_at = now(), end_reason = \(reason)
        WHERE id = \(try enrolment.decode("id", as: Int64.self))
        """)
      return WithdrawalOutcome(previousStatus: status, promoted: try movedUp(db, from: waiting))
    }
  }

  /// The waiting list's enrolment ids, taken while the cohort is locked.
  func waitingList(_ db: Connection, courseID: Int64) throws -> [Int64] {
    try db.query("SELECT id FROM enrolment WHERE course_id = \(courseID) AND status = 'waiting' ORDER BY queue_number")
      .map { try $0.decode("id", as: Int64.self) }
  }

  /// Who of those waiting before has a place now: a freed place goes to the first waiting person
  /// in the statement that frees it (schema 0019), whoever frees it.
  func movedUp(_ db: Connection, from waiting: [Int64]) throws -> ParticipantListing? {
    guard !waiting.isEmpty,
      let row = try db.queryOne(
        """
        SELECT participant_id FROM enrolment WHERE id = ANY(\(PostgresArray(waiting))) AND status = 'enrolled'
        ORDER BY enrolled_at LIMIT 1
        """)
    else { return nil }
    return try ParticipantStore(db).find(ParticipantID(try row.decode("participant_id")))
  }

  /// Moves a participant from one cohort to a later one of the same programme. Modules already
  /// completed in the old cohort stay credited; the new enrolment books the rest. A place freed
  /// in the old cohort goes to its waiting list. When the later cohort is full, the transfer is
  /// refused (the participant keeps their place) unless `ontoWaitingList` accepts its waiting list.
  public func transfer(
    participant: ParticipantID, from: String, to: String, reason: String, ontoWaitingList: Bool = false
  ) throws -> TransferOutcome {
    try connection.transaction(attempts: 3) { db in
      // The participant first, then both cohorts by id (erasure's order), so that two opposite
      // transfers, or a transfer and an erasure, cannot deadlock.
      try lockParticipant(db, participant)
      let codes = try db.query("SELECT code FROM course WHERE code IN (\(from), \(to)) ORDER BY id").map {
        try $0.decode("code", as: String.self)
      }
      var locked: [String: LockedCourse] = [:]
      for code in codes where locked[code] == nil { locked[code] = try lockCourse(db, code: code) }
      guard let source = locked[from], let target = locked[to] else {
        throw StoreError.notFound(tr("cohort %@", locked[from] == nil ? from : to))
      }
      if from == to { throw StoreError.invalid(tr("a transfer needs two different cohorts")) }
      let programmes = try db.query(
        """
        SELECT c.code, v.programme_id FROM course c JOIN programme_version v ON v.id = c.programme_version_id
        WHERE c.id IN (\(source.id), \(target.id))
        """)
      if Set(try programmes.map { try $0.decode("programme_id", as: Int64.self) }).count != 1 {
        throw StoreError.invalid(tr("cohorts %@ and %@ belong to different programmes", from, to))
      }
      guard
        let enrolment = try db.queryOne(
          """
          SELECT id, scope, status FROM enrolment
          WHERE course_id = \(source.id) AND participant_id = \(participant) AND status = 'enrolled' FOR UPDATE
          """)
      else { throw StoreError.notFound(tr("an enrolment of participant %@ in cohort %@", participant, from)) }
      let enrolmentID: Int64 = try enrolment.decode("id")
      let scope = EnrolmentScope(rawValue: try enrolment.decode("scope")) ?? .programme
      let bookedBefore: [Int] =
        scope == .programme
        ? source.moduleNumbers
        : try db.query("SELECT module_number FROM enrolment_module WHERE enrolment_id = \(enrolmentID) ORDER BY module_number")
          .map { try $0.decode("module_number", as: Int.self) }
      let credited = try completedModules(db, participant: participant, courseID: source.id)
      let remaining = bookedBefore.filter { !credited.contains($0) }
      if remaining.isEmpty {
        throw StoreError.invalid(
          tr("participant %@ has already completed every booked module in %@; nothing to transfer", participant, from))
      }
      if target.seatsTaken >= target.capacity && !ontoWaitingList {
        throw StoreError.conflict(
          tr(
            "cohort %@ is full (%@ of %@ places taken); participant %@ keeps their place in %@. To give it up for a place on %@'s waiting list, transfer with --onto-waiting-list",
            to, target.seatsTaken, target.capacity, participant, from, to))
      }
      let waiting = try waitingList(db, courseID: source.id)
      let outcome = try insertEnrolment(
        db, course: target, courseCode: to, participant: participant,
        modules: scope == .programme && credited.isEmpty ? nil : remaining)
      let newID: EnrolmentID
      switch outcome {
      case .enrolled(let id), .waiting(let id, _): newID = id
      }
      try db.execute("SELECT set_config('beccaria.reason', \(reason), true)")
      try db.execute(
        """
        UPDATE enrolment SET status = 'transferred', ended_at = now(), end_reason = \(reason), transferred_to = \(newID)
        WHERE id = \(enrolmentID)
        """)
      let planned = Set(
        try db.query("SELECT DISTINCT module_number FROM session WHERE course_id = \(target.id)").map {
          try $0.decode("module_number", as: Int.self)
        })
      return TransferOutcome(
        credited: credited, booked: remaining, outcome: outcome, promoted: try movedUp(db, from: waiting),
        unplanned: remaining.filter { !planned.contains($0) })
    }
  }

  /// Modules of a cohort whose planned UE the participant attended at or above the threshold.
  func completedModules(_ db: Connection, participant: ParticipantID, courseID: Int64) throws -> [Int] {
    try db.query(
      """
      SELECT s.module_number
      FROM session s
      JOIN course c ON c.id = s.course_id
      JOIN programme_version v ON v.id = c.programme_version_id
      LEFT JOIN attendance a ON a.session_id = s.id AND a.participant_id = \(participant)
      WHERE s.course_id = \(courseID)
      GROUP BY s.module_number, v.attendance_threshold, v.excused_counts
      HAVING sum(CASE WHEN a.status IN ('present', 'late') THEN a.ue_attended
                      WHEN a.status = 'excused' AND v.excused_counts THEN s.ue ELSE 0 END)
             >= v.attendance_threshold * sum(s.ue)
      ORDER BY s.module_number
      """
    ).map { try $0.decode("module_number", as: Int.self) }
  }

  /// Why an enrolment ended, for logins that may read it (trainers may not: a reason can be
  /// about someone's health); `NULL` for the others.
  func endReason() throws -> SQL {
    let readable = try connection.queryOne("SELECT has_column_privilege('enrolment', 'end_reason', 'SELECT') AS ok")?.decode(
      "ok", as: Bool.self)
    return readable == true ? "e.end_reason" : "NULL::text"
  }

  /// Enrolments of a cohort: enrolled first (by name), then the waiting list in order, then ended.
  public func list(courseCode: String, includeEnded: Bool = true) throws -> [EnrolmentListing] {
    guard try connection.queryOne("SELECT 1 AS ok FROM course WHERE code = \(courseCode)") != nil else {
      throw StoreError.notFound(tr("cohort %@", courseCode))
    }
    return try connection.query(
      """
      SELECT e.id, c.code, e.participant_id, p.family_name || ', ' || p.given_names AS name, m.name AS municipality,
             p.organisation, e.scope, e.status, e.requested_at, e.enrolled_at, \(try endReason()) AS end_reason,
             CASE WHEN e.status = 'waiting'
                  THEN row_number() OVER (PARTITION BY e.status = 'waiting' ORDER BY e.queue_number) END AS position,
             coalesce((SELECT array_to_json(array_agg(em.module_number ORDER BY em.module_number))::jsonb
                       FROM enrolment_module em WHERE em.enrolment_id = e.id), '[]'::jsonb) AS modules
      FROM enrolment e JOIN course c ON c.id = e.course_id JOIN participant p ON p.id = e.participant_id
      LEFT JOIN municipality m ON m.ags = p.municipality_ags
      WHERE c.code = \(courseCode) AND (\(includeEnded) OR e.status IN ('enrolled', 'waiting'))
      ORDER BY CASE e.status WHEN 'enrolled' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END,
               e.queue_number, beccaria_fold(p.family_name), beccaria_fold(p.given_names), e.id
      """
    ).map(Self.listing)
  }

  /// Every enrolment of one participant, newest first.
  public func list(participant: ParticipantID) throws -> [EnrolmentListing] {
    try connection.query(
      """
      SELECT e.id, c.code, e.participant_id, p.family_name || ', ' || p.given_names AS name, m.name AS municipality,
             p.organisation, e.scope, e.status, e.requested_at, e.enrolled_at, \(try endReason()) AS end_reason,
             CASE WHEN e.status = 'waiting' THEN (SELECT count(*) FROM enrolment w WHERE w.course_id = e.course_id
                  AND w.status = 'waiting' AND w.queue_number <= e.queue_number) END AS position,
             coalesce((SELECT array_to_json(array_agg(em.module_number ORDER BY em.module_number))::jsonb
                       FROM enrolment_module em WHERE em.enrolment_id = e.id), '[]'::jsonb) AS modules
      FROM enrolment e JOIN course c ON c.id = e.course_id JOIN participant p ON p.id = e.participant_id
      LEFT JOIN municipality m ON m.ags = p.municipality_ags
      WHERE e.participant_id = \(participant)
      ORDER BY e.requested_at DESC, e.id DESC
      """
    ).map(Self.listing)
  }

  static func listing(_ row: Row) throws -> EnrolmentListing {
    EnrolmentListing(
      id: EnrolmentID(try row.decode("id")), course: try row.decode("code"),
      participantID: ParticipantID(try row.decode("participant_id")), participant: try row.decode("name"),
      municipality: try row.decode("municipality"), organisation: try row.decode("organisation"),
      scope: EnrolmentScope(rawValue: try row.decode("scope")) ?? .programme, modules: try row.decodeJSON("modules"),
      status: EnrolmentStatus(rawValue: try row.decode("status")) ?? .enrolled,
      waitingPosition: try row.decode("position"), requestedAt: try row.decode("requested_at"),
      enrolledAt: try row.decode("enrolled_at"), endReason: try row.decode("end_reason"))
  }
}
