import BeccariaCore
import Foundation
import Postgres

/// Reads the inputs of the completion rules for many participants at once: a fixed number of
/// set-based queries per batch, never one per participant.
public struct EligibilityReader {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  public func cases(for keys: [DueKey]) throws -> [EligibilityCase] {
    guard !keys.isEmpty else { return [] }
    let people = PostgresArray(Array(Set(keys.map(\.participant))))
    let wanted = Set(keys)

    var persons: [ParticipantID: (name: String, birth: CalendarDate?, erased: Bool)] = [:]
    for row in try connection.query(
      "SELECT id, given_names || ' ' || family_name AS name, birth_date, erased_at IS NOT NULL AS erased FROM participant WHERE id = ANY(\(people))"
    ) {
      persons[try row.decode("id")] = (try row.decode("name"), try row.optionalDate("birth_date"), try row.decode("erased"))
    }

    var credits: [DueKey: [EligibilityInput.Credit]] = [:]
    var courseIDs: [DueKey: [String: CourseID]] = [:]
    for row in try connection.query(
      """
      SELECT ma.participant_id, ma.programme_id, ma.module_number, c.id AS course_id, c.code,
             coalesce(ma.last_attended_day, ma.last_day) AS completed_on, ma.attended_ue, ma.planned_ue
      FROM module_attendance ma JOIN course c ON c.id = ma.course_id
      WHERE ma.participant_id = ANY(\(people)) AND ma.planned_ue > 0
        AND ma.attended_ue >= ma.attendance_threshold * ma.planned_ue
      """)
    {
      let key = DueKey(participant: try row.decode("participant_id"), programme: try row.decode("programme_id"))
      guard wanted.contains(key) else { continue }
      let code: String = try row.decode("code")
      credits[key, default: []].append(
        EligibilityInput.Credit(
          module: try row.decode("module_number"), course: code, completedOn: try row.date("completed_on"),
          attendedUE: try row.decode("attended_ue"), plannedUE: try row.decode("planned_ue")))
      courseIDs[key, default: [:]][code] = try row.decode("course_id")
    }

    struct Enrolments { var whole: Bool; var ended: Bool; var versionID: ProgrammeVersionID }
    var enrolments: [DueKey: Enrolments] = [:]
    for row in try connection.query(
      """
      SELECT e.participant_id, v.programme_id,
             bool_or(e.scope = 'programme') AS whole,
             -- Ended: a programme cohort of theirs ended, and no cohort they are still enrolled in
             -- runs on (after a transfer, the later cohort decides).
             bool_or(e.scope = 'programme' AND e.status IN ('enrolled', 'transferred') AND x.ended)
               AND NOT bool_or(e.status = 'enrolled' AND NOT x.ended) AS ended,
             (array_agg(c.programme_version_id ORDER BY (e.scope = 'programme') DESC, e.requested_at DESC))[1] AS version_id
      FROM enrolment e JOIN course c ON c.id = e.course_id JOIN programme_version v ON v.id = c.programme_version_id
      CROSS JOIN LATERAL (SELECT c.status = 'ended' OR course_over(c.id) AS ended) x
      WHERE e.participant_id = ANY(\(people)) AND e.enrolled_at IS NOT NULL
      GROUP BY e.participant_id, v.programme_id
      """)
    {
      let key = DueKey(participant: try row.decode("participant_id"), programme: try row.decode("programme_id"))
      enrolments[key] = Enrolments(
        whole: try row.decode("whole"), ended: try row.decode("ended"), versionID: try row.decode("version_id"))
    }

    // The titles through a function: the nightly run reads no free text written about people,
    // only the title a Zertifikat prints (schema 0025).
    var titles: [DueKey: String] = [:]
    for row in try connection.query("SELECT participant_id, programme_id, title FROM certificate_project_titles(\(people))") {
      titles[DueKey(participant: try row.decode("participant_id"), programme: try row.decode("programme_id"))] =
        try row.decode("title")
    }

