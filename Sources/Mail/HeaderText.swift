import Foundation

/// Header field values for Internet messages (RFC 5322), with non-ASCII text as RFC 2047
/// encoded-words.
public enum HeaderText {
  /// `text` as an unstructured header value (Subject): unchanged when it is printable ASCII
  /// without anything that looks like an encoded-word, else `=?UTF-8?B?…?=` words of at most 75
  /// characters each (RFC 2047 § 2), split between characters — never inside a UTF-8 sequence or
  /// a grapheme — and folded onto continuation lines (CRLF + space), so that no line of the
  /// header grows past 78 characters. Control characters become spaces.
  public static func unstructured(_ text: String) -> String {
    let clean = withoutControls(text)
    if isPlain(clean) && clean.utf8.count <= 66 {
      return clean
    }
    return encodedWords(clean).joined(separator: "\r\n ")
  }

  /// A display name for an address header: a quoted string when it is ASCII, else encoded-words.
  public static func phrase(_ name: String) -> String {
    let clean = withoutControls(name)
    if isPlain(clean) {
      let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      return "\"\(escaped)\""
    }
    return encodedWords(clean).joined(separator: "\r\n ")
  }

  /// Control characters as spaces: a CR or LF could otherwise start a header of its own.
  static func withoutControls(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
  }

  /// Printable ASCII that no reader would take for an encoded-word: written as it is.
  static func isPlain(_ text: String) -> Bool {
    text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !text.contains("=?")
  }

  /// Base64 encoded-words of 39 bytes of UTF-8 at most (52 characters of base64, 64 with
  /// "=?UTF-8?B?" and "?=", within RFC 2047's 75), so that "Subject: " and the first word stay
  /// within 78 characters; 39 is a multiple of 3, so no word is padded inside the text.
  static func encodedWords(_ text: String) -> [String] {
    var words: [String] = []
    var chunk = Data()
    func add(_ bytes: Data) {
      if chunk.count + bytes.count > 39 && !chunk.isEmpty {
        words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
        chunk = Data()
      }
      chunk.append(bytes)
    }
    for character in text {
      let bytes = Data(String(character).utf8)
      if bytes.count <= 39 {
        add(bytes)
      } else {
        // A character of endless combining marks is split between its scalars: readers join
        // adjacent encoded-words again, and no word outgrows RFC 2047's 75 characters.
        for scalar in character.unicodeScalars { add(Data(String(scalar).utf8)) }
      }
    }
    if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
    return words
  }

  /// An RFC 5322 date-time in German local time: `Mon, 30 Nov 2026 10:17:29 +0100`.
  public static func date(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "Europe/Berlin")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
    return formatter.string(from: date)
  }
}
