import Foundation

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
