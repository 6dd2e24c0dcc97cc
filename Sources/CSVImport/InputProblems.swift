import BeccariaCore
import Foundation

/// Problems with an input file, one line each (`FILE:LINE: column "x": reason`), in the order of
/// their lines. Nothing was imported.
public struct InputProblems: Error, CustomStringConvertible, Sendable {
  public var file: String
  public var problems: [InputProblem]

  public init(file: String, _ problems: [InputProblem]) {
    self.file = file
    self.problems = problems
  }

  /// One problem of the file as a whole (it cannot be read, it is empty).
  public init(file: String, reason: String) {
    self.init(file: file, [InputProblem(line: nil, reason: reason)])
  }

  /// The problems as printed, one line each.
  public var lines: [String] { problems.map { $0.formatted(file: file) } }

  public var description: String {
    // Each problem quotes the file, which may hold anything: its line breaks and control
    // characters are shown escaped, so that no quoted field reads as a line of its own.
    let shown = lines.prefix(200).map { InertText.escape($0) }
    var text = shown.joined(separator: "\n")
    if problems.count > shown.count { text += "\n… and \(problems.count - shown.count) more problems" }
    return text + "\nNothing was imported (\(problems.count) problem\(problems.count == 1 ? "" : "s"))."
  }

}
