import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Logging
import Postgres

/// Options every command that touches the database takes.
struct GlobalOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      tr(
        "PostgreSQL connection URI or conninfo (default: DATABASE_URL, then libpq's PG* settings, then the local cluster of scripts/db)."
      ),
      valueName: "url"))
  var database: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      tr(
        "Who is acting, for the audit log (default: BECCARIA_ACTOR, then the operating-system user; a trainer's login is always its trainer)."
      ),
      valueName: "name"))
  var actor: String?

  @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Log debug details (SQL errors, server notices) to stderr.")))
  var verbose = false

  func validate() throws {
    if let actor, actor.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ValidationError(tr("--actor must not be empty."))
    }
    if let database {
      if database.isEmpty { throw ValidationError(tr("--database must not be empty.")) }
      // The command line is readable by every user of the machine (ps, /proc/PID/cmdline).
      if (try? ConnectionString.parse(database))?["password"] != nil {
        throw ValidationError(
          tr(
            "--database must not contain a password: every user of this machine can read a command line. Put it in ~/.pgpass (or the file PGPASSFILE names) or in a service file (PGSERVICE), or use DATABASE_URL."
          ))
      }
    }
  }

  /// The configured database; logging is set up on first use.
  func makeDatabase() throws -> Database {
    Logs.bootstrap(verbose: verbose)
    let environment = ProcessInfo.processInfo.environment
    let conninfo = try ConnectionResolver.resolve(explicit: database, environment: environment)
    if ConnectionResolver.fallsBackToLocalCluster(explicit: database, environment: environment), let conninfo {
      ConnectionResolver.sayOnce(
        tr(
          "using the local cluster that scripts/db started (%@), as no --database, DATABASE_URL or PG* setting names one; `beccaria db status` names the database (this is said once)",
          conninfo),
        environment: environment)
    }
    if let conninfo { _ = try ConnectionString.parse(conninfo) }
    return Database(conninfo: conninfo, actor: resolvedActor, logger: Logger(label: "beccaria"))
  }

  /// Opens a connection to a database whose schema is current.
  func connect() throws -> Connection {
    let database = try makeDatabase()
    let connection = try database.connect()
    try database.requireCurrentSchema(connection)
    return connection
  }

  var resolvedActor: String {
    if let actor { return actor }
    let environment = ProcessInfo.processInfo.environment
    return environment["BECCARIA_ACTOR"] ?? environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
  }
}

/// Chooses the connection string: `--database` > `DATABASE_URL` > libpq's own configuration
/// (`PG*` variables, service file) > the local cluster recorded by `scripts/db start`.
enum ConnectionResolver {
  static let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"]

  /// nil means "let libpq decide from its defaults".
  static func resolve(explicit: String?, environment: [String: String]) throws -> String? {
    if let explicit { return explicit }
    if let url = environment["DATABASE_URL"], !url.isEmpty { return url }
    if libpqVariables.contains(where: { environment[$0]?.isEmpty == false }) { return nil }
    if let url = localClusterURL(environment: environment) { return url }
    return nil
  }

  /// Whether `resolve` takes the local cluster's URL: nothing else names a database.
  static func fallsBackToLocalCluster(explicit: String?, environment: [String: String]) -> Bool {
    explicit == nil && (environment["DATABASE_URL"] ?? "").isEmpty
      && !libpqVariables.contains(where: { environment[$0]?.isEmpty == false })
      && localClusterURL(environment: environment) != nil
  }

  /// Writes `note` to standard error once for each URL `scripts/db start` records: a marker
  /// beside the recorded URL remembers that it was said (the note would otherwise follow every
  /// command of a day's work).
  static func sayOnce(_ note: String, environment: [String: String]) {
    let marker = localClusterFile(environment: environment) + ".told"
    let recorded =
      (try? FileManager.default.attributesOfItem(atPath: localClusterFile(environment: environment)))?[
        .modificationDate] as? Date
    let told = (try? FileManager.default.attributesOfItem(atPath: marker))?[.modificationDate] as? Date
    if let told, let recorded, told >= recorded { return }
    FileHandle.standardError.write(Data((tr("Note: %@.", note) + "\n").utf8))
    FileManager.default.createFile(atPath: marker, contents: Data())
  }

  /// The file `scripts/db start` writes the local cluster's URL to.
  static func localClusterFile(environment: [String: String]) -> String {
    if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
      return state + "/beccaria/database-url"
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return home + "/.local/state/beccaria/database-url"
  }

  static func localClusterURL(environment: [String: String]) -> String? {
    guard let text = try? String(contentsOfFile: localClusterFile(environment: environment), encoding: .utf8) else {
      return nil
    }
    let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return url.isEmpty ? nil : url
  }
}

/// Logging goes to stderr only, so that stdout carries nothing but a command's output.
enum Logs {
  nonisolated(unsafe) private static var bootstrapped = false
  private static let lock = NSLock()

  static func bootstrap(verbose: Bool) {
    lock.lock()
    defer { lock.unlock() }
    guard !bootstrapped else { return }
    bootstrapped = true
    LoggingSystem.bootstrap { label in
      var handler = InertLogHandler(StreamLogHandler.standardError(label: label))
      handler.logLevel = verbose ? .debug : .warning
      return handler
    }
  }
}

/// A log handler whose lines are inert: message and metadata are escaped (`InertText`) before
/// they reach the stream, so that text from the server (a notice quoting stored data) cannot act
/// on a terminal or forge a line of the log.
struct InertLogHandler: LogHandler {
  var inner: StreamLogHandler

  init(_ inner: StreamLogHandler) { self.inner = inner }

  var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  var metadata: Logger.Metadata {
    get { inner.metadata }
    set { inner.metadata = newValue }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { inner[metadataKey: key] }
    set { inner[metadataKey: key] = newValue }
  }

  func log(event: LogEvent) {
    var inert = event
    inert.message = "\(InertText.escape(event.message.description))"
    inert.metadata = event.metadata?.mapValues { .string(InertText.escape($0.description)) }
    inner.log(event: inert)
  }
}
