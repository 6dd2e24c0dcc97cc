/// Text that cannot act on a terminal, a log viewer or a spreadsheet: control characters (C0,
/// DEL, C1) and the Unicode bidirectional controls are what an escape sequence or a reordered
/// line is made of; line and paragraph separators break lines where no line break is seen; and
/// invisible format characters make two different names look the same. Input containing them is
/// refused (the database refuses the same set, schema 0018's `beccaria_inert`); output shows them
/// as visible escapes (`\u{1B}`), so that stored or presented data — a forged certificate code,
/// say — can never make a terminal print "VALID".
///
/// The invisible characters are those of Unicode's Default_Ignorable_Code_Point property
/// (UAX #44) that no writing system needs: soft hyphen, the Arabic letter mark, the Mongolian
/// vowel separator, the zero-width space, word joiner and invisible operators, the deprecated
/// format characters, the byte order mark, the interlinear annotation marks and the tag
/// characters. Zero-width joiner and non-joiner (U+200C, U+200D) and the variation selectors
/// stay allowed: Persian, Indic and CJK names are spelled with them.
public enum InertText {
  /// Whether `scalar` is one of the characters refused in input and escaped in output.
  public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true
    case 0x2028, 0x2029: true
    case 0x00AD, 0x180E, 0x200B, 0x2060...0x2064, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFB, 0xE0000...0xE007F: true
    default: false
    }
  }

  /// The first refused character of `text`, if any.
  public static func firstControl(in text: String) -> Unicode.Scalar? {
    text.unicodeScalars.first(where: isControl)
  }

  /// `U+001B` for people.
  public static func name(_ scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }

  /// `text` with every refused character shown as `\u{…}`; with `keepNewlines`, line ends stay
  /// (`\n`, and `\r` right before one: CSV ends its lines so), for text of several lines whose
  /// values were escaped already or hold no data.
  public static func escape(_ text: String, keepNewlines: Bool = false) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var out = String.UnicodeScalarView()
    let scalars = Array(text.unicodeScalars)
    for (index, scalar) in scalars.enumerated() {
      let lineEnd = scalar == "\n" || (scalar == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n")
      if isControl(scalar) && !(keepNewlines && lineEnd) {
        out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }

  /// JSON text with the refused characters that JSON allows raw (DEL, C1, bidirectional
  /// controls, invisible characters) written as `\uXXXX` escapes (a surrogate pair above
  /// U+FFFF, RFC 8259 section 7); still the same JSON value.
  public static func escapeJSON(_ json: String) -> String {
    guard json.unicodeScalars.contains(where: { isControl($0) && $0.value >= 0x20 }) else { return json }
    var out = String.UnicodeScalarView()
    for scalar in json.unicodeScalars {
      if isControl(scalar) && scalar.value >= 0x20 {
        for unit in String(scalar).utf16 {
          let hex = String(unit, radix: 16)
          out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        }
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }
}
