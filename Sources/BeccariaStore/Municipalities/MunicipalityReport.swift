import BeccariaCore
import Foundation
import Postgres

/// The country-wide report: per municipality, people trained and certified. Set-based: one
/// aggregate per source table, joined by AGS.
public struct MunicipalityReport {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// `state` is the AGS's two-digit Land prefix (14 = Sachsen); `ags` one municipality; `district`
  /// a Landkreis or kreisfreie Stadt by name (case and accents aside).
  public func rows(state: String?, members: Bool, ags: String? = nil, district: String? = nil) throws
    -> [MunicipalityReportRow]
  {
    // One municipality or a district narrows every part by AGS (the Land filter works the same).
    let prefix = ags ?? state
    return try connection.query(
      """
      WITH people AS (
        SELECT municipality_ags AS ags, count(*)::integer AS n FROM participant
        WHERE erased_at IS NULL AND (\(prefix)::text IS NULL OR municipality_ags LIKE \(prefix) || '%') GROUP BY 1
      ), enrolled AS (
        SELECT p.municipality_ags AS ags, count(DISTINCT p.id)::integer AS n
        FROM enrolment e JOIN participant p ON p.id = e.participant_id JOIN course c ON c.id = e.course_id
        WHERE e.status = 'enrolled' AND c.status IN ('open', 'running')
          AND (\(prefix)::text IS NULL OR p.municipality_ags LIKE \(prefix) || '%')
        GROUP BY 1
      ), issued AS (
        SELECT p.municipality_ags AS ags, count(*) FILTER (WHERE c.kind = 'zertifikat')::integer AS z,
               count(*) FILTER (WHERE c.kind = 'teilnahmebescheinigung')::integer AS t, max(c.completed_on) AS last
        FROM certificate c JOIN participant p ON p.id = c.participant_id
        WHERE c.status = 'valid' AND (\(prefix)::text IS NULL OR p.municipality_ags LIKE \(prefix) || '%')
        GROUP BY 1
      )
      SELECT m.ags, m.name, m.district, m.asskomm_member_since, coalesce(people.n, 0) AS participants,
             coalesce(enrolled.n, 0) AS enrolled_now, coalesce(issued.z, 0) AS zertifikate, coalesce(issued.t, 0) AS teilnahme,
             issued.last
      FROM municipality m
      LEFT JOIN people ON people.ags = m.ags LEFT JOIN enrolled ON enrolled.ags = m.ags LEFT JOIN issued ON issued.ags = m.ags
      WHERE (\(prefix)::text IS NULL OR m.ags LIKE \(prefix) || '%') AND (NOT \(members) OR m.asskomm_member_since IS NOT NULL)
        AND (\(district)::text IS NULL OR beccaria_fold(m.district) = beccaria_fold(\(district)))
      ORDER BY m.ags
      """
    ).map {
      MunicipalityReportRow(
        ags: try $0.decode("ags"), name: try $0.decode("name"), district: try $0.decode("district"),
        asskommMemberSince: try $0.optionalDate("asskomm_member_since"), participants: try $0.decode("participants"),
        enrolledNow: try $0.decode("enrolled_now"), zertifikate: try $0.decode("zertifikate"),
        teilnahmebescheinigungen: try $0.decode("teilnahme"), lastCertificate: try $0.optionalDate("last"))
    }
  }

  /// The districts of the register, for a refusal that names them.
  public func districts() throws -> [String] {
    try connection.query("SELECT DISTINCT district FROM municipality WHERE district IS NOT NULL ORDER BY 1").map {
      try $0.decode("district")
    }
  }
}
