import BeccariaCore
import Foundation

/// Problems with an input file, one line each (`FILE:LINE: column "x": reason`), in the order of
/// their lines. Nothing was imported.
public struct InputProblems: Error, CustomStringConvertible, Sendable {
  public var file: String
  public var problems: [InputProblem]
  /// The file's own header for an import's column name (`CSVHeader.Checked.written`), so that
  /// a problem names the column as the office wrote it: `column "Geburtsdatum"`.
  public var columnNames: [String: String] = [:]

  public init(file: String, _ problems: [InputProblem]) {
    self.file = file
    self.problems = problems
  }

  /// One problem of the file as a whole (it cannot be read, it is empty).
  public init(file: String, reason: String) {
    self.init(file: file, [InputProblem(line: nil, reason: reason)])
  }

  /// The problems as printed, one line each.
  public var lines: [String] {
    problems.map { problem in
      var named = problem
      if let column = problem.column, let written = columnNames[column] { named.column = written }
      return named.formatted(file: file)
    }
  }

  /// Runs `body`, naming the columns of any `InputProblems` it throws as `header` wrote them.
  public static func naming<T>(_ header: [String: String], _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch var problems as InputProblems {
      problems.columnNames.merge(header) { old, _ in old }
      throw problems
    }
  }

  public var description: String {
    // Each problem quotes the file, which may hold anything: its line breaks and control
    // characters are shown escaped, so that no quoted field reads as a line of its own.
    let shown = lines.prefix(200).map { InertText.escape($0) }
    var text = shown.joined(separator: "\n")
    if problems.count > shown.count { text += "\n" + tr("… and %@ more", Plural.count(problems.count - shown.count, "problem")) }
    return text + "\n" + tr("Nothing was imported (%@).", Plural.count(problems.count, "problem"))
  }

}
