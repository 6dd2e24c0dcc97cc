import BeccariaCore
import Foundation

/// What a listing cut by `--limit` says: in a table, a last line "… and 537 more (--limit 0 shows
/// all)"; for CSV, JSON and workbooks, the same on standard error, so that a file is
/// never cut silently.
enum LimitNote {
  static func say(shown: Int, total: Int, noun: String, plural: String? = nil, format: OutputFormat) {
    guard total > shown else { return }
    let more = total - shown
    let nouns = plural ?? noun + "s"
    switch format {
    case .table: print("… and \(more) more \(more == 1 ? noun : nouns) (--limit 0 shows all).")
    case .csv, .json, .xlsx:
      FileHandle.standardError.write(
        Data(
          "Note: \(shown) of \(Plural.count(total, noun, plural: nouns)) written; \(more) more \(more == 1 ? "was" : "were") left out by --limit (--limit 0 writes all).\n"
            .utf8))
    }
  }
}
