import CivilCalendar
import Foundation

/// A calendar date as PostgreSQL's `date` holds it: no time, no time zone.
public struct PostgresDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int

  public init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// Parses `YYYY-MM-DD` (what the server prints with DateStyle ISO).
  public init?(_ text: String) {
    let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
    guard pieces.count == 3, let year = Int(pieces[0]), let month = Int(pieces[1]),
      let day = Int(pieces[2]), pieces[1].count == 2, pieces[2].count == 2,
      (1...12).contains(month), (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day)
    else { return nil }
    self.init(year: year, month: month, day: day)
  }

  public var description: String {
    let y = String(format: "%04d", year)
    return "\(y)-\(String(format: "%02d", month))-\(String(format: "%02d", day))"
  }

  public static func < (lhs: PostgresDate, rhs: PostgresDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }
}
