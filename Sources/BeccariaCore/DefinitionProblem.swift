import Foundation

/// One problem in a programme definition: where (`modules[1].title`) and what.
public struct DefinitionProblem: Sendable, Equatable, CustomStringConvertible {
  public var path: String
  public var message: String
  /// `line:column` in the source file, when known.
  public var location: String?
  public init(path: String, message: String, location: String? = nil) {
    self.path = path
    self.message = message
    self.location = location
  }
  public var description: String { "\(path): \(message)" }
}

extension String {
  var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
