import CivilCalendar
import Foundation
import Localisation

/// A date without time or zone: a birth date, the day of a session.
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  public let year: Int
  public let month: Int
  public let day: Int

  /// Nil when the combination is not a real date (30 February).
  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month),
      (1...Self.daysIn(year: year, month: month)).contains(day)
    else { return nil }
    self.year = year
    self.month = month
    self.day = day
  }

  /// Parses ISO 8601 `YYYY-MM-DD` (strictly: two-digit month and day).
  public init?(iso text: some StringProtocol) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else { return nil }
    self.init(year: year, month: month, day: day)
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let date = CalendarDate(iso: text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "\"\(text)\" is not a date in the form YYYY-MM-DD")
    }
    self = date
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// `YYYY-MM-DD`.
  public var description: String {
    "\(Digits.padded(year, 4))-\(Digits.padded(month, 2))-\(Digits.padded(day, 2))"
  }

  /// German form `DD.MM.YYYY`, as printed on documents.
  public var german: String {
    "\(Digits.padded(day, 2)).\(Digits.padded(month, 2)).\(Digits.padded(year, 4))"
  }

  /// Days since 1970-01-01.
  public var dayNumber: Int { CivilCalendar.days(year: year, month: month, day: day) }

  /// The date `days` after this one (negative for before).
  public func adding(days: Int) -> CalendarDate {
    let civil = CivilCalendar.civil(days: dayNumber + days)
    // The arithmetic always yields a valid civil date.
    return CalendarDate(uncheckedYear: civil.year, month: civil.month, day: civil.day)
  }

  /// ISO weekday: 1 Monday ... 7 Sunday.
  public var weekday: Int {
    let n = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday
    return (n < 0 ? n + 7 : n) + 1
  }

  /// Today in German local time (Europe/Berlin), whatever the machine's zone.
  public static func today(in timeZone: TimeZone = .berlin, now: Date = Date()) -> CalendarDate {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let parts = calendar.dateComponents([.year, .month, .day], from: now)
    return CalendarDate(uncheckedYear: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
  }

  public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  init(uncheckedYear year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  static func daysIn(year: Int, month: Int) -> Int { CivilCalendar.daysInMonth(year: year, month: month) }
}

extension TimeZone {
  /// German local time, the zone of every date people read in this system.
  public static let berlin = TimeZone(identifier: "Europe/Berlin") ?? TimeZone(secondsFromGMT: 3600) ?? .current
}

extension CalendarDate: ReaderWritten {
  /// In a message: 09.01.2027 for a German reader, 2027-01-09 (ISO 8601) otherwise.
  public func written(in language: Localisation.Language) -> String { language == .german ? german : description }
}
