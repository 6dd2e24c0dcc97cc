import ArgumentParser
import Foundation

/// `--session ID`.
struct SessionArgument: ExpressibleByArgument {
  var id: Int64
  init?(argument: String) {
    guard let value = Int64(argument.trimmingCharacters(in: .whitespaces)), value > 0 else { return nil }
    id = value
  }
}
