/// Text that cannot act on a terminal, a log viewer or a spreadsheet: control characters (C0,
/// DEL, C1) and the Unicode bidirectional controls are what an escape sequence or a reordered
/// line is made of. Input containing them is refused (the database refuses them too, schema
/// 0018); output shows them as visible escapes (`\u{1B}`), so that stored or presented data — a
/// forged certificate code, say — can never make a terminal print "VALID".
public enum InertText {
  /// Whether `scalar` is one of the characters refused in input and escaped in output.
  public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
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
  /// controls) written as `\uXXXX` escapes; still the same JSON value.
  public static func escapeJSON(_ json: String) -> String {
    guard json.unicodeScalars.contains(where: { isControl($0) && $0.value >= 0x20 }) else { return json }
    var out = String.UnicodeScalarView()
    for scalar in json.unicodeScalars {
      if isControl(scalar) && scalar.value >= 0x20 {
        let hex = String(scalar.value, radix: 16)
        out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }
}
