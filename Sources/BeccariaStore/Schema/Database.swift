import BeccariaCore
import Foundation
import Logging
import Postgres

/// Opens connections the way every part of beccaria needs them: German local time for dates
/// computed in SQL, and the acting person passed to the audit triggers.
public struct Database: Sendable {
  /// A conninfo or URI; nil leaves the choice to libpq's defaults (`PG*`, `~/.pgpass`, `PGSERVICE`).
  public var conninfo: String?
  /// Who acts (recorded in the audit log next to the database user).
  public var actor: String
  public var logger: Logger

  public init(conninfo: String?, actor: String, logger: Logger = Logger(label: "beccaria.store")) {
    self.conninfo = conninfo
    self.actor = actor
    self.logger = logger
  }

  /// How long any statement waits for a lock before it gives up with a sentence, in seconds:
  /// a session that holds a table (an owner's `LOCK`, a forgotten open transaction) must not make
  /// a command hang in silence.
  public static let lockTimeout = 60

  /// A new connection, configured. Throws `MigrationError.rolesBoundElsewhere` when the
  /// cluster's beccaria roles belong to another database (`RoleBinding`): a copy restored beside
  /// the bound database would share its admins, so beccaria does not work in it.
  public func connect() throws -> Connection {
    let connection = try Connection(conninfo, applicationName: "beccaria", logger: logger)
    let binding = try connection.queryOne(
      """
      SELECT set_config('TimeZone', 'Europe/Berlin', false),
             set_config('beccaria.actor', \(actor), false),
             set_config('lock_timeout', \(String(Self.lockTimeout * 1000)), false),
             -- Short interactive queries: JIT compilation would cost more than it saves.
             set_config('jit', 'off', false),
             \(RoleBinding.comment) AS binding
      """)?.decode("binding", as: String?.self)
    try RoleBinding(comment: binding).require(database: connection.databaseName)
    logger.debug("connected to the \(connection.described)")
    return connection
  }

  /// Fails with a clear message unless the schema is migrated to exactly what this build ships.
  public func requireCurrentSchema(_ connection: Connection) throws {
    let migrator = Migrator(connection: connection, migrations: try EmbeddedMigrations.all())
    let states = try migrator.status()
    if states.contains(where: { $0.status == .changed || $0.status == .unknown }) {
      try migrator.verify()
    }
    let pending = states.filter { $0.status == .pending }
    if !pending.isEmpty {
      throw StoreError.schemaNotCurrent(pending: pending.map(\.name))
    }
  }
}

/// Conversions between core values and the wrapper's types.
extension CalendarDate {
  /// For binding as a `date` parameter.
  public var postgres: PostgresDate { PostgresDate(year: year, month: month, day: day) }

  init(_ date: PostgresDate) throws {
    guard let value = CalendarDate(year: date.year, month: date.month, day: date.day) else {
      throw StoreError.corrupt(tr("date %@ is out of range", date))
    }
    self = value
  }
}

extension Row {
  /// Decodes a `date` column into a `CalendarDate`.
  public func date(_ column: String) throws -> CalendarDate {
    try CalendarDate(try decode(column, as: PostgresDate.self))
  }

  /// Decodes a nullable `date` column.
  public func optionalDate(_ column: String) throws -> CalendarDate? {
    try decode(column, as: PostgresDate?.self).map(CalendarDate.init)
  }
}

extension Connection {
  /// Whether this login is a trainer's (`trainer.db_login`): trainers read their cohorts but act
  /// only on the sessions they teach, and are refused in sentences that say so.
  public func isTrainerLogin() throws -> Bool {
    try queryOne("SELECT EXISTS (SELECT 1 FROM trainer WHERE db_login = session_user) AS t")?.decode("t", as: Bool.self)
      ?? false
  }

  /// Whether this login may read `table` (a `public` table): what a command may add to its output
  /// depends on it (a trainer reads no certificates).
  public func canRead(_ table: String) throws -> Bool {
    try queryOne("SELECT has_table_privilege('public.' || quote_ident(\(table)), 'SELECT') AS ok")?.decode("ok", as: Bool.self)
      ?? false
  }
}
