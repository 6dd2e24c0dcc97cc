import BeccariaCore
import Foundation
import Postgres

/// A municipality as listed, with its count of participants and certified specialists.
public struct MunicipalityListing: Codable, Sendable, Equatable {
  public var ags: String
  public var name: String
  public var district: String?
  public var asskommMemberSince: CalendarDate?
  public var participants: Int
}

/// What an upsert did.
public struct UpsertCounts: Sendable, Equatable {
  public var inserted: Int
  public var updated: Int
  public var unchanged: Int
}

/// The municipality register.
public struct MunicipalityStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Inserts or updates municipalities by AGS, all in one transaction.
  public func upsert(_ municipalities: [Municipality]) throws -> UpsertCounts {
    try connection.transaction { db in
      var counts = UpsertCounts(inserted: 0, updated: 0, unchanged: 0)
      for municipality in municipalities {
        let row = try db.queryOne(
          """
          INSERT INTO municipality AS m (ags, name, district, asskomm_member_since)
          VALUES (\(municipality.ags.value), \(municipality.name), \(municipality.district),
                  \(municipality.asskommMemberSince?.postgres))
          ON CONFLICT (ags) DO UPDATE
            SET name = EXCLUDED.name, district = EXCLUDED.district,
                asskomm_member_since = EXCLUDED.asskomm_member_since, updated_at = now()
            WHERE (m.name, m.district, m.asskomm_member_since)
                  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.district, EXCLUDED.asskomm_member_since)
          RETURNING (xmax = 0) AS inserted
          """)
        switch try row?.decode("inserted", as: Bool.self) {
        case true?: counts.inserted += 1
        case false?: counts.updated += 1
        case nil: counts.unchanged += 1
        }
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
      ORDER BY m.name, m.ags
      """
    ).map { row in
      MunicipalityListing(
        ags: try row.decode("ags"), name: try row.decode("name"), district: try row.decode("district"),
        asskommMemberSince: try row.optionalDate("asskomm_member_since"), participants: try row.decode("participants"))
    }
  }
}
