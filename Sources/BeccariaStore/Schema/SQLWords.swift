import BeccariaCore
import Postgres

/// Sentences that SQL builds set-wise, in the reader's language: a translated template whose
/// placeholders were filled with PostgreSQL's `%1$s`, `%2$s`, … (given to `tr` as its arguments)
/// is bound as the first argument of `format()`, and stored state keys are shown as the reader's
/// words.
enum SQLWords {
  /// `column`'s stored state keys among `keys` as the reader's words (`Term.word`), any other
  /// value as it is.
  static func words(_ column: SQL, _ keys: [String]) -> SQL {
    var sql: SQL = "CASE \(column)"
    for key in keys { sql = "\(sql) WHEN \(key) THEN \(Term.word(key))" }
    return "\(sql) ELSE \(column) END"
  }
}
