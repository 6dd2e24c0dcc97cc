import BeccariaCore
import CSVImport
import Foundation
import Postgres

/// One enrolment to make: from a line of `enrolment import`, or one `--participant` of
/// `enrolment add`.
public struct EnrolmentRequest: Sendable, Equatable {
  /// The line of the file (nil for the command line).
  public var line: Int?
  /// A participant number, or an e-mail address (case-insensitive).
  public var participant: String
  public var course: String
  /// Single modules; nil books the whole programme.
  public var modules: [Int]?

  public init(line: Int? = nil, participant: String, course: String, modules: [Int]?) {
    self.line = line
    self.participant = participant
    self.course = course
    self.modules = modules
  }
}

/// What one request of `enrolAll` did.
public struct EnrolmentMade: Sendable, Equatable {
  public var request: EnrolmentRequest
  public var participant: ParticipantID
  /// "Given Family".
  public var name: String
  public var outcome: EnrolmentOutcome
}

extension EnrolmentStore {
  /// Enrols every request in one transaction, in the given order (so that a full cohort's
  /// waiting list follows it), or none: every request is checked first, and the problems of all
  /// of them are thrown together as `InputProblems` naming `file` and each line (for the command
  /// line, `file` nil: a `StoreError` with one sentence per request).
  /// With `dryRun`, everything is checked and done, and rolled back.
  public func enrolAll(_ requests: [EnrolmentRequest], file: String?, dryRun: Bool = false) throws -> [EnrolmentMade] {
    try connection.transaction(attempts: 3, committingIf: { _ in !dryRun }) { db in
      let store = EnrolmentStore(db)
      var problems: [InputProblem] = []
      func problem(_ request: EnrolmentRequest, _ column: String?, _ reason: String) {
        problems.append(
          InputProblem(line: request.line, column: column, reason: reason))
      }
      // Participants by number or e-mail, in one query each.
      let numbers = Set(requests.compactMap { Int64($0.participant) })
      let addresses = Set(requests.filter { Int64($0.participant) == nil }.map { $0.participant.lowercased() })
      var people: [Int64: (name: String, erased: Bool)] = [:]
      for row in try db.query(
        """
        SELECT id, given_names || ' ' || family_name AS name, erased_at IS NOT NULL AS erased FROM participant
        WHERE id = ANY (\(PostgresArray(Array(numbers))))
        """)
      {
        people[try row.decode("id")] = (try row.decode("name"), try row.decode("erased"))
      }
      var byAddress: [String: [Int64]] = [:]
      for row in try db.query(
        """
        SELECT lower(email) AS address, id, given_names || ' ' || family_name AS name FROM participant
        WHERE erased_at IS NULL AND lower(email) = ANY (\(PostgresArray(Array(addresses))))
        """)
      {
        let id: Int64 = try row.decode("id")
        byAddress[try row.decode("address"), default: []].append(id)
        people[id] = (try row.decode("name"), false)
      }
      var resolved: [(EnrolmentRequest, Int64)] = []
      for request in requests {
        if let number = Int64(request.participant) {
          guard number > 0, let person = people[number] else {
            problem(request, "participant", tr("there is no participant %@", request.participant))
            continue
          }
          if person.erased {
            problem(request, "participant", tr("participant %@ was erased and cannot be enrolled", number))
            continue
          }
          resolved.append((request, number))
        } else {
          let matches = byAddress[request.participant.lowercased()] ?? []
          if matches.count == 1 {
            resolved.append((request, matches[0]))
          } else if matches.isEmpty {
            problem(request, "participant", tr("no participant has the e-mail %@", request.participant))
          } else {
            problem(
              request, "participant", tr("%@ participants have the e-mail %@; use the number", matches.count, request.participant)
            )
          }
        }
      }
      // The lock order of a single enrolment and of erasure: participants, then cohorts by id.
      for id in Set(resolved.map(\.1)).sorted() {
        _ = try db.queryOne("SELECT 1 AS ok FROM participant WHERE id = \(id) FOR SHARE")
      }
      var courses: [String: LockedCourse] = [:]
      let codes = Set(requests.map(\.course))
      let ordered = try db.query(
        "SELECT code FROM course WHERE code = ANY (\(PostgresArray(Array(codes)))) ORDER BY id"
      ).map { try $0.decode("code", as: String.self) }
      for code in ordered { courses[code] = try store.lockCourse(db, code: code) }
      var seen: [String: Int?] = [:]
      var accepted: [(EnrolmentRequest, Int64)] = []
      for (request, person) in resolved {
        guard let course = courses[request.course] else {
          problem(request, "course", tr("there is no cohort %@", request.course))
          continue
        }
        if !course.status.takesEnrolments {
          problem(request, "course", tr("cohort %@ is %@ and takes no enrolments", request.course, Term.word(course.status)))
          continue
        }
        if let modules = request.modules {
          let unknown = modules.filter { !course.moduleNumbers.contains($0) }
          if !unknown.isEmpty || modules.isEmpty {
            problem(
              request, "modules",
              tr("the programme of cohort %@ has no module %@", request.course, unknown.map(String.init).joined(separator: ", ")))
            continue
          }
        }
        let key = "\(person)|\(course.id)"
        if let earlier = seen[key] {
          problem(
            request, "participant",
            earlier.map { tr("participant %@ is enrolled in %@ by line %@ already", person, request.course, $0) }
              ?? tr("participant %@ is enrolled in %@ by an earlier --participant already", person, request.course))
          continue
        }
        seen[key] = request.line
        if let existing = try db.queryOne(
          """
          SELECT status FROM enrolment WHERE course_id = \(course.id) AND participant_id = \(person)
            AND status IN ('enrolled', 'waiting')
          """)
        {
          let status: EnrolmentStatus = try existing.decode("status")
          problem(
            request, "participant",
            status == .waiting
              ? tr("participant %@ is already on the waiting list of cohort %@", person, request.course)
              : tr("participant %@ is already enrolled in cohort %@", person, request.course))
          continue
        }
        accepted.append((request, person))
      }
      if !problems.isEmpty {
        if let file { throw InputProblems(file: file, problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) }) }
        throw StoreError.invalid(problems.map(\.reason).joined(separator: "\n"))
      }
      let made = try accepted.map { request, person in
        // The seats taken change with every enrolment (a trigger counts them).
        let course = try store.lockCourse(db, code: request.course)
        let outcome = try store.insertEnrolment(
          db, course: course, courseCode: request.course, participant: ParticipantID(person), modules: request.modules)
        return EnrolmentMade(
          request: request, participant: ParticipantID(person), name: people[person]?.name ?? "", outcome: outcome)
      }
      return made
    }
  }
}
