import Foundation

/// A Swift value that can be sent to PostgreSQL as a bind parameter.
public protocol PostgresEncodable {
  /// The bind parameter for this value.
  var postgresBind: PostgresBind { get }
  /// The type this Swift type is sent as, also for NULL (so the server can infer operators).
  static var postgresType: PostgresType { get }
}

extension String: PostgresEncodable {
  public static var postgresType: PostgresType { .text }
  public var postgresBind: PostgresBind { PostgresBind(type: .text, text: self) }
}

extension Substring: PostgresEncodable {
  public static var postgresType: PostgresType { .text }
  public var postgresBind: PostgresBind { String(self).postgresBind }
}

extension Int: PostgresEncodable {
  public static var postgresType: PostgresType { .int8 }
  public var postgresBind: PostgresBind { PostgresBind(type: .int8, text: String(self)) }
}

extension Int64: PostgresEncodable {
  public static var postgresType: PostgresType { .int8 }
  public var postgresBind: PostgresBind { PostgresBind(type: .int8, text: String(self)) }
}

extension Int32: PostgresEncodable {
  public static var postgresType: PostgresType { .int4 }
  public var postgresBind: PostgresBind { PostgresBind(type: .int4, text: String(self)) }
}

extension Int16: PostgresEncodable {
  public static var postgresType: PostgresType { .int2 }
  public var postgresBind: PostgresBind { PostgresBind(type: .int2, text: String(self)) }
}

extension Bool: PostgresEncodable {
  public static var postgresType: PostgresType { .bool }
  public var postgresBind: PostgresBind { PostgresBind(type: .bool, text: self ? "t" : "f") }
}

extension Double: PostgresEncodable {
  public static var postgresType: PostgresType { .float8 }
  public var postgresBind: PostgresBind {
    let text: String
    if isNaN {
      text = "NaN"
    } else if isInfinite {
      text = self > 0 ? "Infinity" : "-Infinity"
    } else {
      text = "\(self)"
    }
    return PostgresBind(type: .float8, text: text)
  }
}

extension Decimal: PostgresEncodable {
  public static var postgresType: PostgresType { .numeric }
  public var postgresBind: PostgresBind {
    PostgresBind(type: .numeric, text: NSDecimalNumber(decimal: self).description(withLocale: nil))
  }
}

extension UUID: PostgresEncodable {
  public static var postgresType: PostgresType { .uuid }
  public var postgresBind: PostgresBind { PostgresBind(type: .uuid, text: uuidString) }
}

extension Data: PostgresEncodable {
  public static var postgresType: PostgresType { .bytea }
  /// bytea goes in binary format: no escaping, zero bytes included.
  public var postgresBind: PostgresBind {
    PostgresBind(type: .bytea, format: .binary, bytes: [UInt8](self))
  }
}

extension Date: PostgresEncodable {
  public static var postgresType: PostgresType { .timestamptz }
  /// Sent as an ISO 8601 `timestamptz` in UTC with microseconds.
  public var postgresBind: PostgresBind {
    PostgresBind(type: .timestamptz, text: PostgresTimestamp.format(self))
  }
}

extension PostgresDate: PostgresEncodable {
  public static var postgresType: PostgresType { .date }
  public var postgresBind: PostgresBind { PostgresBind(type: .date, text: description) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
  public static var postgresType: PostgresType { Wrapped.postgresType }
  public var postgresBind: PostgresBind {
    switch self {
    case .some(let value): value.postgresBind
    case .none:
      // Keep the wrapped type's OID so that the server can still infer operators.
      PostgresBind(type: Wrapped.postgresType, bytes: nil)
    }
  }
}

extension PostgresEncodable {
  public static var postgresType: PostgresType { .unspecified }
}
