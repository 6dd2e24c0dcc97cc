import BeccariaCore
import Foundation
import Postgres
import Signing

/// Programme definitions in the database: versioned, never overwritten.
public struct ProgrammeStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// The canonical JSON of a definition (sorted keys) and its SHA-256.
  static func canonical(_ definition: ProgrammeDefinition) throws -> (json: Data, sha256: String) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try encoder.encode(definition)
    return (json, json.sha256Hex)
  }

  /// Whether the programme's newest stored version has mail texts (schema 0024, `mail_settings`):
  /// false for a programme not stored yet.
  public func sendsMail(_ code: String) throws -> Bool {
    try connection.queryOne("SELECT mail_settings(id) IS NOT NULL AS sends FROM programme WHERE code = \(code)")?.decode(
      "sends", as: Bool.self) ?? false
  }

  /// Stores `definition` as a new version when its content differs from the latest stored one;
  /// does nothing when it is the same. A changed definition must carry a higher `version`.
  public func load(_ definition: ProgrammeDefinition) throws -> ProgrammeLoadOutcome {
    let (_, checksum) = try Self.canonical(definition)
    return try connection.transaction { db in
      try db.execute("INSERT INTO programme (code) VALUES (\(definition.code)) ON CONFLICT (code) DO NOTHING")
      // The row lock makes concurrent loads of one programme take turns.
      guard let programme = try db.queryOne("SELECT id FROM programme WHERE code = \(definition.code) FOR UPDATE") else {
        throw StoreError.corrupt(tr("programme %@ vanished while loading", definition.code))
      }
      let programmeID: Int64 = try programme.decode("id")
      let latest = try db.queryOne(
        """
        SELECT version, definition_sha256 FROM programme_version
        WHERE programme_id = \(programmeID) ORDER BY version DESC LIMIT 1
        """)
      if let latest {
        let latestVersion: Int = try latest.decode("version")
        if try latest.decode("definition_sha256", as: String.self) == checksum {
          return .unchanged(version: latestVersion)
        }
        guard definition.version > latestVersion else {
          throw StoreError.conflict(
            tr(
              "programme %@ version %@ is already stored with different content; set `version: %@` in the file to store the change as a new version",
              definition.code, latestVersion, latestVersion + 1))
        }
      }
      let versionRow = try db.queryOne(
        """
        INSERT INTO programme_version (programme_id, version, title, attendance_threshold, excused_counts,
                                       project_required, definition, definition_sha256)
        VALUES (\(programmeID), \(definition.version), \(definition.title),
                \(definition.completion.attendanceThreshold), \(definition.completion.excusedCounts),
                \(definition.completion.projectRequired), \(JSONB(definition)), \(checksum))
        RETURNING id
        """)
      guard let versionID: Int64 = try versionRow?.decode("id") else {
        throw StoreError.corrupt(tr("programme version was not created"))
      }
      for module in definition.modules {
        try db.execute(
          """
          INSERT INTO programme_module (programme_version_id, number, title, ue, blocks)
          VALUES (\(versionID), \(module.number), \(module.title), \(module.ue), \(JSONB(module.blocks)))
          """)
      }
      return .created(version: definition.version)
    }
  }

  /// Every programme with its latest version.
  public func list() throws -> [ProgrammeSummary] {
    try connection.query(
      """
      SELECT p.code, v.title, v.version, v.attendance_threshold, v.loaded_at,
             (SELECT count(*) FROM programme_module m WHERE m.programme_version_id = v.id) AS modules,
             (SELECT coalesce(sum(m.ue), 0) FROM programme_module m WHERE m.programme_version_id = v.id) AS total_ue,
             (SELECT count(*) FROM programme_version w WHERE w.programme_id = p.id) AS versions,
             (SELECT count(*) FROM course c JOIN programme_version w ON w.id = c.programme_version_id
               WHERE w.programme_id = p.id) AS courses
      FROM programme p
      JOIN LATERAL (SELECT * FROM programme_version v WHERE v.programme_id = p.id
                    ORDER BY v.version DESC LIMIT 1) v ON true
      ORDER BY p.code
      """
    ).map { row in
      ProgrammeSummary(
        code: try row.decode("code"), title: try row.decode("title"), version: try row.decode("version"),
        modules: try row.decode("modules"), totalUE: try row.decode("total_ue"),
        attendanceThreshold: try row.decode("attendance_threshold"), loadedAt: try row.decode("loaded_at"),
        versions: try row.decode("versions"), courses: try row.decode("courses"))
    }
  }

  /// The latest version of `code` (or the given version).
  public func find(code: String, version: Int? = nil) throws -> StoredProgramme {
    let row = try connection.queryOne(
      """
      SELECT p.id AS programme_id, v.id AS version_id, v.definition, v.loaded_at, v.definition_sha256
      FROM programme p JOIN programme_version v ON v.programme_id = p.id
      WHERE p.code = \(code) AND (\(version)::integer IS NULL OR v.version = \(version))
      ORDER BY v.version DESC LIMIT 1
      """)
    guard let row else {
      if let version { throw StoreError.notFound(tr("programme %@ version %@", code, version)) }
      throw StoreError.notFound(tr("programme %@", code))
    }
    return StoredProgramme(
      id: ProgrammeID(try row.decode("programme_id")), versionID: ProgrammeVersionID(try row.decode("version_id")),
      definition: try row.decodeJSON("definition"), loadedAt: try row.decode("loaded_at"),
      checksum: try row.decode("definition_sha256"))
  }
}
