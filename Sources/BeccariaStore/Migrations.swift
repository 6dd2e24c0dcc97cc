import Foundation
import Logging
import Postgres

/// The migrations embedded in this binary at build time from `schema/NNNN_name.sql`.
public enum EmbeddedMigrations {
  /// Every shipped migration in order. Throws if a file name breaks the `NNNN_name.sql` rule.
  public static func all() throws -> [Migration] {
    try files.map { file in
      guard let bytes = Data(base64Encoded: file.base64) else {
        throw MigrationError.unreadable(file.name)
      }
      return try Migration(name: file.name, bytes: bytes)
    }
  }
}

/// One schema migration file.
public struct Migration: Sendable, Equatable {
  /// The number before the first underscore (`0001`).
  public let version: Int
  /// The file name (`0001_domain.sql`).
  public let name: String
  public let sql: String
  /// SHA-256 of the file's exact bytes, hex.
  public let checksum: String

  public init(name: String, bytes: Data) throws {
    guard let prefix = name.split(separator: "_").first, prefix.count == 4,
      let version = Int(prefix), version > 0, name.hasSuffix(".sql")
    else { throw MigrationError.badName(name) }
    guard let sql = String(data: bytes, encoding: .utf8) else { throw MigrationError.unreadable(name) }
    self.version = version
    self.name = name
    self.sql = sql
    self.checksum = bytes.sha256Hex
  }
}

/// Why migrating stopped.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
  case badName(String)
  case unreadable(String)
  case changedAfterApply(name: String, applied: String, shipped: String)
  case unknownApplied(name: String)

  public var description: String {
    switch self {
    case .badName(let name):
      "migration file \"\(name)\" must be named NNNN_name.sql"
    case .unreadable(let name):
      "migration file \"\(name)\" is not UTF-8 text"
    case .changedAfterApply(let name, let applied, let shipped):
      "migration \(name) was changed after it was applied (applied checksum \(applied.prefix(12))…, "
        + "this build has \(shipped.prefix(12))…); applied migrations must never change: put the change in a new migration file"
    case .unknownApplied(let name):
      "the database has migration \(name) applied, which this build does not know; use a newer beccaria"
    }
  }
}

/// Where one migration stands in a database.
public struct MigrationState: Sendable, Equatable {
  public enum Status: String, Sendable { case applied, pending, changed, unknown }
  public var version: Int
  public var name: String
  public var status: Status
  public var appliedAt: Date?
}

/// Applies migrations in order, each in its own transaction, under an advisory lock so that any
/// number of concurrent `db migrate` calls end with one schema.
public struct Migrator {
  /// Advisory lock key shared by every migrator ("beccaria" in ASCII).
  public static let lockKey: Int64 = 0x6265_6363_6172_6961
  let connection: Connection
  let migrations: [Migration]
  let logger: Logger

  public init(connection: Connection, migrations: [Migration], logger: Logger = Logger(label: "beccaria.migrate")) {
    self.connection = connection
    self.migrations = migrations.sorted { $0.version < $1.version }
    self.logger = logger
  }

  /// Applies every pending migration; returns those applied now (empty when up to date).
  @discardableResult
  public func migrate() throws -> [Migration] {
    try connection.withAdvisoryLock(Self.lockKey) {
      try ensureTable()
      let applied = try appliedMigrations()
      try verify(applied)
      var done: [Migration] = []
      for migration in migrations where applied[migration.version] == nil {
        logger.info("applying migration \(migration.name)")
        try connection.transaction { connection in
          try connection.executeScript(unsafeSQL: migration.sql)
          try connection.execute(
            """
            INSERT INTO schema_migration (version, name, checksum)
            VALUES (\(migration.version), \(migration.name), \(migration.checksum))
            """)
        }
        done.append(migration)
      }
      return done
    }
  }

  /// Applied and pending migrations, and any applied file that changed.
  public func status() throws -> [MigrationState] {
    let exists =
      try connection.queryOne("SELECT to_regclass('schema_migration') IS NOT NULL AS present")?
      .decode("present", as: Bool.self) ?? false
    let applied = exists ? try appliedMigrations() : [:]
    var states: [MigrationState] = migrations.map { migration in
      guard let record = applied[migration.version] else {
        return MigrationState(version: migration.version, name: migration.name, status: .pending)
      }
      return MigrationState(
        version: migration.version, name: migration.name,
        status: record.checksum == migration.checksum ? .applied : .changed, appliedAt: record.appliedAt)
    }
    let known = Set(migrations.map(\.version))
    for (version, record) in applied where !known.contains(version) {
      states.append(MigrationState(version: version, name: record.name, status: .unknown, appliedAt: record.appliedAt))
    }
    return states.sorted { $0.version < $1.version }
  }

  /// Throws when the database's applied migrations disagree with this build's files.
  public func verify() throws {
    try verify(try appliedMigrations())
  }

  private func verify(_ applied: [Int: AppliedRecord]) throws {
    let shipped = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
    for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
      guard let migration = shipped[version] else { throw MigrationError.unknownApplied(name: record.name) }
      if migration.checksum != record.checksum {
        throw MigrationError.changedAfterApply(name: migration.name, applied: record.checksum, shipped: migration.checksum)
      }
    }
  }

  private struct AppliedRecord {
    var name: String
    var checksum: String
    var appliedAt: Date
  }

  private func ensureTable() throws {
    // Checked first so that the server does not log "already exists" on every run.
    let present =
      try connection.queryOne("SELECT to_regclass('schema_migration') IS NOT NULL AS present")?
      .decode("present", as: Bool.self) ?? false
    if present { return }
    try connection.execute(
      """
      CREATE TABLE IF NOT EXISTS schema_migration (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
        applied_at timestamptz NOT NULL DEFAULT now(),
        applied_by text NOT NULL DEFAULT session_user
      )
      """)
  }

  private func appliedMigrations() throws -> [Int: AppliedRecord] {
    var records: [Int: AppliedRecord] = [:]
    for row in try connection.query("SELECT version, name, checksum, applied_at FROM schema_migration") {
      records[try row.decode("version")] = AppliedRecord(
        name: try row.decode("name"), checksum: try row.decode("checksum"), appliedAt: try row.decode("applied_at"))
    }
    return records
  }
}
