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
    case .table: print(tr("… and %@ more %@ (--limit 0 shows all).", more, trn(noun, nouns, more)))
    case .csv, .json, .xlsx:
      FileHandle.standardError.write(
        Data(
          (trn(
            "Note: %@ of %@ written; %@ more was left out by --limit (--limit 0 writes all).",
            "Note: %@ of %@ written; %@ more were left out by --limit (--limit 0 writes all).", more, shown,
            Plural.count(total, noun, plural: nouns), more) + "\n").utf8))
    }
  }
}
