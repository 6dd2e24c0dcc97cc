import BeccariaStore
import Foundation
import Postgres

/// Throwaway databases for tests, one per test, on the cluster that `scripts/test` starts
/// (`BECCARIA_TEST_DATABASE_URL`). Refuses any host that is not this machine.
public struct TestDatabase: Sendable {
  /// The database's name.
  public let name: String
  /// A conninfo string for it, for `Connection(_:)` and for the CLI's `--database`.
  public let conninfo: String

  /// A new, empty database (no migrations).
  public static func empty() throws -> TestDatabase {
    try create(template: "template1")
  }

  /// A new database with every migration of this build applied (a copy of a migrated template;
  /// `db migrate` then sets the database-level privileges, which a copy does not inherit).
  public static func migrated() throws -> TestDatabase {
    let database = try create(template: try Template.name())
    try Migrator(connection: try database.connect(), migrations: try EmbeddedMigrations.all()).migrate()
    return database
  }

  /// A connection to this database.
  public func connect() throws -> Connection {
    try Connection(conninfo, applicationName: "beccaria-tests")
  }

  /// A store-level database handle (German time zone, actor setting) for this database.
  public func database(actor: String = "test") -> Database {
    Database(conninfo: conninfo, actor: actor)
  }

  /// Drops the database, whoever is still connected.
  public func drop() {
    guard let admin = try? Connection(try? Self.adminURL()) else { return }
    _ = try? admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
  }

  /// The admin URL of the test cluster.
  public static func adminURL() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    guard let url = environment["BECCARIA_TEST_DATABASE_URL"] ?? environment["DATABASE_URL"], !url.isEmpty else {
      throw TestSetupError("BECCARIA_TEST_DATABASE_URL is not set; run the tests with scripts/test")
    }
    let parameters = try ConnectionString.parse(url)
    let host = parameters["host"] ?? parameters["hostaddr"] ?? ""
    let local = host.isEmpty || host.hasPrefix("/") || ["localhost", "127.0.0.1", "::1"].contains(host)
    guard local else {
      throw TestSetupError("refusing to run tests against the non-local host \(host)")
    }
    return url
  }

  private static func create(template: String) throws -> TestDatabase {
    let url = try adminURL()
    let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
    let admin = try Connection(url, applicationName: "beccaria-tests")
    try admin.execute("CREATE DATABASE \(identifier: String(name)) TEMPLATE \(identifier: template)")
    return TestDatabase(
      name: String(name), conninfo: try ConnectionString.replacing(["dbname": String(name)], in: url))
  }

  /// A migrated template database, made once per test process.
  private enum Template {
    nonisolated(unsafe) static var created: String?
    static let lock = NSLock()

    static func name() throws -> String {
      lock.lock()
      defer { lock.unlock() }
      if let created { return created }
      let database = try TestDatabase.create(template: "template1")
      do {
        // The connection must be closed before the template is copied.
        let connection = try database.connect()
        try Migrator(connection: connection, migrations: try EmbeddedMigrations.all()).migrate()
      }
      created = database.name
      return database.name
    }
  }
}

/// The test environment is not set up.
public struct TestSetupError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
