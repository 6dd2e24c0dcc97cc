import BeccariaStore
import Foundation
import Logging
import NIOPosix
import Postgres
import Synchronization

/// The register could not be reached: the service answers 503 and tries again with the next
/// request (PostgreSQL restarting, a network fault), without being restarted itself.
struct DatabaseUnavailable: Error, CustomStringConvertible {
  let description: String
}

/// libpq connections for the service's requests. libpq blocks, so each call runs on a thread of
/// the pool's own NIOThreadPool, never on an event loop; there are as many threads as
/// connections, so a thread always finds one. A connection that breaks is dropped, and the
/// call is tried once more on a new one (after a PostgreSQL restart, every idle connection is
/// broken): so the service recovers by itself.
final class DatabasePool: Sendable {
  let conninfo: String?
  let size: Int
  let threads: NIOThreadPool
  let idle: Mutex<[SendableConnection]>
  let logger: Logger

  /// A connection handed between threads, used by one at a time (the pool's lock hands it over).
  struct SendableConnection: @unchecked Sendable {
    let connection: Connection
  }

  /// Milliseconds a statement may run.
  let statementTimeout: Int

  init(conninfo: String?, size: Int, statementTimeout: Duration, logger: Logger) {
    self.conninfo = conninfo
    self.size = size
    self.statementTimeout =
      Int(statementTimeout.components.seconds) * 1000
      + Int(statementTimeout.components.attoseconds / 1_000_000_000_000_000)
    self.threads = NIOThreadPool(numberOfThreads: size)
    self.idle = Mutex([])
    self.logger = logger
    threads.start()
  }

  /// Opens a connection as the service uses it: read-only, with a time limit per statement.
  func open() throws -> Connection {
    let connection: Connection
    do {
      connection = try Connection(conninfo, applicationName: "beccaria serve", logger: logger)
    } catch {
      throw DatabaseUnavailable(description: "\(error)")
    }
    try connection.executeScript(
      unsafeSQL: "SET default_transaction_read_only = on; SET statement_timeout = \(statementTimeout); SET lock_timeout = '2s'")
    return connection
  }

  /// Runs `body` with a connection on one of the pool's threads.
  func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
    try await threads.runIfActive {
      for attempt in 0..<2 {
        let reused = self.idle.withLock { $0.popLast() }
        let connection: Connection
        if let reused {
          connection = reused.connection
        } else {
          connection = try self.open()
        }
        do {
          let value = try body(connection)
          self.idle.withLock { $0.append(SendableConnection(connection: connection)) }
          return value
        } catch let error as PostgresError where error.sqlState == "57014" {
          // statement_timeout: the connection stays usable; the request gets the 503 page.
          self.idle.withLock { $0.append(SendableConnection(connection: connection)) }
          throw DatabaseUnavailable(description: "a lookup took longer than \(self.statementTimeout) ms")
        } catch let error as PostgresError where error.kind == .connection || !connection.isOpen {
          // Dropped; a reused connection may have died with the server: once more on a new one.
          if reused == nil || attempt == 1 { throw DatabaseUnavailable(description: error.message) }
          // After a server restart every idle connection died with it: all are dropped, and the
          // second try opens a new one.
          self.idle.withLock { $0.removeAll() }
          self.logger.info("a database connection broke; trying a new one", metadata: ["error": "\(error.message)"])
        } catch {
          self.idle.withLock { $0.append(SendableConnection(connection: connection)) }
          throw error
        }
      }
      throw DatabaseUnavailable(description: "no connection")
    }
  }

  func shutdown() async throws {
    try await threads.shutdownGracefully()
    idle.withLock { $0.removeAll() }
  }
}
