/// Counts that agree with their number ("1 cohort", "2 cohorts"; "1 Durchgang", "2 Durchgänge"),
/// in the reader's language (`trn`), for messages.
public enum Plural {
  /// `"\(n) \(noun)"` with the noun in the plural unless `n` is 1; `plural` when the noun does not
  /// just take an "s" ("1 entry", "3 entries"). The German forms come from the catalogue, whose
  /// entry is the English singular.
  public static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
    "\(n) \(trn(noun, plural ?? noun + "s", n))"
  }
}
