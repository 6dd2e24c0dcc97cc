import BeccariaCore
import Foundation
import Logging
import Postgres
import Signing

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
  /// Checksums of earlier texts of this file that a database may have applied, for a file
  /// rewritten so that it does the same to a database that applied the earlier text (see
  /// `Migration.rewritten`). Empty for files never rewritten.
  public var formerChecksums: Set<String> { Self.rewritten[name] ?? [] }

  /// Files rewritten after release, with the checksums of their earlier texts. A rewrite must
  /// leave every database that applied the earlier text as the new text would; it exists only
  /// so that a database that has not applied the file yet gets the better text.
  /// - 0006_access.sql, 0015_register.sql: create the group roles only when missing (a DBA
  ///   creates them once, scripts/dba-roles.sql), so that the owner needs no CREATEROLE.
  /// - 0005_signatures.sql, 0015_register.sql: the signature constraints are added NOT VALID (and
  ///   validated where the rows allow), so that a database with certificates issued before
  ///   signatures migrates; on a database without such rows they hold as before.
  public static let rewritten: [String: Set<String>] = [
    "0005_signatures.sql": ["3a3c6e2d2281c6d819bebfa1f3d0f8fe34191a1866027d54b4db8cd809431398"],
    "0006_access.sql": ["7d887208ab07e4baaa01789fec581ae7c2b0da2ad99187a72682e631dae475f5"],
    "0015_register.sql": ["a02ec71c0113715e4fc0ad2e15fd747ce1b9f31331b0d4c98841a2ad209c7504"],
  ]

  /// Whether the database's record of this file (its checksum when applied) matches it.
  public func matches(appliedChecksum: String) -> Bool {
    appliedChecksum == checksum || formerChecksums.contains(appliedChecksum)
  }

  /// Whether the file runs outside a transaction, one statement at a time (its first line is
  /// `-- beccaria: no transaction`), for what PostgreSQL refuses inside one: `CREATE INDEX
  /// CONCURRENTLY`, which builds an index on a populated table without blocking its writers.
  /// Such a file is recorded as applied only after its last statement; its statements must be
  /// safe to run again (`IF NOT EXISTS`, or a `DROP … IF EXISTS` first), since a migration
  /// stopped half-way runs again from its first statement. Statements end with `;` at the end
  /// of a line; dollar quoting is not allowed in such a file.
  public var outsideTransaction: Bool {
    sql.split(separator: "\n", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) }
      == Self.outsideTransactionMarker
  }
  public static let outsideTransactionMarker = "-- beccaria: no transaction"

  /// The statements of a file that runs outside a transaction: split after each line that ends
  /// with `;`, comment lines dropped.
  public var statements: [String] {
    var result: [String] = []
    var current = ""
    for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("--") || trimmed.isEmpty { continue }
      current += line + "\n"
      if trimmed.hasSuffix(";") {
        result.append(current)
        current = ""
      }
    }
    if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { result.append(current) }
    return result
  }

  public init(name: String, bytes: Data) throws {
    guard let prefix = name.split(separator: "_").first, prefix.count == 4,
      let version = Int(prefix), version > 0, name.hasSuffix(".sql")
    else { throw MigrationError.badName(name) }
    guard let sql = String(data: bytes, encoding: .utf8) else { throw MigrationError.unreadable(name) }
    self.version = version
    self.name = name
    self.sql = sql
    self.checksum = bytes.sha256Hex
    if outsideTransaction && sql.contains("$$") { throw MigrationError.dollarQuotedOutsideTransaction(name) }
  }
}

