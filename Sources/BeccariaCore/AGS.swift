/// Amtlicher Gemeindeschlüssel: the 8-digit official municipality key. Kept as text because
/// leading zeros exist (Schleswig-Holstein is 01).
public struct AGS: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  public let value: String

  /// Nil unless `text` is exactly 8 ASCII digits with a known state prefix (01–16).
  public init?(_ text: some StringProtocol) {
    let trimmed = String(text)
    guard trimmed.utf8.count == 8, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
      let state = Int(trimmed.prefix(2)), (1...16).contains(state)
    else { return nil }
    value = trimmed
  }

  /// The state part (14 is Saxony).
  public var stateCode: String { String(value.prefix(2)) }

  public var description: String { value }

  public static func < (lhs: AGS, rhs: AGS) -> Bool { lhs.value < rhs.value }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let ags = AGS(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "\"\(text)\" is not an 8-digit AGS")
    }
    self = ags
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(value)
  }

  /// Why `text` is not an AGS, in one phrase, or nil when it is one.
  public static func problem(with text: String) -> String? {
    if text.isEmpty { return tr("is empty; an AGS has 8 digits") }
    if !text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
      return tr("\"%@\" is not an AGS: only the digits 0–9 are allowed", text)
    }
    if text.utf8.count == 7, AGS("0" + text) != nil {
      // A spreadsheet reads 01234567 as a number and saves 1234567.
      return tr("\"%@\" has 7 digits; an AGS has 8 (a spreadsheet may have dropped its leading zero: 0%@?)", text, text)
    }
    if text.utf8.count != 8 { return tr("\"%@\" is not an AGS: it has %@ digits, not 8", text, text.utf8.count) }
    if AGS(text) == nil { return tr("\"%@\" is not an AGS: %@ is no German state", text, text.prefix(2)) }
    return nil
  }
}
