import Foundation
import Logging
import Postgres
import TestSupport
import Testing

@Suite struct ErrorsAndTransactionsTests {
  func prepared() throws -> (TestDatabase, Connection) {
    let database = try TestDatabase.empty()
    let db = try database.connect()
    try db.executeScript(
      unsafeSQL: """
        CREATE TABLE parent (id integer PRIMARY KEY, code text CONSTRAINT parent_code_unique UNIQUE);
        CREATE TABLE child (id serial PRIMARY KEY, parent_id integer CONSTRAINT child_parent_fk REFERENCES parent (id));
        """)
    return (database, db)
  }

  @Test func uniqueAndForeignKeyViolationsCarryTheirSQLState() throws {
    let (database, db) = try prepared()
    defer { database.drop() }
    try db.execute("INSERT INTO parent (id, code) VALUES (1, 'a')")
    let unique = #expect(throws: PostgresError.self) {
      try db.execute("INSERT INTO parent (id, code) VALUES (2, 'a')")
    }
    #expect(unique?.sqlState == "23505")
    #expect(unique?.isUniqueViolation == true)
    #expect(unique?.constraint == "parent_code_unique")
    #expect(unique?.table == "parent")
    #expect(unique?.detail?.contains("(code)=(a)") == true)
    let foreign = #expect(throws: PostgresError.self) {
      try db.execute("INSERT INTO child (parent_id) VALUES (99)")
    }
    #expect(foreign?.sqlState == "23503")
    #expect(foreign?.constraint == "child_parent_fk")
    let syntax = #expect(throws: PostgresError.self) { try db.execute("SELEKT 1") }
    #expect(syntax?.sqlState == "42601")
    // The connection is still usable after errors.
    #expect(try db.queryOne("SELECT 1 AS one")?.decode("one", as: Int.self) == 1)
  }

  @Test func failedTransactionLeavesNothingBehind() throws {
    let (database, db) = try prepared()
    defer { database.drop() }
    #expect(throws: PostgresError.self) {
      try db.transaction { tx in
        try tx.execute("INSERT INTO parent (id, code) VALUES (1, 'kept?')")
        try tx.execute("INSERT INTO child (parent_id) VALUES (1)")
        try tx.execute("INSERT INTO child (parent_id) VALUES (404)")
      }
    }
    #expect(try db.queryOne("SELECT count(*) AS n FROM parent")?.decode("n", as: Int.self) == 0)
    #expect(try db.queryOne("SELECT count(*) AS n FROM child")?.decode("n", as: Int.self) == 0)
    #expect(!db.isInTransaction)

    struct Abort: Error {}
    #expect(throws: Abort.self) {
      try db.transaction { tx in
        try tx.execute("INSERT INTO parent (id, code) VALUES (2, 'b')")
        throw Abort()
      }
    }
    #expect(try db.queryOne("SELECT count(*) AS n FROM parent")?.decode("n", as: Int.self) == 0)

    let committed = try db.transaction { tx in
      try tx.execute("INSERT INTO parent (id, code) VALUES (3, 'c')")
    }
    #expect(committed == 1)
    #expect(try db.queryOne("SELECT count(*) AS n FROM parent")?.decode("n", as: Int.self) == 1)
  }

  @Test func nestedTransactionIsASavepoint() throws {
    let (database, db) = try prepared()
    defer { database.drop() }
    try db.transaction { tx in
      try tx.execute("INSERT INTO parent (id, code) VALUES (1, 'outer')")
      _ = try? tx.transaction { inner in
        try inner.execute("INSERT INTO parent (id, code) VALUES (2, 'outer')")  // unique violation
      }
      try tx.execute("INSERT INTO parent (id, code) VALUES (3, 'after')")
    }
    let codes = try db.query("SELECT code FROM parent ORDER BY id").map { try $0.decode("code", as: String.self) }
    #expect(codes == ["outer", "after"])
  }

  @Test func serializationFailuresAreRetriedWhenAsked() throws {
    let (database, db) = try prepared()
    defer { database.drop() }
    try db.execute("INSERT INTO parent (id, code) VALUES (1, '0')")
    let other = try database.connect()
    var attempts = 0
    try db.transaction(.serializable, attempts: 3) { tx in
      attempts += 1
      let current = try tx.queryOne("SELECT code FROM parent WHERE id = 1")?.decode("code", as: String.self) ?? ""
      if attempts == 1 {
        // A concurrent writer commits a change to the row this transaction has read.
        try other.execute("UPDATE parent SET code = code || '+other' WHERE id = 1")
      }
      try tx.execute("UPDATE parent SET code = \(current + "+mine") WHERE id = 1")
    }
    #expect(attempts == 2)
    #expect(try db.queryOne("SELECT code FROM parent WHERE id = 1")?.decode("code", as: String.self) == "0+other+mine")

    // Without retries the same conflict surfaces as 40001.
    try db.execute("UPDATE parent SET code = '0' WHERE id = 1")
    let failure = #expect(throws: PostgresError.self) {
      try db.transaction(.serializable) { tx in
        _ = try tx.query("SELECT code FROM parent WHERE id = 1")
        try other.execute("UPDATE parent SET code = 'x' WHERE id = 1")
        try tx.execute("UPDATE parent SET code = 'y' WHERE id = 1")
      }
    }
    #expect(failure?.sqlState == "40001")
  }

  @Test func advisoryLocksExcludeOtherSessions() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let first = try database.connect()
    let second = try database.connect()
    let takenWhileHeld = try first.withAdvisoryLock(4242) { try second.tryAdvisoryLock(4242) }
    #expect(takenWhileHeld == false)
    #expect(try second.tryAdvisoryLock(4242) == true)
    try second.advisoryUnlock(4242)
    let takenDuringTransaction = try first.transaction { tx in
      try tx.advisoryTransactionLock(77)
      return try second.tryAdvisoryLock(77)
    }
    #expect(takenDuringTransaction == false)
    #expect(try second.tryAdvisoryLock(77) == true)
  }

  @Test func connectionFailureIsAClearError() throws {
    let failure = #expect(throws: PostgresError.self) {
      _ = try Connection("host=/nonexistent/socket/dir port=1 dbname=x connect_timeout=2")
    }
    #expect(failure?.kind == .connection)
    #expect(failure?.isConnectionFailure == true)
    #expect(failure?.message.hasPrefix("could not connect to PostgreSQL") == true)
  }

  @Test func connectionStringsAreParsedByLibpq() throws {
    let parsed = try ConnectionString.parse("postgresql://alice:secret@localhost:5433/beccaria?sslmode=disable")
    #expect(parsed["user"] == "alice")
    #expect(parsed["port"] == "5433")
    #expect(parsed["dbname"] == "beccaria")
    let replaced = try ConnectionString.replacing(["dbname": "other db"], in: "host=/tmp dbname=x")
    #expect(try ConnectionString.parse(replaced)["dbname"] == "other db")
    #expect(!ConnectionString.redacted("postgresql://alice:secret@localhost/db").contains("secret"))
    #expect(throws: PostgresError.self) { _ = try ConnectionString.parse("host='unterminated") }
  }

  @Test func serverNoticesGoToTheLogger() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let sink = CapturedLogs()
    let logger = Logger(label: "test.notices") { _ in CapturingHandler(sink: sink) }
    let db = try Connection(database.conninfo, logger: logger)
    try db.executeScript(unsafeSQL: "DO $$ BEGIN RAISE NOTICE 'hello from the server'; RAISE WARNING 'careful'; END $$")
    let messages = sink.messages
    #expect(messages.contains { $0.level == .notice && $0.message == "hello from the server" })
    #expect(messages.contains { $0.level == .warning && $0.message == "careful" })
  }
}

final class CapturedLogs: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [(level: Logger.Level, message: String)] = []
  func append(_ level: Logger.Level, _ message: String) {
    lock.lock()
    entries.append((level, message))
    lock.unlock()
  }
  var messages: [(level: Logger.Level, message: String)] {
    lock.lock()
    defer { lock.unlock() }
    return entries
  }
}

struct CapturingHandler: LogHandler {
  let sink: CapturedLogs
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level = .trace
  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }
  func log(event: LogEvent) {
    sink.append(event.level, "\(event.message)")
  }
}
