import Foundation

/// A gettext PO catalogue (GNU gettext manual, 3 "The Format of PO Files"): `msgid`, optional
/// `msgid_plural`, `msgstr` or `msgstr[N]`, strings continued on following lines, C escapes.
/// Entries marked `#, fuzzy` and entries without a translation are left out, as gettext
/// leaves them out.
public struct Catalogue: Sendable {
  /// The translations by `msgid`: one form, or the plural forms in order.
  public var entries: [String: [String]]

  public init(entries: [String: [String]]) { self.entries = entries }

  /// One entry of a PO file as read, before the rules of `init(po:)` drop any.
  public struct Entry: Sendable, Equatable {
    public var id = ""
    public var plural: String?
    public var translations: [String] = []
    public var fuzzy = false
    /// The line the entry starts on (1-based).
    public var line = 0
  }

  public init(po text: String) {
    var entries: [String: [String]] = [:]
    for entry in Self.read(text) where !entry.fuzzy && !entry.id.isEmpty && !entry.translations.contains(where: \.isEmpty) {
      entries[entry.id] = entry.translations
    }
    self.entries = entries
  }

  /// Every entry of `text`, the header (empty msgid) included.
  public static func read(_ text: String) -> [Entry] {
    var result: [Entry] = []
    var current = Entry()
    var field: String?  // "id", "plural", "str0", "str1", …
    var flags = false
    func finish() {
      if field != nil { result.append(current) }
      current = Entry()
      field = nil
      flags = false
    }
    func append(_ piece: String) {
      switch field {
      case "id": current.id += piece
      case "plural": current.plural = (current.plural ?? "") + piece
      case let name? where name.hasPrefix("str"):
        let index = Int(name.dropFirst(3)) ?? 0
        while current.translations.count <= index { current.translations.append("") }
        current.translations[index] += piece
      default: break
      }
    }
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty {
        continue
      } else if line.hasPrefix("#,") {
        if field != nil && !flags { finish() }
        flags = true
        current.line = current.line == 0 ? number + 1 : current.line
        if line.contains("fuzzy") { current.fuzzy = true }
      } else if line.hasPrefix("#") {
        continue
      } else if line.hasPrefix("msgid_plural ") {
        field = "plural"
        append(unquote(line.dropFirst("msgid_plural ".count)))
      } else if line.hasPrefix("msgid ") {
        if field != nil { finish() }
        current.line = current.line == 0 ? number + 1 : current.line
        field = "id"
        append(unquote(line.dropFirst("msgid ".count)))
      } else if line.hasPrefix("msgstr[") {
        let index = line.dropFirst("msgstr[".count).prefix { $0 != "]" }
        field = "str\(index)"
        append(unquote(line.drop { $0 != " " }.dropFirst()))
      } else if line.hasPrefix("msgstr ") {
        field = "str0"
        append(unquote(line.dropFirst("msgstr ".count)))
      } else if line.hasPrefix("\"") {
        append(unquote(line[...]))
      }
    }
    finish()
    return result
  }

  /// The text of a quoted PO string, its C escapes (`\n`, `\t`, `\"`, `\\`) resolved.
  static func unquote(_ quoted: Substring) -> String {
    var body = quoted.trimmingCharacters(in: .whitespaces)[...]
    if body.hasPrefix("\"") { body = body.dropFirst() }
    if body.hasSuffix("\"") { body = body.dropLast() }
    var out = ""
    var escaped = false
    for character in body {
      if escaped {
        switch character {
        case "n": out.append("\n")
        case "t": out.append("\t")
        default: out.append(character)
        }
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else {
        out.append(character)
      }
    }
    return out
  }

  /// `text` with `%@` filled in order, `%N$@` by position, `%%` as `%`.
  public static func fill(_ text: String, _ arguments: [String]) -> String {
    guard text.contains("%") else { return text }
    var out = ""
    var next = 0
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      guard character == "%" else {
        out.append(character)
        index = text.index(after: index)
        continue
      }
      let rest = text[text.index(after: index)...]
      if rest.hasPrefix("%") {
        out.append("%")
        index = text.index(index, offsetBy: 2)
      } else if rest.hasPrefix("@") {
        out += next < arguments.count ? arguments[next] : ""
        next += 1
        index = text.index(index, offsetBy: 2)
      } else if let digits = Optional(rest.prefix { $0.isNumber }), !digits.isEmpty,
        rest.dropFirst(digits.count).hasPrefix("$@"), let position = Int(digits)
      {
        out += position >= 1 && position <= arguments.count ? arguments[position - 1] : ""
        index = text.index(index, offsetBy: 1 + digits.count + 2)
      } else {
        out.append(character)
        index = text.index(after: index)
      }
    }
    return out
  }

  /// The placeholders of `text` as the positions they take (`%@` in order, `%N$@` as N).
  public static func placeholders(_ text: String) -> [Int] {
    var positions: [Int] = []
    var next = 1
    var scanner = text[...]
    while let percent = scanner.firstIndex(of: "%") {
      let rest = scanner[scanner.index(after: percent)...]
      if rest.hasPrefix("%") {
        scanner = rest.dropFirst()
      } else if rest.hasPrefix("@") {
        positions.append(next)
        next += 1
        scanner = rest.dropFirst()
      } else {
        let digits = rest.prefix { $0.isNumber }
        if !digits.isEmpty, rest.dropFirst(digits.count).hasPrefix("$@"), let position = Int(digits) {
          positions.append(position)
          scanner = rest.dropFirst(digits.count + 2)
        } else {
          scanner = rest
        }
      }
    }
    return positions
  }
}
