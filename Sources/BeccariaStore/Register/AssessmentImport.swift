import BeccariaCore
import CSVImport
import Foundation
import Postgres

/// One result of `assessment import`.
public struct AssessmentRow: Sendable, Equatable {
  public var line: Int
  /// A participant number, or an e-mail address (case-insensitive).
  public var participant: String
  public var kind: AssessmentKind
  public var result: AssessmentResult
  public var title: String?
  public var assessedOn: CalendarDate
  public var note: String?

  public init(
    line: Int, participant: String, kind: AssessmentKind, result: AssessmentResult, title: String?,
    assessedOn: CalendarDate, note: String?
  ) {
    self.line = line
    self.participant = participant
    self.kind = kind
    self.result = result
    self.title = title
    self.assessedOn = assessedOn
    self.note = note
  }
}

extension CertificateStore {
  /// Records the results of a cohort's assessments in one transaction, or none: each row's
  /// participant must have been enrolled in cohort `courseCode` (the database's rule too, schema
  /// 0019), be named once, and not be erased. Throws `InputProblems` naming `file` and every bad
  /// line. Returns how many were recorded, passed and failed.
  /// `problems` are the file's own (found by the caller), reported together with these; the
  /// participants of lines that have such problems (`unchecked`) are checked too, so that one
  /// run names every bad line.
  public func importAssessments(
    courseCode: String, _ rows: [AssessmentRow], file: String, dryRun: Bool, problems fileProblems: [InputProblem] = [],
    unchecked: [(line: Int, participant: String)] = []
  ) throws -> (passed: Int, failed: Int) {
    try connection.transaction(attempts: 3, committingIf: { _ in !dryRun }) { db in
      guard
        let course = try db.queryOne(
          "SELECT c.id, v.programme_id FROM course c JOIN programme_version v ON v.id = c.programme_version_id WHERE c.code = \(courseCode)"
        )
      else { throw StoreError.notFound(tr("cohort %@", courseCode)) }
      let courseID: Int64 = try course.decode("id")
      let programmeID: Int64 = try course.decode("programme_id")
      // Who took part in the cohort, by number and by e-mail.
      var numbers: [Int64: Bool] = [:]  // erased?
      var addresses: [String: [Int64]] = [:]
      for row in try db.query(
        """
        SELECT DISTINCT p.id, lower(p.email) AS address, p.erased_at IS NOT NULL AS erased
        FROM enrolment e JOIN participant p ON p.id = e.participant_id
        WHERE e.course_id = \(courseID) AND e.enrolled_at IS NOT NULL
        """)
      {
        let id: Int64 = try row.decode("id")
        numbers[id] = try row.decode("erased")
        if let address: String = try row.decode("address") { addresses[address, default: []].append(id) }
      }
      var problems = fileProblems
      for (line, participant) in unchecked {
        if let number = Int64(participant), numbers[number] == nil {
          problems.append(
            InputProblem(
              line: line, column: "participant",
              reason: tr("participant %@ was not enrolled in %@ (or does not exist)", number, courseCode)))
        } else if Int64(participant) == nil, addresses[participant.lowercased()] == nil {
          problems.append(
            InputProblem(
              line: line, column: "participant", reason: tr("nobody enrolled in %@ has the e-mail %@", courseCode, participant)))
        }
      }
      var seen: [String: Int] = [:]
      var resolved: [(AssessmentRow, Int64)] = []
      for row in rows {
        var person: Int64?
        if let number = Int64(row.participant) {
          if numbers[number] == nil {
            problems.append(
              InputProblem(
                line: row.line, column: "participant",
                reason: tr("participant %@ was not enrolled in %@ (or does not exist)", number, courseCode)))
          } else if numbers[number] == true {
            problems.append(InputProblem(line: row.line, column: "participant", reason: tr("participant %@ was erased", number)))
          } else {
            person = number
          }
        } else {
          let matches = addresses[row.participant.lowercased()] ?? []
          if matches.count == 1 {
            person = matches[0]
          } else {
            problems.append(
              InputProblem(
                line: row.line, column: "participant",
                reason: matches.isEmpty
                  ? tr("nobody enrolled in %@ has the e-mail %@", courseCode, row.participant)
                  : tr("%@ participants have the e-mail %@; use the number", matches.count, row.participant)))
          }
        }
        if row.assessedOn > CalendarDate.today() {
          problems.append(InputProblem(line: row.line, column: "date", reason: tr("%@ is in the future", row.assessedOn.german)))
        }
        guard let person else { continue }
        let key = "\(person)|\(row.kind)"
        if let earlier = seen[key] {
          problems.append(
            InputProblem(
              line: row.line, column: "participant",
              reason: tr("participant %@ has a %@ result in line %@ already", person, Term.word(row.kind), earlier)))
          continue
        }
        seen[key] = row.line
        resolved.append((row, person))
      }
      // The same result recorded already (an import run twice): a new attempt has a day of its own.
      for row in try db.query(
        """
        SELECT r.line, to_char(a.assessed_on, 'DD.MM.YYYY') AS day
        FROM unnest(\(PostgresArray(resolved.map { Int64($0.0.line) })), \(PostgresArray(resolved.map(\.1))),
                    \(PostgresArray(resolved.map(\.0.kind.rawValue))), \(PostgresArray(resolved.map(\.0.result.rawValue))),
                    \(PostgresArray(resolved.map(\.0.assessedOn.description))), \(PostgresArray(resolved.map { $0.0.title ?? "" })))
             AS r(line, person, kind, result, day_text, title)
        JOIN assessment a ON a.participant_id = r.person AND a.programme_id = \(programmeID) AND a.kind = r.kind
         AND a.result = r.result AND a.assessed_on = r.day_text::date AND coalesce(a.title, '') = r.title
        ORDER BY r.line
        """)
      {
        problems.append(
          InputProblem(
            line: Int(try row.decode("line", as: Int64.self)),
            reason: tr(
              "this result is recorded already (%@); an import is not run twice, and a new attempt has a day of its own",
              try row.decode("day", as: String.self))))
      }
      if !problems.isEmpty { throw InputProblems(file: file, problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) }) }
      try db.execute(
        """
        INSERT INTO assessment (participant_id, programme_id, course_id, kind, result, title, assessed_on, note)
        SELECT person, \(programmeID), \(courseID), kind, result, nullif(title, ''), day, nullif(note, '')
        FROM unnest(\(PostgresArray(resolved.map(\.1))), \(PostgresArray(resolved.map(\.0.kind.rawValue))),
                    \(PostgresArray(resolved.map(\.0.result.rawValue))), \(PostgresArray(resolved.map { $0.0.title ?? "" })),
                    \(PostgresArray(resolved.map(\.0.assessedOn.description))),
                    \(PostgresArray(resolved.map { $0.0.note ?? "" }))) AS r(person, kind, result, title, day_text, note),
             LATERAL (SELECT day_text::date AS day) d
        """)
      let counts = (
        passed: resolved.filter { $0.0.result == .passed }.count, failed: resolved.filter { $0.0.result == .failed }.count
      )
      return counts
    }
  }
}
