import BeccariaStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct MigrationTests {
  @Test func freshApplyThenReapplyIsANoOp() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let shipped = try EmbeddedMigrations.all()
    #expect(shipped.count >= 2)
    #expect(shipped.map(\.version) == shipped.map(\.version).sorted())
    let migrator = Migrator(connection: db, migrations: shipped)
    #expect(try migrator.status().allSatisfy { $0.status == .pending })
    let applied = try migrator.migrate()
    #expect(applied.map(\.name) == shipped.map(\.name))
    #expect(try migrator.migrate().isEmpty)
    let states = try migrator.status()
    #expect(states.count == shipped.count)
    #expect(states.allSatisfy { $0.status == .applied && $0.appliedAt != nil })
    let recorded = try db.query("SELECT name, checksum FROM schema_migration ORDER BY version")
    #expect(try recorded.map { try $0.decode("checksum", as: String.self) } == shipped.map(\.checksum))
  }

  @Test func anAppliedFileThatChangedIsRefused() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    var shipped = try EmbeddedMigrations.all()
    let first = shipped[0]
    shipped[0] = try Migration(name: first.name, bytes: Data((first.sql + "\n-- edited afterwards\n").utf8))
    let migrator = Migrator(connection: db, migrations: shipped)
    let error = #expect(throws: MigrationError.self) { try migrator.migrate() }
    guard case .changedAfterApply(let name, _, _) = error else {
      Issue.record("expected changedAfterApply, got \(String(describing: error))")
      return
    }
    #expect(name == first.name)
    #expect(try migrator.status().first?.status == .changed)
  }

  @Test func aMigrationUnknownToThisBuildIsRefused() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    try db.execute(
      "INSERT INTO schema_migration (version, name, checksum) VALUES (9999, '9999_future.sql', \(String(repeating: "a", count: 64)))"
    )
    let migrator = Migrator(connection: db, migrations: try EmbeddedMigrations.all())
    #expect(throws: MigrationError.unknownApplied(name: "9999_future.sql")) { try migrator.migrate() }
  }

  @Test func aFailingMigrationLeavesNoTrace() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let broken = [
      try Migration(name: "0001_ok.sql", bytes: Data("CREATE TABLE ok (id integer);".utf8)),
      try Migration(name: "0002_broken.sql", bytes: Data("CREATE TABLE half (id integer); SELECT 1/0;".utf8)),
    ]
    #expect(throws: PostgresError.self) { try Migrator(connection: db, migrations: broken).migrate() }
    #expect(try db.queryOne("SELECT to_regclass('half') IS NULL AS gone")?.decode("gone", as: Bool.self) == true)
    #expect(try db.queryOne("SELECT count(*) AS n FROM schema_migration")?.decode("n", as: Int.self) == 1)
  }

  @Test func concurrentMigratorsEndWithOneSchema() async throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let shipped = try EmbeddedMigrations.all()
    let appliedCounts = try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<4 {
        group.addTask {
          let db = try database.connect()
          return try Migrator(connection: db, migrations: shipped).migrate().count
        }
      }
      return try await group.reduce(into: [Int]()) { $0.append($1) }
    }
    #expect(appliedCounts.sorted() == [0, 0, 0, shipped.count])
    let db = try database.connect()
    #expect(try db.queryOne("SELECT count(*) AS n FROM schema_migration")?.decode("n", as: Int.self) == shipped.count)
  }

  @Test func migrationFileNamesAreChecked() {
    #expect(throws: MigrationError.badName("1_x.sql")) { try Migration(name: "1_x.sql", bytes: Data()) }
    #expect(throws: MigrationError.badName("0003_x.txt")) { try Migration(name: "0003_x.txt", bytes: Data()) }
  }

  @Test func aFileMarkedToRunOutsideATransactionBuildsAnIndexConcurrently() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let table = try Migration(
      name: "0001_t.sql", bytes: Data("CREATE TABLE t (id integer); INSERT INTO t SELECT generate_series(1, 1000);".utf8))
    let inTransaction = try Migration(name: "0002_i.sql", bytes: Data("CREATE INDEX CONCURRENTLY t_id ON t (id);".utf8))
    let refused = #expect(throws: PostgresError.self) {
      try Migrator(connection: db, migrations: [table, inTransaction]).migrate()
    }
    #expect(refused?.message.contains("cannot run inside a transaction block") == true, "\(refused?.message ?? "")")
    let outside = try Migration(
      name: "0002_i.sql",
      bytes: Data(
        """
        -- beccaria: no transaction
        -- A stopped build leaves an invalid index behind: drop it first, so that this runs again.
        DROP INDEX CONCURRENTLY IF EXISTS t_id;
        CREATE INDEX CONCURRENTLY t_id
          ON t (id);
        """.utf8))
    #expect(outside.outsideTransaction)
    #expect(outside.statements.count == 2)
    #expect(try Migrator(connection: db, migrations: [table, outside]).migrate().map(\.name) == ["0002_i.sql"])
    #expect(
      try db.queryOne("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass")?.decode("indisvalid", as: Bool.self)
        == true)
    #expect(throws: MigrationError.dollarQuotedOutsideTransaction("0003_f.sql")) {
      try Migration(
        name: "0003_f.sql",
        bytes: Data("-- beccaria: no transaction\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;".utf8))
    }
  }

  @Test func aMigrationThatWaitedTooLongForALockIsTriedAgain() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let table = try Migration(name: "0001_t.sql", bytes: Data("CREATE TABLE t (id integer);".utf8))
    try Migrator(connection: db, migrations: [table]).migrate()
    // A long reader holds the table for 1.6 s; the ALTER waits 1 s, gives up, and is tried again.
    let (holding, released) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
    Thread.detachNewThread {
      if let reader = try? database.connect() {
        try? reader.execute("BEGIN")
        try? reader.execute("SELECT count(*) FROM t")
        holding.signal()
        Thread.sleep(forTimeInterval: 1.6)
        try? reader.execute("COMMIT")
      } else {
        holding.signal()
      }
      released.signal()
    }
    holding.wait()
    let alter = try Migration(name: "0002_a.sql", bytes: Data("ALTER TABLE t ADD COLUMN name text;".utf8))
    let applied = try Migrator(connection: db, migrations: [table, alter], lockTimeout: 1, attempts: 3, retryPause: 0.5).migrate()
    released.wait()
    #expect(applied.map(\.name) == ["0002_a.sql"])
    // With a single attempt the same wait ends in a clear error naming the lock.
    let reader = try database.connect()
    try reader.execute("BEGIN")
    try reader.execute("SELECT count(*) FROM t")
    defer { _ = try? reader.execute("COMMIT") }
    let again = try Migration(name: "0003_b.sql", bytes: Data("ALTER TABLE t ADD COLUMN note text;".utf8))
    let error = #expect(throws: MigrationError.self) {
      try Migrator(connection: db, migrations: [table, alter, again], lockTimeout: 1, attempts: 1).migrate()
    }
    #expect(
      "\(error.map { "\($0)" } ?? "")".contains("waited 1 s for a lock on a table that migration 0003_b.sql reads or changes"))
  }
}