    var projects: [DueKey: CalendarDate] = [:]
    for row in try connection.query(
      """
      SELECT participant_id, programme_id, min(assessed_on) AS passed_on FROM assessment
      WHERE participant_id = ANY(\(people)) AND kind = 'project' AND result = 'passed'
      GROUP BY participant_id, programme_id
      """)
    {
      projects[DueKey(participant: try row.decode("participant_id"), programme: try row.decode("programme_id"))] = try row.date(
        "passed_on")
    }

    // What blocks a new certificate: a valid one, or a revoked one the office has not reopened
    // (schema 0019). A superseded certificate is represented by its successor.
    struct Held {
      var zertifikat = false; var modules: Set<Int> = []; var revokedZertifikat: String?; var revokedModules: [Int: String] = [:]
    }
    var held: [DueKey: Held] = [:]
    for row in try connection.query(
      """
      SELECT c.participant_id, c.programme_id, c.kind, c.module_number, c.serial, c.status FROM certificate c
      WHERE c.participant_id = ANY(\(people)) AND c.status <> 'superseded'
        AND NOT (c.status = 'revoked' AND EXISTS (SELECT 1 FROM certificate_reopening r WHERE r.certificate_id = c.id))
      ORDER BY c.id
      """)
    {
      let key = DueKey(participant: try row.decode("participant_id"), programme: try row.decode("programme_id"))
      var entry = held[key] ?? Held()
      let revoked = try row.decode("status", as: CertificateStatus.self) == .revoked
      let serial: String = try row.decode("serial")
      if try row.decode("kind", as: CertificateKind.self) == .zertifikat {
        if revoked { entry.revokedZertifikat = serial } else { entry.zertifikat = true }
      } else if let module: Int = try row.decode("module_number") {
        if revoked { entry.revokedModules[module] = serial } else { entry.modules.insert(module) }
      }
      held[key] = entry
    }

    // Definitions: the version of the participant's programme enrolment, else the latest.
    var versionFor: [DueKey: ProgrammeVersionID] = [:]
    var missingLatest: Set<ProgrammeID> = []
    for key in keys {
      if let id = enrolments[key]?.versionID { versionFor[key] = id } else { missingLatest.insert(key.programme) }
    }
    if !missingLatest.isEmpty {
      for row in try connection.query(
        """
        SELECT DISTINCT ON (programme_id) programme_id, id FROM programme_version
        WHERE programme_id = ANY(\(PostgresArray(Array(missingLatest)))) ORDER BY programme_id, version DESC
        """)
      {
        let programme: ProgrammeID = try row.decode("programme_id")
        for key in keys where key.programme == programme && versionFor[key] == nil { versionFor[key] = try row.decode("id") }
      }
    }
    var definitions: [ProgrammeVersionID: ProgrammeDefinition] = [:]
    let versionIDs = Array(Set(versionFor.values))
    if !versionIDs.isEmpty {
      for row in try connection.query("SELECT id, definition FROM programme_version WHERE id = ANY(\(PostgresArray(versionIDs)))")
      {
        definitions[try row.decode("id")] = try row.decodeJSON("definition")
      }
    }

    return keys.compactMap { key in
      guard let person = persons[key.participant], let versionID = versionFor[key], let definition = definitions[versionID] else {
        return nil
      }
      let enrolment = enrolments[key]
      let holds = held[key]
      return EligibilityCase(
        key: key, holderName: person.name, birthDate: person.birth, erased: person.erased,
        input: EligibilityInput(
          requiredModules: definition.modules.map(\.number), projectRequired: definition.completion.projectRequired,
          credits: credits[key] ?? [], projectPassedOn: projects[key], wholeProgramme: enrolment?.whole ?? false,
          programmeCohortEnded: enrolment?.ended ?? false, holdsZertifikat: holds?.zertifikat ?? false,
          certifiedModules: holds?.modules ?? [], revokedZertifikat: holds?.revokedZertifikat,
          revokedModules: holds?.revokedModules ?? [:]),
        projectTitle: titles[key], definition: definition, programmeVersionID: versionID, courseIDs: courseIDs[key] ?? [:])
    }
  }
}
