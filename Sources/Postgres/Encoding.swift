import Foundation

/// One bind parameter as it goes to `PQexecParams`: its type, format and bytes (nil for NULL).
public struct PostgresBind: Sendable {
  public enum Format: Int32, Sendable {
    case text = 0
    case binary = 1
  }
  public var type: PostgresType
  public var format: Format
  public var bytes: [UInt8]?

  public init(type: PostgresType, format: Format = .text, bytes: [UInt8]?) {
    self.type = type
    self.format = format
    self.bytes = bytes
  }

  init(type: PostgresType, text: String) {
    self.init(type: type, format: .text, bytes: Array(text.utf8))
  }
}

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

/// A value sent or received as `jsonb`, encoded and decoded with Codable.
public struct JSONB<Value: Codable>: PostgresEncodable {
  public static var postgresType: PostgresType { .jsonb }
  public var value: Value
  public init(_ value: Value) { self.value = value }

  public var postgresBind: PostgresBind {
    // No sorted keys: jsonb stores an object's keys in its own order whatever the text's.
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    // Encoding a Codable value only fails for non-conforming floats; send NULL then, and let
    // the NOT NULL constraints of the column object.
    guard let data = try? encoder.encode(value) else {
      return PostgresBind(type: .jsonb, bytes: nil)
    }
    return PostgresBind(type: .jsonb, format: .text, bytes: [UInt8](data))
  }
}

/// A list of values sent as one PostgreSQL array parameter (`= ANY(\(PostgresArray(ids)))`).
public struct PostgresArray<Element: PostgresEncodable>: PostgresEncodable {
  public var elements: [Element]
  public init(_ elements: [Element]) { self.elements = elements }

  public var postgresBind: PostgresBind {
    if Element.postgresType == .bytea { return binaryByteaArray }
    // The element type is the Swift type's, so that an empty array is typed as well as a full
    // one (an empty bigint[] sent as text[] failed with "bigint = text").
    var elementType = Element.postgresType
    var literal: [UInt8] = [UInt8(ascii: "{")]
    let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    for (index, element) in elements.enumerated() {
      if index > 0 { literal.append(UInt8(ascii: ",")) }
      let bind = element.postgresBind
      elementType = bind.type
      if let bytes = bind.bytes, bind.format == .text {
        literal.reserveCapacity(literal.count + bytes.count + 8)
        literal.append(quote)
        for byte in bytes {
          if byte == quote || byte == backslash { literal.append(backslash) }
          literal.append(byte)
        }
        literal.append(quote)
      } else {
        literal += Array("NULL".utf8)
      }
    }
    literal.append(UInt8(ascii: "}"))
    let arrayType: PostgresType =
      switch elementType {
      case .int8: PostgresType(rawValue: 1016)
      case .int4: PostgresType(rawValue: 1007)
      case .int2: PostgresType(rawValue: 1005)
      case .bool: PostgresType(rawValue: 1000)
      case .uuid: PostgresType(rawValue: 2951)
      case .date: PostgresType(rawValue: 1182)
      default: PostgresType(rawValue: 1009)  // text[]
      }
    return PostgresBind(type: arrayType, format: .text, bytes: literal)
  }

  /// A bytea[] in the binary array format (as `array_send` writes it): no hex escaping of
  /// documents that are tens of kilobytes each.
  var binaryByteaArray: PostgresBind {
    var bytes: [UInt8] = []
    func append(_ value: Int32) { withUnsafeBytes(of: value.bigEndian) { bytes += $0 } }
    // Documents are copied once, straight from their storage.
    let values: [Data?] = elements.map { element in
      if let data = element as? Data { return data }
      if let optional = element as? Data?, let data = optional { return data }
      return element.postgresBind.bytes.map { Data($0) }
    }
    bytes.reserveCapacity(20 + values.reduce(0) { $0 + 4 + ($1?.count ?? 0) })
    append(1)  // dimensions
    append(values.contains { $0 == nil } ? 1 : 0)  // has NULLs
    append(Int32(bitPattern: PostgresType.bytea.rawValue))
    append(Int32(values.count))
    append(1)  // lower bound
    for value in values {
      if let value {
        append(Int32(value.count))
        value.withUnsafeBytes { bytes += $0 }
      } else {
        append(-1)
      }
    }
    return PostgresBind(type: PostgresType(rawValue: 1001), format: .binary, bytes: bytes)
  }
}
