import Foundation

/// Where a printed line may not break, as German typesetting has it: an abbreviation of several
/// parts ("e. V.", "z. B.") stays on one line (DIN 5008), so does a short quoted title
/// („Fachkraft für Kriminalprävention“) and a short hyphenated compound ("Beccaria-Standards",
/// which broke after its hyphen).
public enum Typography {
  /// `text` with the space inside an abbreviation of single-letter parts ("e. V.", "z. B.",
  /// "i. A.") made a no-break space (U+00A0).
  public static func keepAbbreviationsTogether(_ text: String) -> String {
    text.replacingOccurrences(
      of: #"(?<=(^|[^\p{L}])\p{L}\.) (?=\p{L}\.)"#, with: "\u{00A0}", options: .regularExpression)
  }

  /// A programme's printed text (body, award, module titles) with every rule of this type applied:
  /// abbreviations, quoted titles of at most `quotedLength` characters (their spaces made
  /// no-break spaces), and compounds of at most `compoundLength` characters (a word joiner,
  /// U+2060, after their hyphens: no glyph, no break).
  public static func programmeText(_ text: String, quotedLength: Int = 48, compoundLength: Int = 24) -> String {
    var result = keepAbbreviationsTogether(text)
    for quote in [#"„[^“”\n]+[“”]"#, #""[^"\n]+""#] {
      for range in result.ranges(matching: quote).reversed() where result[range].count <= quotedLength {
        result.replaceSubrange(range, with: result[range].replacingOccurrences(of: " ", with: "\u{00A0}"))
      }
    }
    for range in result.ranges(matching: #"\p{L}+(-\p{L}+)+"#).reversed() where result[range].count <= compoundLength {
      result.replaceSubrange(range, with: result[range].replacingOccurrences(of: "-", with: "-\u{2060}"))
    }
    return result
  }
}

extension String {
  /// The ranges `pattern` matches, in order.
  fileprivate func ranges(matching pattern: String) -> [Range<String.Index>] {
    var found: [Range<String.Index>] = []
    var start = startIndex
    while start < endIndex, let range = range(of: pattern, options: .regularExpression, range: start..<endIndex) {
      found.append(range)
      start = range.upperBound
    }
    return found
  }
}
