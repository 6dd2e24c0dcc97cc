/// Number formatting for printed and stored identifiers, without `String(format:)` (which goes
/// through Foundation's format parser and costs microseconds per call in the certificate run).
public enum Digits {
  /// `value` in decimal, zero-padded to at least `width` characters, sign included, as
  /// `%0<width>d` does (`padded(7, 2)` is `07`, `padded(-3, 3)` is `-03`).
  public static func padded(_ value: Int, _ width: Int) -> String {
    let sign = value < 0 ? "-" : ""
    let digits = String(value.magnitude)
    return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
  }

  /// Lower-case hexadecimal of `bytes`, two digits each.
  public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let alphabet = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
      out.append(alphabet[Int(byte >> 4)])
      out.append(alphabet[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The value of one lower-case hexadecimal digit (`0`…`9`, `a`…`f`), nil for anything else.
  public static func hexValue(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    default: nil
    }
  }
}
