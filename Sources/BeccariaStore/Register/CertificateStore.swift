import BeccariaCore
import Foundation
import Postgres

/// Issued certificates: listing, showing, exporting stored bytes; project results.
public struct CertificateStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// A certificate's status is the one its history records (schema 0015's status events): a
  /// status field set back behind the guards does not make a revoked certificate look valid.
  static let listingSQL: SQL = """
    SELECT c.serial, c.kind, c.module_number, c.participant_id, c.snapshot->>'holderName' AS holder,
           coalesce(e.status, c.status) AS status, c.issued_at, c.completed_on, c.pdf_sha256, c.run_id
    FROM certificate c LEFT JOIN certificate_status_event e ON e.certificate_id = c.id
    """

  static func listing(_ row: Row) throws -> CertificateListing {
    CertificateListing(
      serial: try row.decode("serial"), kind: try row.decode("kind"),
      module: try row.decode("module_number"), participantID: try row.decode("participant_id"),
      holderName: try row.decode("holder"), status: try row.decode("status"), issuedAt: try row.decode("issued_at"),
      completedOn: try row.date("completed_on"), sha256: try row.decode("pdf_sha256"), runID: try row.decode("run_id"))
  }

  /// Filters of `list`.
  public struct Filter: Sendable {
    public var participant: ParticipantID?
    public var status: CertificateStatus?
    public var year: Int?
    public var run: CertificateRunID?
    public init(
      participant: ParticipantID? = nil, status: CertificateStatus? = nil, year: Int? = nil, run: CertificateRunID? = nil
    ) {
      self.participant = participant
      self.status = status
      self.year = year
      self.run = run
    }
  }

  public func list(_ filter: Filter = Filter()) throws -> [CertificateListing] {
    try connection.query(
      """
      \(Self.listingSQL)
      WHERE (\(filter.participant)::bigint IS NULL OR c.participant_id = \(filter.participant))
        AND (\(filter.status)::text IS NULL OR coalesce(e.status, c.status) = \(filter.status))
        AND (\(filter.year)::integer IS NULL OR c.serial LIKE 'BQ-' || \(filter.year)::text || '-%')
        AND (\(filter.run)::bigint IS NULL OR c.run_id = \(filter.run))
      ORDER BY c.serial
      """
    ).map(Self.listing)
  }

  public func find(serial: String) throws -> StoredCertificate {
    guard
      let row = try connection.queryOne(
        """
        SELECT c.serial, c.kind, c.module_number, c.participant_id, c.snapshot->>'holderName' AS holder,
               coalesce(e.status, c.status) AS status, c.issued_at, c.completed_on, c.pdf_sha256, c.run_id, c.snapshot, c.pdf,
               coalesce(e.at, c.revoked_at) AS revoked_at, coalesce(e.reason, c.revocation_reason) AS revocation_reason,
               s.serial AS superseded_by,
               CASE WHEN coalesce(e.status, 'valid') <> c.status THEN c.status END AS altered_status, c.holder_erased_at
        FROM certificate c LEFT JOIN certificate s ON s.id = c.superseded_by
        LEFT JOIN certificate_status_event e ON e.certificate_id = c.id
        WHERE c.serial = \(serial)
        """)
    else { throw StoreError.notFound(tr("certificate %@", serial)) }
    let status: CertificateStatus = try row.decode("status")
    return StoredCertificate(
      listing: try Self.listing(row), snapshot: try row.decodeJSON("snapshot"), pdf: try row.decode("pdf"),
      revokedAt: status == .revoked ? try row.decode("revoked_at") : nil,
      revocationReason: status == .revoked ? try row.decode("revocation_reason") : nil,
      supersededBy: try row.decode("superseded_by"), alteredStatus: try row.decode("altered_status"),
      holderErasedAt: try row.decode("holder_erased_at"))
  }

  /// Records the result of a participant's project work (or exam, colloquium).
  public func recordAssessment(
    participant: ParticipantID, programmeCode: String, kind: AssessmentKind, result: AssessmentResult, title: String?,
    assessedOn: CalendarDate,
    courseCode: String?, note: String?
  ) throws {
    try connection.transaction { db in
      guard let programme = try db.queryOne("SELECT id FROM programme WHERE code = \(programmeCode)") else {
        throw StoreError.notFound(tr("programme %@", programmeCode))
      }
      _ = try ParticipantStore(db).find(participant)
      var courseID: Int64?
      if let courseCode {
        guard let course = try db.queryOne("SELECT id FROM course WHERE code = \(courseCode)") else {
          throw StoreError.notFound(tr("cohort %@", courseCode))
        }
        courseID = try course.decode("id")
      }
      try db.execute(
        """
        INSERT INTO assessment (participant_id, programme_id, course_id, kind, result, title, assessed_on, note)
        VALUES (\(participant), \(try programme.decode("id", as: Int64.self)), \(courseID), \(kind),
                \(result), \(title), \(assessedOn.postgres), \(note))
        """)
    }
  }

  /// What the rules say now for one participant: due certificates and what is still missing,
  /// per programme they are enrolled in.
  public func explain(_ participant: ParticipantID) throws -> [(programme: String, verdict: EligibilityVerdict)] {
    let programmes = try connection.query(
      """
      SELECT DISTINCT v.programme_id, p.code FROM enrolment e JOIN course c ON c.id = e.course_id
      JOIN programme_version v ON v.id = c.programme_version_id JOIN programme p ON p.id = v.programme_id
      WHERE e.participant_id = \(participant) ORDER BY p.code
      """)
    var codes: [ProgrammeID: String] = [:]
    for row in programmes { codes[try row.decode("programme_id")] = try row.decode("code") }
    let cases = try EligibilityReader(connection).cases(
      for: codes.keys.sorted().map { DueKey(participant: participant, programme: $0) })
    return cases.map { (codes[$0.key.programme] ?? "?", Eligibility.evaluate($0.input)) }
  }
}
