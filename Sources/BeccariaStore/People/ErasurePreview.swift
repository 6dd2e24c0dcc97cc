import BeccariaCore
import Foundation
import Postgres

/// What `participant erase` would affect, for the person at the terminal to check before they
/// confirm (and for `--dry-run`).
public struct ErasurePreview: Sendable, Equatable {
  public var participant: ParticipantListing
  /// Enrolments that would end: "BQ-SN-2027-1 (enrolled)", "BQ-SN-2027-2 (waiting)".
  public var openEnrolments: [String]
  /// Attendance records whose figures stay (without the person's notes).
  public var attendance: Int
  /// Certificates that stay verifiable: "BQ-2026-000042 (valid)".
  public var certificates: [String]
  /// Files registered as holding the person's data (exports, sheets, PDFs) still present.
  public var files: Int
  /// Messages in the outbox about the person (kept without address or text).
  public var messages: Int?
}

extension DataProtection {
  /// What erasing `participant` would touch; throws for an unknown one.
  public func preview(_ participant: ParticipantID) throws -> ErasurePreview {
    let person = try ParticipantStore(connection).find(participant)
    let enrolments = try connection.query(
      """
      SELECT c.code, e.status FROM enrolment e JOIN course c ON c.id = e.course_id
      WHERE e.participant_id = \(participant) AND e.status IN ('enrolled', 'waiting') ORDER BY c.code
      """
    ).map { "\(try $0.decode("code", as: String.self)) (\(Term.word(try $0.decode("status", as: String.self))))" }
    let certificates = try connection.query(
      "SELECT serial, status FROM certificate WHERE participant_id = \(participant) ORDER BY serial"
    ).map { "\(try $0.decode("serial", as: String.self)) (\(Term.word(try $0.decode("status", as: String.self))))" }
    let count = { (sql: SQL) in try self.connection.queryOne(sql)?.decode("n", as: Int.self) ?? 0 }
    return ErasurePreview(
      participant: person, openEnrolments: enrolments,
      attendance: try count("SELECT count(*)::integer AS n FROM attendance WHERE participant_id = \(participant)"),
      certificates: certificates,
      // The files the erasure itself will list (exports, sheets, and the PDFs runs wrote).
      files: try count("SELECT jsonb_array_length(participant_files(\(participant)))::integer AS n"),
      messages: try connection.canRead("mail_message")
        ? count("SELECT count(*)::integer AS n FROM mail_message WHERE participant_id = \(participant)") : nil)
  }
}
