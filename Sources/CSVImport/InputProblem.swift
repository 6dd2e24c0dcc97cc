import BeccariaCore
import Foundation

/// One problem with an input: the line of the file (nil for the file as a whole), the column it
/// concerns, and why. Every import reports its problems as these, formatted by `InputProblems`.
public struct InputProblem: Sendable, Equatable, Error {
  /// 1-based; the header is line 1. Nil for a problem of the whole file.
  public var line: Int?
  public var column: String?
  public var reason: String

  public init(line: Int?, column: String? = nil, reason: String) {
    self.line = line
    self.column = column
    self.reason = reason
  }

  /// `FILE:LINE: column "x": reason` (the parts that are known); in German
  /// `FILE:LINE: Spalte „x“: …`.
  public func formatted(file: String) -> String {
    file + (line.map { ":\($0)" } ?? "") + ": " + (column.map { tr("column \"%@\": ", $0) } ?? "") + reason
  }
}