/// Why migrating stopped.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
  case badName(String)
  case unreadable(String)
  case changedAfterApply(name: String, applied: String, shipped: String)
  case unknownApplied(name: String)
  case dollarQuotedOutsideTransaction(String)
  /// Waited `seconds` for a lock; `lock` names it, `holders` the sessions holding it.
  case lockTimeout(lock: String, seconds: Int, holders: [String])
  /// The cluster's beccaria roles belong to the database `bound` (scripts/dba-roles.sql), not to
  /// this one.
  case rolesBoundElsewhere(bound: String, this: String)

  public var description: String {
    switch self {
    case .badName(let name):
      tr("migration file \"%@\" must be named NNNN_name.sql", name)
    case .unreadable(let name):
      tr("migration file \"%@\" is not UTF-8 text", name)
    case .changedAfterApply(let name, let applied, let shipped):
      tr(
        "migration %@ was changed after it was applied (applied checksum %@…, this build has %@…); applied migrations must never change: put the change in a new migration file",
        name, applied.prefix(12), shipped.prefix(12))
    case .dollarQuotedOutsideTransaction(let name):
      tr(
        "migration file \"%@\" runs outside a transaction and must not use dollar quoting (its statements are split at line ends)",
        name)
    case .unknownApplied(let name):
      tr("the database has migration %@ applied, which this build does not know; use a newer beccaria", name)
    case .rolesBoundElsewhere(let bound, let this):
      tr(
        "the beccaria roles of this PostgreSQL cluster belong to the database \"%@\" (scripts/dba-roles.sql); an admin there would be an admin of \"%@\" too. Give \"%@\" a cluster of its own",
        bound, this, this)
    case .lockTimeout(let lock, let seconds, let holders):
      tr("db migrate waited %@ s for %@ and gave up; nothing was changed by the step that waited.", seconds, lock) + " "
        + (holders.isEmpty
          ? tr("The session holding it has ended meanwhile; run db migrate again.")
          : tr(
            "Held by %@. End that session (a superuser can run SELECT pg_terminate_backend(PID)) or wait for it, then run db migrate again.",
            holders.joined(separator: "; ")))
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
/// number of concurrent `db migrate` calls end with one schema. Every lock is waited for at most
/// `lockTimeout` seconds: any login can take an advisory lock, and any reader holds a lock that
/// an `ALTER TABLE` waits for, so an unbounded wait would hang silently (and queue every later
/// reader behind the migration). A timeout names the lock and the sessions holding it.
public struct Migrator {
  /// Advisory lock key shared by every migrator ("beccaria" in ASCII).
  public static let lockKey: Int64 = 0x6265_6363_6172_6961
  let connection: Connection
  let migrations: [Migration]
  let logger: Logger
  /// Seconds to wait for any one lock.
  let lockTimeout: Int
  /// How often a migration that timed out waiting for a lock is tried in all.
  let attempts: Int
  /// Seconds to pause before the second attempt (twice that before the third, and so on).
  let retryPause: Double

  public init(
    connection: Connection, migrations: [Migration], lockTimeout: Int = 60, attempts: Int = 3, retryPause: Double = 5,
    logger: Logger = Logger(label: "beccaria.migrate")
  ) {
    self.connection = connection
    self.migrations = migrations.sorted { $0.version < $1.version }
    self.lockTimeout = lockTimeout
    self.attempts = max(1, attempts)
    self.retryPause = retryPause
    self.logger = logger
  }

  /// Applies every pending migration; returns those applied now (empty when up to date).
  @discardableResult
  public func migrate() throws -> [Migration] {
    try connection.execute("SELECT set_config('lock_timeout', \(String(lockTimeout * 1000)), false)")
    defer { _ = try? connection.execute("SELECT set_config('lock_timeout', '0', false)") }
    do {
      try connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
    } catch let error as PostgresError where error.sqlState == "55P03" {
      throw MigrationError.lockTimeout(
        lock: tr("the migration lock (advisory lock %@, held by one db migrate at a time)", Self.lockKey), seconds: lockTimeout,
        holders: try advisoryHolders())
    }
    defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))") }
    try RoleBinding.read(connection).require(database: connection.databaseName)
    var done: [Migration] = []
    var current: Migration?
    do {
      try ensureTable()
      let applied = try appliedMigrations()
      try verify(applied)
      for migration in migrations where applied[migration.version] == nil {
        logger.info("\(tr("applying migration %@", migration.name))")
        current = migration
        try withLockRetries(migration) { try apply(migration) }
        done.append(migration)
      }
    } catch let error as PostgresError where error.sqlState == "55P03" {
      throw MigrationError.lockTimeout(
        lock: current.map { tr("a lock on a table that migration %@ reads or changes", $0.name) }
          ?? tr("a lock on the table of applied migrations (schema_migration)"),
        seconds: lockTimeout, holders: try tableHolders())
    }
    try ensureDatabasePrivileges()
    return done
  }

  /// Runs `step` again after a lock timeout, up to `attempts` times with a growing pause: on a
  /// live database a migration's lock waits behind a long reader, and every later reader queues
  /// behind the migration; giving up after `lockTimeout` and trying again lets them through.
  func withLockRetries(_ migration: Migration, _ step: () throws -> Void) throws {
    var attempt = 1
    while true {
      do {
        return try step()
      } catch let error as PostgresError where error.sqlState == "55P03" && attempt < attempts {
        logger.warning(
          "\(tr("migration %@ waited %@ s for a lock; trying again (attempt %@ of %@)", migration.name, lockTimeout, attempt + 1, attempts))"
        )
        Thread.sleep(forTimeInterval: Double(attempt) * retryPause)
        attempt += 1
      }
    }
  }

  /// One migration: in a transaction with its record, or statement by statement and then its record.
  func apply(_ migration: Migration) throws {
    let record: SQL = """
      INSERT INTO schema_migration (version, name, checksum)
      VALUES (\(migration.version), \(migration.name), \(migration.checksum))
      """
    guard migration.outsideTransaction else {
      try connection.transaction { connection in
        try connection.executeScript(unsafeSQL: migration.sql)
        try connection.execute(record)
      }
      return
    }
    for statement in migration.statements { try connection.executeScript(unsafeSQL: statement) }
    try connection.execute(record)
  }

  /// Privileges on the database itself are not part of its schema: a copy made with `CREATE
  /// DATABASE … TEMPLATE`, or a restore without `--create`, starts again from PUBLIC's defaults.
  /// Every migrate sets them once more (as migration 0014 first did) when this role owns the
  /// database; `db status` warns when they are missing.
  func ensureDatabasePrivileges() throws {
    guard
      try connection.queryOne(
        """
        SELECT pg_has_role(current_user, d.datdba, 'USAGE') AND to_regrole('beccaria_admin') IS NOT NULL AS owner
        FROM pg_database d WHERE d.datname = current_database()
        """)?.decode("owner", as: Bool.self) == true
    else { return }
    let name = connection.databaseName
    try connection.execute("REVOKE TEMPORARY ON DATABASE \(identifier: name) FROM PUBLIC")
    // Trainers stage their attendance lists too (schema 0025).
    try connection.execute("GRANT TEMPORARY ON DATABASE \(identifier: name) TO beccaria_admin, beccaria_trainer")
    // Only beccaria's roles connect: PostgreSQL lets every login of the cluster connect to every
    // database by default, a login of another application (or another beccaria database) too.
    try connection.execute("REVOKE CONNECT ON DATABASE \(identifier: name) FROM PUBLIC")
    try connection.execute(
      "GRANT CONNECT ON DATABASE \(identifier: name) TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor")
    // The verification service's role (schema 0023) and the mailer's (0024) exist once their
    // migrations ran.
    for role in ["beccaria_verifier", "beccaria_mailer"]
    where try connection.queryOne("SELECT 1 FROM pg_roles WHERE rolname = \(role)") != nil {
      try connection.execute("GRANT CONNECT ON DATABASE \(identifier: name) TO \(identifier: role)")
    }
  }

  /// The sessions holding the migration's advisory lock.
  func advisoryHolders() throws -> [String] {
    try describe(
      """
      SELECT DISTINCT l.pid FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid::bigint = \(Self.lockKey >> 32) AND l.objid::bigint = \(Self.lockKey & 0xFFFF_FFFF)
      """)
  }

  /// The sessions holding locks on this database's tables (a migration waits for one of them).
  func tableHolders() throws -> [String] {
    try describe(
      """
      SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
      WHERE l.granted AND l.pid <> pg_backend_pid() AND c.relnamespace = 'public'::regnamespace
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      """)
  }

  /// "pid 123 (login mallory, application psql)" for each pid the query returns.
  private func describe(_ pids: SQL) throws -> [String] {
    try connection.query(
      """
      SELECT p.pid, a.usename, a.application_name FROM (\(pids)) p LEFT JOIN pg_stat_activity a ON a.pid = p.pid ORDER BY p.pid
      """
    ).map { row in
      let pid: Int = try row.decode("pid")
      let user: String? = try row.decode("usename")
      let application: String? = try row.decode("application_name")
      if let application, !application.isEmpty {
        return tr("pid %@ (login %@, application %@)", pid, user ?? tr("unknown"), application)
      }
      return tr("pid %@ (login %@)", pid, user ?? tr("unknown"))
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
        status: migration.matches(appliedChecksum: record.checksum) ? .applied : .changed, appliedAt: record.appliedAt)
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
      if !migration.matches(appliedChecksum: record.checksum) {
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
