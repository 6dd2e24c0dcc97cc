/// English counts that agree with their number ("1 cohort", "2 cohorts"), for messages.
public enum Plural {
  /// `"\(n) \(noun)"` with the noun in the plural unless `n` is 1; `plural` when the noun does not
  /// just take an "s" ("1 entry", "3 entries").
  public static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
    "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
  }
}
