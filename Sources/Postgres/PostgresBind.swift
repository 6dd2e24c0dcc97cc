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
