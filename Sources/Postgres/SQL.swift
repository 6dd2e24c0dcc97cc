import Foundation

/// A SQL statement whose interpolated values travel as bind parameters, never as SQL text.
///
/// ```swift
/// let rows = try connection.query("SELECT id FROM participant WHERE email = \(email)")
/// ```
/// becomes `SELECT id FROM participant WHERE email = $1` with `email` bound to `$1`. Text that must
/// be spliced into the statement itself goes through loudly named APIs only: `SQL.unsafeRaw(_:)`,
/// `\(unsafeRaw:)`, or `\(identifier:)` (which quotes).
public struct SQL: Sendable, ExpressibleByStringInterpolation {
  enum Part: Sendable {
    case text(String)
    case bind(PostgresBind)
  }

  var parts: [Part]

  /// A statement from a string literal (no interpolated values).
  public init(stringLiteral value: String) {
    parts = [.text(value)]
  }

  public init(stringInterpolation: StringInterpolation) {
    parts = stringInterpolation.parts
  }

  private init(parts: [Part]) {
    self.parts = parts
  }

  /// SQL text that comes from somewhere other than a literal (a migration file, a generated
  /// statement). The caller vouches that it contains no untrusted input.
  public static func unsafeRaw(_ text: String) -> SQL {
    SQL(parts: [.text(text)])
  }

  /// Appends another statement fragment; its bind parameters are renumbered.
  public mutating func append(_ other: SQL) {
    parts.append(contentsOf: other.parts)
  }

  /// Joins fragments with a separator (`", "`, `" AND "`).
  public static func joined(_ fragments: [SQL], separator: String) -> SQL {
    var result = SQL(parts: [])
    for (index, fragment) in fragments.enumerated() {
      if index > 0 { result.parts.append(.text(separator)) }
      result.parts.append(contentsOf: fragment.parts)
    }
    return result
  }

  /// The statement text with `$1`, `$2`, ... in place of the values, and the values in order.
  public func rendered() -> (text: String, binds: [PostgresBind]) {
    var text = ""
    var binds: [PostgresBind] = []
    for part in parts {
      switch part {
      case .text(let fragment): text += fragment
      case .bind(let bind):
        binds.append(bind)
        text += "$\(binds.count)"
      }
    }
    return (text, binds)
  }

  public struct StringInterpolation: StringInterpolationProtocol {
    var parts: [Part] = []

    public init(literalCapacity: Int, interpolationCount: Int) {
      parts.reserveCapacity(interpolationCount * 2 + 1)
    }

    public mutating func appendLiteral(_ literal: String) {
      parts.append(.text(literal))
    }

    /// A value: becomes a bind parameter.
    public mutating func appendInterpolation(_ value: some PostgresEncodable) {
      parts.append(.bind(value.postgresBind))
    }

    /// A value that may be absent: a bind parameter, NULL (of the wrapped type) when nil.
    public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
      parts.append(.bind(value.postgresBind))
    }

    /// A nested statement fragment, its values still bound.
    public mutating func appendInterpolation(_ fragment: SQL) {
      parts.append(contentsOf: fragment.parts)
    }

    /// An identifier (schema, table, column), double-quoted with embedded quotes doubled.
    public mutating func appendInterpolation(identifier: String) {
      parts.append(.text(quoteIdentifier(identifier)))
    }

    /// Text spliced into the statement as it is. Only for text that never comes from input.
    public mutating func appendInterpolation(unsafeRaw text: String) {
      parts.append(.text(text))
    }
  }
}

/// Quotes an SQL identifier: `a"b` becomes `"a""b"`.
public func quoteIdentifier(_ name: String) -> String {
  "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
