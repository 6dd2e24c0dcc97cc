import BeccariaCore
import Foundation
import Postgres

/// The municipality register.
public struct MunicipalityStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Inserts or updates municipalities by AGS, all in one transaction. Of the optional fields,
  /// only those in `given` are written to a known municipality; the others keep their stored
  /// values. Each update is described in `UpsertCounts.changes`.
  public func upsert(_ municipalities: [Municipality], given: Set<MunicipalityField>) throws -> UpsertCounts {
    try connection.transaction { db in
      var counts = UpsertCounts(inserted: 0, updated: 0, unchanged: 0)
      for municipality in municipalities {
        guard
          let stored = try db.queryOne(
            "SELECT name, district, asskomm_member_since FROM municipality WHERE ags = \(municipality.ags.value) FOR UPDATE")
        else {
          try db.execute(
            """
            INSERT INTO municipality (ags, name, district, asskomm_member_since)
            VALUES (\(municipality.ags.value), \(municipality.name), \(municipality.district), \(municipality.asskommMemberSince?.postgres))
            """)
          counts.inserted += 1
          continue
        }
        let oldName: String = try stored.decode("name")
        let oldDistrict: String? = try stored.decode("district")
        let oldSince = try stored.optionalDate("asskomm_member_since")
        let district = given.contains(.district) ? municipality.district : oldDistrict
        let since = given.contains(.asskommMemberSince) ? municipality.asskommMemberSince : oldSince
        var changed: [String] = []
        func quoted(_ text: String?) -> String { text.map { "\"\($0)\"" } ?? "–" }
        if municipality.name != oldName { changed.append(tr("name %@ → %@", quoted(oldName), quoted(municipality.name))) }
        if district != oldDistrict { changed.append(tr("district %@ → %@", quoted(oldDistrict), quoted(district))) }
        if since != oldSince {
          changed.append(tr("ASSKomm member since %@ → %@", oldSince?.description ?? "–", since?.description ?? "–"))
        }
        guard !changed.isEmpty else {
          counts.unchanged += 1
          continue
        }
        try db.execute(
          """
          UPDATE municipality SET name = \(municipality.name), district = \(district), asskomm_member_since = \(since?.postgres),
                 updated_at = now()
          WHERE ags = \(municipality.ags.value)
          """)
        counts.updated += 1
        counts.changes.append("\(municipality.ags) \(municipality.name): " + changed.joined(separator: "; "))
      }
      return counts
    }
  }

  /// The AGS among `keys` that are not in the register.
  public func unknown(_ keys: [String]) throws -> Set<String> {
    guard !keys.isEmpty else { return [] }
    let rows = try connection.query(
      """
      SELECT k AS ags FROM unnest(\(PostgresArray(Array(Set(keys))))) AS k
      WHERE NOT EXISTS (SELECT 1 FROM municipality m WHERE m.ags = k)
      """)
    return Set(try rows.map { try $0.decode("ags", as: String.self) })
  }

  /// Membership filter of `list`.
  public enum Membership: String, Sendable, CaseIterable {
    case any, members, nonMembers = "non-members"
  }

  /// The register, optionally filtered by district (case-insensitive) and membership.
  public func list(district: String? = nil, membership: Membership = .any) throws -> [MunicipalityListing] {
    try connection.query(
      """
      SELECT m.ags, m.name, m.district, m.asskomm_member_since,
             (SELECT count(*) FROM participant p WHERE p.municipality_ags = m.ags AND p.erased_at IS NULL) AS participants
      FROM municipality m
      WHERE (\(district)::text IS NULL OR beccaria_fold(m.district) = beccaria_fold(\(district)))
        AND (\(membership.rawValue) = 'any'
             OR (\(membership.rawValue) = 'members' AND m.asskomm_member_since IS NOT NULL)
             OR (\(membership.rawValue) = 'non-members' AND m.asskomm_member_since IS NULL))
      ORDER BY m.name COLLATE german, m.ags
      """
    ).map { row in
      MunicipalityListing(
        ags: try row.decode("ags"), name: try row.decode("name"), district: try row.decode("district"),
        asskommMemberSince: try row.optionalDate("asskomm_member_since"), participants: try row.decode("participants"))
    }
  }
}
