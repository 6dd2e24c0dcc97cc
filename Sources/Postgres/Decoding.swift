import Foundation

/// A Swift type that a column's value can be decoded into.
///
/// Values arrive in PostgreSQL's text format; each conformance checks the column's type first, so
/// that decoding an `integer` column as `Date` is a thrown error naming the column, not a guess.
public protocol PostgresDecodable {
  /// Decodes a non-NULL value.
  static func decode(text: Substring, type: PostgresType, column: String) throws -> Self
  /// The value for SQL NULL; non-optional types throw.
  static func decodeNull(column: String) throws -> Self
}

extension PostgresDecodable {
  public static func decodeNull(column: String) throws -> Self {
    throw PostgresError(
      .decoding, "column \"\(column)\" is NULL but \(Self.self) is not optional")
  }

  public static func mismatch(_ type: PostgresType, _ column: String) -> PostgresError {
    PostgresError(.decoding, "column \"\(column)\" has type \(type), which cannot be read as \(Self.self)")
  }

  public static func malformed(_ text: Substring, _ column: String) -> PostgresError {
    PostgresError(.decoding, "column \"\(column)\": value \"\(text.prefix(60))\" is not a valid \(Self.self)")
  }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Self {
    try Wrapped.decode(text: text, type: type, column: column)
  }
  public static func decodeNull(column: String) throws -> Self { nil }
}

extension String: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> String {
    guard PostgresType.textual.contains(type) || type == .json || type == .jsonb else {
      throw mismatch(type, column)
    }
    return String(text)
  }
}

extension FixedWidthInteger where Self: PostgresDecodable {
  static func decodeInteger(
    text: Substring, type: PostgresType, column: String, accepted: Set<PostgresType>
  ) throws -> Self {
    guard accepted.contains(type) else { throw mismatch(type, column) }
    guard let value = Self(text) else { throw malformed(text, column) }
    return value
  }
}

extension Int: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Int {
    try decodeInteger(text: text, type: type, column: column, accepted: [.int2, .int4, .int8, .oid])
  }
}

extension Int64: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Int64 {
    try decodeInteger(text: text, type: type, column: column, accepted: [.int2, .int4, .int8, .oid])
  }
}

extension Int32: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Int32 {
    try decodeInteger(text: text, type: type, column: column, accepted: [.int2, .int4])
  }
}

extension Int16: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Int16 {
    try decodeInteger(text: text, type: type, column: column, accepted: [.int2])
  }
}

extension Bool: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Bool {
    guard type == .bool else { throw mismatch(type, column) }
    switch text {
    case "t": return true
    case "f": return false
    default: throw malformed(text, column)
    }
  }
}

extension Double: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Double {
    guard [.float4, .float8, .numeric].contains(type) || PostgresType.integers.contains(type) else {
      throw mismatch(type, column)
    }
    guard let value = Double(text) else { throw malformed(text, column) }
    return value
  }
}

extension Decimal: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Decimal {
    guard type == .numeric || PostgresType.integers.contains(type) else {
      throw mismatch(type, column)
    }
    guard let value = Decimal(string: String(text), locale: Locale(identifier: "en_US_POSIX")),
      !value.isNaN
    else { throw malformed(text, column) }
    return value
  }
}

extension UUID: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> UUID {
    guard type == .uuid else { throw mismatch(type, column) }
    guard let value = UUID(uuidString: String(text)) else { throw malformed(text, column) }
    return value
  }
}

extension Data: PostgresDecodable {
  /// bytea in hex output (`\x0001ff`), the server default since 9.0.
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Data {
    guard type == .bytea else { throw mismatch(type, column) }
    let utf8 = text.utf8
    guard utf8.count % 2 == 0, text.hasPrefix("\\x") else { throw malformed(text, column) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity((utf8.count - 2) / 2)
    var high: UInt8?
    for byte in utf8.dropFirst(2) {
      let nibble: UInt8
      switch byte {
      case 48...57: nibble = byte - 48
      case 97...102: nibble = byte - 87
      case 65...70: nibble = byte - 55
      default: throw malformed(text, column)
      }
      if let h = high {
        bytes.append(h << 4 | nibble)
        high = nil
      } else {
        high = nibble
      }
    }
    return Data(bytes)
  }
}

extension Date: PostgresDecodable {
  /// `timestamptz` only: a `timestamp` without time zone names no instant.
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Date {
    guard type == .timestamptz else { throw mismatch(type, column) }
    guard let value = PostgresTimestamp.parse(String(text)) else { throw malformed(text, column) }
    return value
  }
}

extension PostgresDate: PostgresDecodable {
  public static func decode(
    text: Substring, type: PostgresType, column: String
  ) throws -> PostgresDate {
    guard type == .date else { throw mismatch(type, column) }
    guard let value = PostgresDate(String(text)) else { throw malformed(text, column) }
    return value
  }
}

extension JSONB: PostgresDecodable {
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> JSONB {
    guard type == .jsonb || type == .json else { throw mismatch(type, column) }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    do {
      return JSONB(try decoder.decode(Value.self, from: Data(text.utf8)))
    } catch {
      throw PostgresError(
        .decoding, "column \"\(column)\": JSON does not match \(Value.self): \(error)")
    }
  }
}
