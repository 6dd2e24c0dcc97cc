import Foundation

/// JSON strings written by hand (RFC 8259 §7): the quotation mark, the reverse solidus, line
/// feed, carriage return and tab escaped by name, other control characters as `\u00XX`,
/// everything else as it is (UTF-8). The canonical encoding of a certificate's claim is signed
/// with exactly this form, so it never changes; the verification service writes its answers
/// with it too.
public enum JSONText {
  public static func quoted(_ text: String) -> String {
    var out = "\""
    out.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
