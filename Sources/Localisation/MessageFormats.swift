import Foundation

/// Messages that reach beccaria as finished English text, built elsewhere from known formats, as
/// catalogue texts: the reader gets one in their language by matching it against the formats.
/// The schema's refusals (`RAISE EXCEPTION 'format', …` in `schema/*.sql`, which PostgreSQL
/// sends as written) and the SMTP outcomes stored with a message are such texts.
public struct MessageFormats: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
  /// A format as a msgid: PL/pgSQL's `%` placeholder becomes `%@`, `%%` stays a literal percent,
  /// a doubled quote `''` one quote.
  public static func msgid(raiseFormat: String) -> String {
    raiseFormat.replacingOccurrences(of: "''", with: "'").replacingOccurrences(of: "%%", with: "\u{0}")
      .replacingOccurrences(of: "%", with: "%@").replacingOccurrences(of: "\u{0}", with: "%%")
  }

  /// The msgids of every `RAISE EXCEPTION` format in `sql`, in order, each once.
  public static func msgids(inSQL sql: String) -> [String] {
    guard let raise = try? NSRegularExpression(pattern: #"RAISE EXCEPTION\s+'((?:[^']|'')*)'"#) else { return [] }
    var seen = Set<String>()
    return raise.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)).compactMap { match in
      guard let range = Range(match.range(at: 1), in: sql) else { return nil }
      let id = msgid(raiseFormat: String(sql[range]))
      return seen.insert(id).inserted ? id : nil
    }
  }

  let patterns: [(NSRegularExpression, String)]

  /// The formats of `msgids`, each as a pattern that takes its placeholders' values.
  public init(msgids: [String]) {
    patterns = msgids.compactMap { id in
      let parts = id.replacingOccurrences(of: "%%", with: "%").components(separatedBy: "%@")
      let pattern = "^" + parts.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "(.*?)") + "$"
      return (try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])).map { ($0, id) }
    }
  }

  /// `message` in the reader's language when it is one of the formats (its values kept, an ISO
  /// day among them written as the reader writes days), else `message` as it is.
  public func localised(_ message: String) -> String {
    guard Localisation.language != .english else { return message }
    let range = NSRange(message.startIndex..., in: message)
    for (pattern, id) in patterns {
      guard let match = pattern.firstMatch(in: message, range: range) else { continue }
      let values = (1..<match.numberOfRanges).map { index -> String in
        guard let value = Range(match.range(at: index), in: message) else { return "" }
        return String(message[value])
      }
      // `tr` writes an ISO day among the values as the reader writes days.
      return tr(id, arguments: values, in: Localisation.language)
    }
    return message
  }
}
