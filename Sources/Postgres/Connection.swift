import CLibPQ
import Foundation
import Localisation
import Logging

/// One connection to PostgreSQL through libpq. Not shareable between threads: give each worker its
/// own connection.
public final class Connection {
  private let handle: OpaquePointer
  private let notices: Unmanaged<NoticeForwarder>
  /// Where server notices and warnings go (never stdout).
  public let logger: Logger
  var transactionDepth = 0

  /// Connects with a conninfo string (`host=/run/pg dbname=x`) or URI (`postgresql://...`); nil
  /// leaves everything to libpq's own defaults (`PG*` variables, `~/.pgpass`, `PGSERVICE`), as
  /// `psql` does. `database` replaces the database name of `conninfo`.
  public init(
    _ conninfo: String? = nil, database: String? = nil, applicationName: String = "beccaria",
    logger: Logger = Logger(label: "beccaria.postgres")
  ) throws {
    self.logger = logger
    var keywords: [String] = []
    var values: [String] = []
    if let conninfo, !conninfo.isEmpty {
      keywords.append("dbname")
      values.append(conninfo)
    }
    // Later keywords override what the expanded conninfo said.
    if let database {
      keywords.append("dbname")
      values.append(database)
    }
    keywords += ["fallback_application_name", "client_encoding"]
    values += [applicationName, "UTF8"]
    let connection = withCStringArray(keywords) { keywordPointers in
      withCStringArray(values) { valuePointers in
        PQconnectdbParams(keywordPointers, valuePointers, 1)
      }
    }
    guard let connection else {
      throw PostgresError(.connection, "could not allocate a libpq connection")
    }
    guard PQstatus(connection) == CONNECTION_OK else {
      let message = Self.trimmedMessage(PQerrorMessage(connection))
      PQfinish(connection)
      throw PostgresError(.connection, tr("could not connect to PostgreSQL: %@", message), sqlState: "08001")
    }
    handle = connection
    notices = Unmanaged.passRetained(NoticeForwarder(logger: logger))
    PQsetNoticeReceiver(handle, noticeReceiver, notices.toOpaque())
    // ISO dates are what the decoders parse; fixed here, whatever the server's default.
    try executeScript(unsafeSQL: "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'")
  }

  deinit {
    PQfinish(handle)
    notices.release()
  }

  /// The server's process id for this connection (for `pg_terminate_backend` and logs).
  public var backendPID: Int32 { PQbackendPID(handle) }

  /// The server version as an integer (150004 for 15.4).
  public var serverVersion: Int { Int(PQserverVersion(handle)) }

  /// The database this connection is using.
  public var databaseName: String { PQdb(handle).map { String(cString: $0) } ?? "" }

  /// The role this connection logged in as.
  public var userName: String { PQuser(handle).map { String(cString: $0) } ?? "" }

  /// Where the connection went: the host name, or the socket directory for a local socket.
  public var hostName: String { PQhost(handle).map { String(cString: $0) } ?? "" }

  public var port: String { PQport(handle).map { String(cString: $0) } ?? "" }

  /// "database beccaria on host db.example.org port 5432 as office" (never a password), for
  /// `db status` and `--verbose`.
  public var described: String {
    let host = hostName.hasPrefix("/") ? "the local socket \(hostName)" : "host \(hostName)"
    return "database \(databaseName) on \(host) port \(port) as \(userName)"
  }

  /// True when the connection still works as far as libpq knows.
  public var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

  /// Runs one statement with its interpolated values as bind parameters and returns its rows.
  @discardableResult
  public func query(_ sql: SQL) throws -> QueryResult {
    let (text, binds) = sql.rendered()
    let result = withParameters(binds) { types, values, lengths, formats in
      PQexecParams(handle, text, Int32(binds.count), types, values, lengths, formats, 0)
    }
    return try check(result, statement: text)
  }

  /// Statements prepared on this connection by `queryPrepared`, by their text.
  var prepared: [String: String] = [:]

  /// Runs one statement as a prepared statement of this connection: parsed and planned on its
  /// first use (PQprepare, with the parameter types of that call), then executed by name
  /// (PQexecPrepared), as `pgbench -M prepared` runs its lookups. For the few statements a
  /// service runs over and over; a new connection prepares them again.
  @discardableResult
  public func queryPrepared(_ sql: SQL) throws -> QueryResult {
    let (text, binds) = sql.rendered()
    let name: String
    if let known = prepared[text] {
      name = known
    } else {
      name = "beccaria_\(prepared.count + 1)"
      let result = withParameters(binds) { types, _, _, _ in PQprepare(handle, name, text, Int32(binds.count), types) }
      _ = try check(result, statement: text)
      prepared[text] = name
    }
    let result = withParameters(binds) { _, values, lengths, formats in
      PQexecPrepared(handle, name, Int32(binds.count), values, lengths, formats, 0)
    }
    return try check(result, statement: text)
  }

