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

  /// A numeric expression as text the reader reads: no trailing zeros (6.50 → 6.5), and a
  /// decimal comma for a German reader (6,5).
  static func number(_ expression: SQL) -> SQL {
    Localisation.language == .german
      ? "replace(trim_scale(\(expression))::text, '.', ',')" : "trim_scale(\(expression))::text"
  }

  /// A date expression as the reader writes days: 06.03.2027, or 2027-03-06 (ISO 8601).
  static func day(_ expression: SQL) -> SQL {
    "to_char(\(expression), \(Localisation.language == .german ? "DD.MM.YYYY" : "YYYY-MM-DD"))"
  }
}
