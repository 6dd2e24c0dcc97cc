import Foundation
import Logging

/// Transaction isolation levels.
public enum IsolationLevel: String, Sendable {
  case readCommitted = "READ COMMITTED"
  case repeatableRead = "REPEATABLE READ"
  case serializable = "SERIALIZABLE"
}

/// Thrown out of a transaction to roll it back on purpose (`transaction(attempts:committingIf:_:)`).
private struct Discarded: Error {}

extension Connection {
  /// Runs `body` in a transaction that is committed only when `keep` holds for its result, and
  /// rolled back otherwise; the result is returned either way. For a dry run (everything done
  /// and checked, nothing kept) and for a change that turns out to change nothing (so that it
  /// leaves no audit entry).
  public func transaction<T>(
    attempts: Int = 1, committingIf keep: (T) -> Bool, _ body: (Connection) throws -> T
  ) throws -> T {
    var discarded: T?
    do {
      return try transaction(attempts: attempts) { db in
        let value = try body(db)
        if keep(value) { return value }
        discarded = value
        throw Discarded()
      }
    } catch is Discarded {
      guard let discarded else { throw PostgresError(.usage, "a discarded transaction left no result") }
      return discarded
    }
  }

  /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
  ///
  /// With `attempts` above 1 the whole transaction is run again after a serialization failure or
  /// a deadlock (SQLSTATE 40001, 40P01), with a short randomised pause, so `body` must be safe to
  /// repeat. Called inside another transaction, it becomes a savepoint.
  public func transaction<T>(
    _ isolation: IsolationLevel = .readCommitted, attempts: Int = 1,
    _ body: (Connection) throws -> T
  ) throws -> T {
    if transactionDepth > 0 { return try savepoint(body) }
    var attempt = 1
    while true {
      try executeScript(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)")
      transactionDepth = 1
      do {
        let value = try body(self)
        try commit()
        transactionDepth = 0
        return value
      } catch let error as PostgresError where error.isTransient && attempt < attempts {
        transactionDepth = 0
        rollbackQuietly()
        // Back off a little, more on each attempt, so that colliding writers spread out.
        let pause = Double.random(in: 0.002...0.010) * Double(attempt)
        Thread.sleep(forTimeInterval: pause)
        attempt += 1
        logger.debug("retrying transaction after \(error.sqlState ?? "")", metadata: ["attempt": "\(attempt)"])
      } catch {
        transactionDepth = 0
        rollbackQuietly()
        throw error
      }
    }
  }

  private func commit() throws {
    // COMMIT of a transaction that already failed answers "ROLLBACK" without an error.
    if try query("COMMIT").commandTag == "ROLLBACK" {
      throw PostgresError(
        .server, "the transaction was rolled back because a statement in it failed",
        sqlState: "25P02")
    }
  }

  private func savepoint<T>(_ body: (Connection) throws -> T) throws -> T {
    let name = "beccaria_sp_\(transactionDepth)"
    try executeScript(unsafeSQL: "SAVEPOINT \(name)")
    transactionDepth += 1
    defer { transactionDepth -= 1 }
    do {
      let value = try body(self)
      try executeScript(unsafeSQL: "RELEASE SAVEPOINT \(name)")
      return value
    } catch {
      try? executeScript(unsafeSQL: "ROLLBACK TO SAVEPOINT \(name)")
      throw error
    }
  }

  private func rollbackQuietly() {
    guard isOpen else { return }
    try? executeScript(unsafeSQL: "ROLLBACK")
  }

  /// True while a `transaction` block is running on this connection.
  public var isInTransaction: Bool { transactionDepth > 0 }

  /// Holds the session-level advisory lock `key` while `body` runs (waits for it first).
  public func withAdvisoryLock<T>(_ key: Int64, _ body: () throws -> T) throws -> T {
    try execute("SELECT pg_advisory_lock(\(key))")
    defer { _ = try? execute("SELECT pg_advisory_unlock(\(key))") }
    return try body()
  }

  /// Takes the session-level advisory lock `key` if it is free; true when taken.
  public func tryAdvisoryLock(_ key: Int64) throws -> Bool {
    try queryOne("SELECT pg_try_advisory_lock(\(key)) AS taken")?.decode("taken") ?? false
  }

  /// Releases a session-level advisory lock taken with `tryAdvisoryLock`.
  public func advisoryUnlock(_ key: Int64) throws {
    try execute("SELECT pg_advisory_unlock(\(key))")
  }

  /// Takes the transaction-level advisory lock `key`; it is released at COMMIT or ROLLBACK.
  public func advisoryTransactionLock(_ key: Int64) throws {
    try execute("SELECT pg_advisory_xact_lock(\(key))")
  }
}