  /// `queryPrepared` for a statement expected to return at most one row.
  public func queryOnePrepared(_ sql: SQL) throws -> Row? {
    let result = try queryPrepared(sql)
    return result.isEmpty ? nil : result[0]
  }

  /// Runs one statement and returns the number of rows it changed.
  @discardableResult
  public func execute(_ sql: SQL) throws -> Int {
    try query(sql).affectedRows
  }

  /// Runs a statement expected to return at most one row.
  public func queryOne(_ sql: SQL) throws -> Row? {
    let result = try query(sql)
    return result.isEmpty ? nil : result[0]
  }

  /// Runs SQL text that may hold several statements (a migration file) through the simple query
  /// protocol. No bind parameters: the text must not contain input.
  public func executeScript(unsafeSQL text: String) throws {
    let result = PQexec(handle, text)
    _ = try check(result, statement: String(text.prefix(80)))
  }

  func check(_ result: OpaquePointer?, statement: String) throws -> QueryResult {
    guard let result else {
      throw PostgresError(.connection, "lost the connection to PostgreSQL: \(lastErrorMessage)")
    }
    switch PQresultStatus(result) {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
      return QueryResult(result)
    default:
      let error = serverError(result)
      PQclear(result)
      logger.debug("statement failed", metadata: ["sql": "\(statement)", "sqlstate": "\(error.sqlState ?? "")"])
      throw error
    }
  }

  func serverError(_ result: OpaquePointer) -> PostgresError {
    func field(_ code: Character) -> String? {
      guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else {
        return nil
      }
      return String(cString: value)
    }
    let sqlState = field("C")
    let message = field("M") ?? Self.trimmedMessage(PQresultErrorMessage(result))
    let broken = PQstatus(handle) != CONNECTION_OK
    return PostgresError(
      broken && sqlState == nil ? .connection : .server, message.isEmpty ? lastErrorMessage : message,
      sqlState: sqlState ?? (broken ? "08006" : nil), detail: field("D"), hint: field("H"),
      constraint: field("n"), schema: field("s"), table: field("t"), column: field("c"),
      context: field("W"))
  }

  var lastErrorMessage: String { Self.trimmedMessage(PQerrorMessage(handle)) }

  static func trimmedMessage(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "unknown error" }
    return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  var rawHandle: OpaquePointer { handle }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
func withCStringArray<R>(
  _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
) -> R {
  let copies = strings.map { strdup($0) }
  defer { copies.forEach { free($0) } }
  var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
  pointers.append(nil)
  return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Lays out bind parameters as the four parallel arrays `PQexecParams` takes.
func withParameters<R>(
  _ binds: [PostgresBind],
  _ body: (
    UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
    UnsafePointer<Int32>?
  ) -> R
) -> R {
  if binds.isEmpty { return body(nil, nil, nil, nil) }
  let types = binds.map { Oid($0.type.rawValue) }
  let lengths = binds.map { Int32($0.bytes?.count ?? 0) }
  let formats = binds.map { $0.format.rawValue }
  let buffers: [UnsafeMutablePointer<CChar>?] = binds.map { bind in
    guard let bytes = bind.bytes else { return nil }
    // One extra zero byte: text-format values are read as C strings.
    let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
    bytes.withUnsafeBufferPointer { source in
      source.withMemoryRebound(to: CChar.self) { chars in
        if let base = chars.baseAddress { buffer.initialize(from: base, count: bytes.count) }
      }
    }
    buffer[bytes.count] = 0
    return buffer
  }
  defer { buffers.forEach { $0?.deallocate() } }
  let values: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0) } }
  return types.withUnsafeBufferPointer { typePointer in
    values.withUnsafeBufferPointer { valuePointer in
      lengths.withUnsafeBufferPointer { lengthPointer in
        formats.withUnsafeBufferPointer { formatPointer in
          body(
            typePointer.baseAddress, valuePointer.baseAddress, lengthPointer.baseAddress,
            formatPointer.baseAddress)
        }
      }
    }
  }
}

/// Receives libpq notices for one connection and passes them to swift-log.
final class NoticeForwarder {
  let logger: Logger
  init(logger: Logger) { self.logger = logger }
}

private let noticeReceiver: PQnoticeReceiver = { context, result in
  guard let context, let result else { return }
  let forwarder = Unmanaged<NoticeForwarder>.fromOpaque(context).takeUnretainedValue()
  func field(_ code: Character) -> String {
    guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else {
      return ""
    }
    return String(cString: value)
  }
  let severity = field("V")
  let level: Logger.Level =
    switch severity {
    case "WARNING": .warning
    case "NOTICE": .notice
    case "INFO": .info
    default: .debug
    }
  forwarder.logger.log(
    level: level, "\(field("M"))", metadata: ["severity": "\(severity)", "sqlstate": "\(field("C"))"])
}
