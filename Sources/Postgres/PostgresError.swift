import Foundation

/// An error from the PostgreSQL layer: a failed connection, an error reported by the server (with
/// its SQLSTATE and the fields PostgreSQL attaches), a value that cannot be decoded into the Swift
/// type asked for, or a misuse of the API.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
  /// What kind of failure this is.
  public enum Kind: String, Sendable {
    /// Connecting failed or the connection broke.
    case connection
    /// The server rejected a statement; `sqlState` says why.
    case server
    /// A column's value does not fit the requested Swift type.
    case decoding
    /// The API was used in a way it does not support (for example COPY with bind parameters).
    case usage
  }

  public var kind: Kind
  /// The server's primary message, or ours for non-server errors.
  public var message: String
  /// Five-character SQLSTATE code (`23505` unique violation, `42501` permission denied, ...).
  public var sqlState: String?
  public var detail: String?
  public var hint: String?
  /// The constraint that was violated, when the server names one.
  public var constraint: String?
  public var schema: String?
  public var table: String?
  public var column: String?
  /// Where in the statement or data the error arose (`COPY staging, line 3, column ue: "x"`).
  public var context: String?

  public init(
    _ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil,
    hint: String? = nil, constraint: String? = nil, schema: String? = nil, table: String? = nil,
    column: String? = nil, context: String? = nil
  ) {
    self.kind = kind
    self.message = message
    self.sqlState = sqlState
    self.detail = detail
    self.hint = hint
    self.constraint = constraint
    self.schema = schema
    self.table = table
    self.column = column
    self.context = context
  }

  public var description: String {
    var text = message
    if let sqlState { text += " (SQLSTATE \(sqlState))" }
    if let detail { text += "; detail: \(detail)" }
    if let hint { text += "; hint: \(hint)" }
    return text
  }

  /// True for `unique_violation` (23505).
  public var isUniqueViolation: Bool { sqlState == "23505" }
  /// True for `foreign_key_violation` (23503).
  public var isForeignKeyViolation: Bool { sqlState == "23503" }
  /// True for `check_violation` (23514).
  public var isCheckViolation: Bool { sqlState == "23514" }
  /// True for `insufficient_privilege` (42501).
  public var isPermissionDenied: Bool { sqlState == "42501" }
  /// True for failures that a retry of the whole transaction may cure: serialization failure
  /// (40001) and deadlock (40P01).
  public var isTransient: Bool { sqlState == "40001" || sqlState == "40P01" }
  /// True when the connection itself failed (class 08, or a broken connection).
  public var isConnectionFailure: Bool {
    kind == .connection || (sqlState?.hasPrefix("08") ?? false) || sqlState == "57P01"
  }
}
