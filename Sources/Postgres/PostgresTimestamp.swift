import CivilCalendar
import Foundation

/// Text form of `timestamptz` values (DateStyle ISO), both directions.
enum PostgresTimestamp {
  /// `2026-03-29 01:30:00.123456+00`, always UTC.
  static func format(_ date: Date) -> String {
    let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
    let micros = Int(totalMicros)
    var seconds = micros / 1_000_000
    var fraction = micros % 1_000_000
    if fraction < 0 {
      fraction += 1_000_000
      seconds -= 1
    }
    var days = seconds / 86_400
    var secondOfDay = seconds % 86_400
    if secondOfDay < 0 {
      secondOfDay += 86_400
      days -= 1
    }
    let (year, month, day) = CivilCalendar.civil(days: days)
    return String(
      format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", year, month, day, secondOfDay / 3600,
      secondOfDay / 60 % 60, secondOfDay % 60, fraction)
  }

  /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`.
  static func parse(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    var index = 0
    func number(_ width: Int? = nil) -> Int? {
      var value = 0
      var count = 0
      while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57,
        width.map({ count < $0 }) ?? true
      {
        value = value * 10 + Int(bytes[index] - 48)
        index += 1
        count += 1
      }
      if count == 0 || (width != nil && count != width) { return nil }
      return value
    }
    func expect(_ character: UInt8) -> Bool {
      guard index < bytes.count, bytes[index] == character else { return false }
      index += 1
      return true
    }
    guard let year = number(), expect(45), let month = number(2), expect(45), let day = number(2),
      expect(32), let hour = number(2), expect(58), let minute = number(2), expect(58),
      let second = number(2)
    else { return nil }
    var micros = 0
    if index < bytes.count, bytes[index] == 46 {
      index += 1
      var digits = 0
      while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
        if digits < 6 {
          micros = micros * 10 + Int(bytes[index] - 48)
          digits += 1
        }
        index += 1
      }
      for _ in digits..<6 { micros *= 10 }
    }
    guard index < bytes.count, bytes[index] == 43 || bytes[index] == 45 else { return nil }
    let sign = bytes[index] == 45 ? -1 : 1
    index += 1
    guard let offsetHours = number(2) else { return nil }
    var offset = offsetHours * 3600
    if expect(58), let minutes = number(2) {
      offset += minutes * 60
      if expect(58), let seconds = number(2) { offset += seconds }
    }
    guard index == bytes.count else { return nil }
    let days = CivilCalendar.days(year: year, month: month, day: day)
    let utcSeconds = days * 86_400 + hour * 3600 + minute * 60 + second - sign * offset
    return Date(timeIntervalSince1970: Double(utcSeconds) + Double(micros) / 1_000_000)
  }
}
