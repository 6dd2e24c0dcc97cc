import BeccariaCore
import Foundation
import Postgres

/// A participant's attendance in one module of one cohort, against all sessions planned for it.
public struct ModuleProgress: Codable, Sendable, Equatable {
  public var course: String
  public var module: Int
  public var moduleTitle: String
  public var plannedUE: Int
  public var attendedUE: Decimal
  public var recordedSessions: Int
  public var sessions: Int
  public var threshold: Decimal
  /// attended / planned (0 when nothing is planned).
  public var share: Decimal {
    plannedUE == 0 ? 0 : attendedUE / Decimal(plannedUE)
  }
  public var thresholdMet: Bool { plannedUE > 0 && attendedUE >= threshold * Decimal(plannedUE) }
}

/// A certificate as listed for its holder.
public struct CertificateSummary: Codable, Sendable, Equatable {
  public var serial: String
  public var kind: String
  public var module: Int?
  public var status: String
  public var issuedAt: Date
}

extension ParticipantStore {
  /// Per cohort and module the participant is booked for: planned and attended UE.
  public func progress(_ id: ParticipantID) throws -> [ModuleProgress] {
    try connection.query(
      """
      SELECT c.code, s.module_number, m.title, v.attendance_threshold,
             sum(s.ue)::integer AS planned,
             coalesce(sum(CASE WHEN a.status IN ('present', 'late') THEN a.ue_attended
                               WHEN a.status = 'excused' AND v.excused_counts THEN s.ue
                               ELSE 0 END), 0)::numeric AS attended,
             count(a.status)::integer AS recorded, count(*)::integer AS sessions
      FROM enrolment e
      JOIN course c ON c.id = e.course_id
      JOIN programme_version v ON v.id = c.programme_version_id
      JOIN session s ON s.course_id = e.course_id
      JOIN programme_module m ON m.programme_version_id = s.programme_version_id AND m.number = s.module_number
      LEFT JOIN attendance a ON a.session_id = s.id AND a.participant_id = e.participant_id
      WHERE e.participant_id = \(id.rawValue)
        AND e.status IN ('enrolled', 'transferred', 'withdrawn')
        AND e.enrolled_at IS NOT NULL
        AND (e.scope = 'programme'
             OR EXISTS (SELECT 1 FROM enrolment_module em WHERE em.enrolment_id = e.id AND em.module_number = s.module_number))
      GROUP BY c.code, c.starts_on, s.module_number, m.title, v.attendance_threshold
      ORDER BY c.starts_on NULLS LAST, c.code, s.module_number
      """
    ).map { row in
      ModuleProgress(
        course: try row.decode("code"), module: try row.decode("module_number"), moduleTitle: try row.decode("title"),
        plannedUE: try row.decode("planned"), attendedUE: try row.decode("attended"),
        recordedSessions: try row.decode("recorded"), sessions: try row.decode("sessions"),
        threshold: try row.decode("attendance_threshold"))
    }
  }

  /// The participant's certificates, newest first.
  public func certificates(_ id: ParticipantID) throws -> [CertificateSummary] {
    try connection.query(
      """
      SELECT serial, kind, module_number, status, issued_at FROM certificate
      WHERE participant_id = \(id.rawValue) ORDER BY issued_at DESC, id DESC
      """
    ).map { row in
      CertificateSummary(
        serial: try row.decode("serial"), kind: try row.decode("kind"), module: try row.decode("module_number"),
        status: try row.decode("status"), issuedAt: try row.decode("issued_at"))
    }
  }
}
