import BeccariaCore
import Foundation
import Postgres

/// Certificates whose basis changed after issue. A certificate is never changed by a later
/// correction (it is frozen, and signed); the office decides whether to revoke or re-issue it.
public struct CertificateReview {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Valid certificates with changes after their issue, by serial; optionally of one participant.
  public func list(participant: ParticipantID? = nil) throws -> [ReviewEntry] {
    // A re-issue prints the old certificate's content with a new name and serial: what it rests
    // on is as old as the first certificate of its chain, whose issue the changes are compared with.
    let rows = try connection.query(
      """
      WITH RECURSIVE chain AS (
        SELECT c.id AS leaf, c.supersedes, c.issued_at FROM certificate c
        WHERE c.status = 'valid' AND (\(participant)::bigint IS NULL OR c.participant_id = \(participant))
        UNION ALL
        SELECT chain.leaf, p.supersedes, p.issued_at FROM chain JOIN certificate p ON p.id = chain.supersedes
      ), first_issue AS (
        SELECT leaf, min(issued_at) AS issued_at FROM chain GROUP BY leaf
      )
      SELECT c.serial, c.kind, c.module_number, c.participant_id, c.programme_id, c.issued_at,
             p.given_names || ' ' || p.family_name AS name,
             (SELECT jsonb_agg(jsonb_build_object('kind', b.kind,
                                                  'at', to_char(b.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
                               ORDER BY b.kind)
                FROM certificate_basis_change b
               WHERE b.participant_id = c.participant_id AND b.programme_id = c.programme_id AND b.changed_at > f.issued_at) AS changes
      FROM first_issue f JOIN certificate c ON c.id = f.leaf JOIN participant p ON p.id = c.participant_id
      WHERE EXISTS (SELECT 1 FROM certificate_basis_change b
                     WHERE b.participant_id = c.participant_id AND b.programme_id = c.programme_id AND b.changed_at > f.issued_at)
      ORDER BY c.serial
      """)
    struct Found { var entry: ReviewEntry; var programme: ProgrammeID }
    let found = try rows.map { row in
      Found(
        entry: ReviewEntry(
          serial: try row.decode("serial"), kind: try row.decode("kind"),
          module: try row.decode("module_number"), participantID: try row.decode("participant_id"),
          holderName: try row.decode("name"), issuedAt: try row.decode("issued_at"), changes: try row.decodeJSON("changes"),
          noLongerMet: nil),
        programme: try row.decode("programme_id"))
    }
    // The rules as they stand today, for each holder and programme at once.
    let keys = Array(Set(found.map { DueKey(participant: $0.entry.participantID, programme: $0.programme) }))
    var inputs: [DueKey: EligibilityInput] = [:]
    for eligibility in try EligibilityReader(connection).cases(for: keys) { inputs[eligibility.key] = eligibility.input }
    return found.map { item in
      var entry = item.entry
      let key = DueKey(participant: entry.participantID, programme: item.programme)
      entry.noLongerMet = inputs[key].flatMap { Self.unmet(entry, input: $0) }
      return entry
    }
  }

  /// Why the rules no longer support a certificate, or nil.
  static func unmet(_ entry: ReviewEntry, input: EligibilityInput) -> String? {
    let met = Set(input.credits.map(\.module))
    if let module = entry.module {
      return met.contains(module) ? nil : tr("module %@: the attendance threshold is no longer met", module)
    }
    var reasons = input.requiredModules.filter { !met.contains($0) }.map {
      tr("module %@: the attendance threshold is no longer met", $0)
    }
    if input.projectRequired && input.projectPassedOn == nil { reasons.append(tr("no passed project work")) }
    return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
  }

  /// Valid certificates of `participant` that rest on attendance at `session` (its programme, and
  /// its module for a Teilnahmebescheinigung), or on the programme's assessments when `session` is
  /// nil: what a correction there touches. Serials with their issue dates, `BQ-… (issued …)`.
  public func resting(participant: ParticipantID, session: SessionID?, programmeCode: String? = nil) throws -> [String] {
    try connection.query(
      """
      SELECT c.serial, to_char(c.issued_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD') AS issued
      FROM certificate c
      LEFT JOIN session s ON s.id = \(session)
      LEFT JOIN programme_version v ON v.id = s.programme_version_id
      LEFT JOIN programme pr ON pr.code = \(programmeCode)
      WHERE c.participant_id = \(participant) AND c.status = 'valid'
        AND c.programme_id = coalesce(v.programme_id, pr.id)
        AND (CASE WHEN s.id IS NOT NULL THEN c.module_number IS NULL OR c.module_number = s.module_number
                  ELSE c.kind = 'zertifikat' END)
      ORDER BY c.serial
      """
    ).map { tr("%@ (issued %@)", try $0.decode("serial", as: String.self), try $0.decode("issued", as: String.self)) }
  }
}
