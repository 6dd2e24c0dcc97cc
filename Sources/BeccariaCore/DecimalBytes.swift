import Foundation

/// Bytes written as decimal digits, for QR codes: a QR symbol's numeric mode stores three digits
/// in 10 bits, so bytes as digits cost 8.1 bits each (base64 in byte mode costs 10.7, base45 in
/// alphanumeric mode 8.3), and digits are safe in every part of a URL. Seven bytes, read as one
/// big-endian number, become 17 digits (2⁵⁶ < 10¹⁷); a last group of k < 7 bytes becomes the
/// fewest digits that hold 256ᵏ − 1: 3, 5, 8, 10, 13 or 15. Each group is padded with leading
/// zeros, so the digit count alone tells the byte count.
public enum DecimalBytes {
  /// Digits per group of 0…7 bytes.
  static let digits = [0, 3, 5, 8, 10, 13, 15, 17]

  public static func encode(_ data: Data) -> String {
    var out = [UInt8]()
    out.reserveCapacity(data.count * 17 / 7 + 17)
    let bytes = [UInt8](data)
    var start = 0
    while start < bytes.count {
      let count = min(7, bytes.count - start)
      var value: UInt64 = 0
      for byte in bytes[start..<start + count] { value = value << 8 | UInt64(byte) }
      var group = [UInt8](repeating: UInt8(ascii: "0"), count: digits[count])
      var index = group.count - 1
      while value > 0 {
        group[index] = UInt8(ascii: "0") + UInt8(value % 10)
        value /= 10
        index -= 1
      }
      out += group
      start += count
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The bytes of `text`, or nil when it is not exactly what `encode` writes (a digit count no
  /// group has, a non-digit, a group larger than its bytes hold).
  public static func decode(_ text: some StringProtocol) -> Data? {
    let characters = Array(text.utf8)
    var out = Data()
    out.reserveCapacity(characters.count * 7 / 17 + 7)
    var start = 0
    while start < characters.count {
      let remaining = characters.count - start
      let byteCount: Int
      if remaining >= 17 {
        byteCount = 7
      } else if let count = digits.firstIndex(of: remaining), count > 0 {
        byteCount = count
      } else {
        return nil
      }
      var value: UInt64 = 0
      for character in characters[start..<start + digits[byteCount]] {
        guard character >= UInt8(ascii: "0"), character <= UInt8(ascii: "9") else { return nil }
        let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times.addingReportingOverflow(UInt64(character - UInt8(ascii: "0")))
        guard !overflow1, !overflow2 else { return nil }
        value = sum
      }
      guard byteCount == 8 || value >> UInt64(8 * byteCount) == 0 else { return nil }
      for shift in stride(from: 8 * (byteCount - 1), through: 0, by: -8) {
        out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
      }
      start += digits[byteCount]
    }
    return out
  }
}
