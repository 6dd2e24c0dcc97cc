import BeccariaCore
import Foundation
import Postgres

/// A certificate as listed for its holder.
public struct CertificateSummary: Codable, Sendable, Equatable {
  public var serial: String
  public var kind: CertificateKind
  public var module: Int?
  public var status: CertificateStatus
  public var issuedAt: Date
}

extension ParticipantStore {
  /// Per cohort and module the participant is booked for: planned and attended UE, each session
  /// counted once however often they enrolled in the cohort (`module_attendance`, schema 0019).
  public func progress(_ id: ParticipantID) throws -> [ModuleProgress] {
    try connection.query(
      """
      SELECT c.code, ma.module_number, m.title, ma.attendance_threshold, ma.planned_ue AS planned, ma.attended_ue AS attended,
             ma.recorded_sessions AS recorded, ma.sessions
      FROM module_attendance ma
      JOIN course c ON c.id = ma.course_id
      JOIN programme_module m ON m.programme_version_id = ma.programme_version_id AND m.number = ma.module_number
      WHERE ma.participant_id = \(id)
      ORDER BY c.starts_on NULLS LAST, c.code, ma.module_number
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
      WHERE participant_id = \(id) ORDER BY issued_at DESC, id DESC
      """
    ).map { row in
      CertificateSummary(
        serial: try row.decode("serial"), kind: try row.decode("kind"), module: try row.decode("module_number"),
        status: try row.decode("status"), issuedAt: try row.decode("issued_at"))
    }
  }
}
