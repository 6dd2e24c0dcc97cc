import Foundation

/// Where a printed line may not break, as German typesetting has it (DIN 5008: an abbreviation of
/// several parts, such as "e. V." or "z. B.", stays on one line).
public enum Typography {
  /// `text` with the space inside an abbreviation of single-letter parts ("e. V.", "z. B.",
  /// "i. A.") made a no-break space (U+00A0).
  public static func keepAbbreviationsTogether(_ text: String) -> String {
    text.replacingOccurrences(
      of: #"(?<=(^|[^\p{L}])\p{L}\.) (?=\p{L}\.)"#, with: "\u{00A0}", options: .regularExpression)
  }
}
