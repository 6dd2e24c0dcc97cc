import Foundation

/// A scanned or pasted certificate code that cannot be read.
public struct MalformedPayload: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
