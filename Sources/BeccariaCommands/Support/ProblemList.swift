import BeccariaCore
import CSVImport
import Foundation

/// Problems of one record.
struct ProblemList: Error {
  var items: RecordInput.Problems
  init(_ items: RecordInput.Problems) { self.items = items }

  /// The problems of the record on `line`.
  func problems(line: Int) -> [InputProblem] {
    items.map { InputProblem(line: line, column: $0.column, reason: $0.reason) }
  }

  /// `--option: reason` sentences for command options.
  var sentence: String {
    items.map { "--\($0.column.replacingOccurrences(of: "_", with: "-")) \($0.reason)" }.joined(separator: "; ")
  }
}
