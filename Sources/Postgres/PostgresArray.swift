import Foundation

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
