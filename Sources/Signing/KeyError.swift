import Foundation

/// A problem with a key file or key.
public struct KeyError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
