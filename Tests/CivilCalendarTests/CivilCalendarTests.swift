import CivilCalendar
import Foundation
import Testing

/// Day arithmetic against Foundation's Gregorian calendar from 1587 to 2369 (Foundation's calendar
/// is Julian before October 1582; ours is proleptic Gregorian).
@Suite struct CivilCalendarTests {
  @Test func dayCountsAgreeWithFoundationAndRoundTrip() throws {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
    let epoch = try #require(calendar.date(from: DateComponents(year: 1970, month: 1, day: 1)))
    for days in stride(from: -139_000, through: 146_097, by: 97) {
      let civil = CivilCalendar.civil(days: days)
      let date = try #require(calendar.date(byAdding: .day, value: days, to: epoch))
      let parts = calendar.dateComponents([.year, .month, .day], from: date)
      #expect(civil.year == parts.year && civil.month == parts.month && civil.day == parts.day, "\(days)")
      #expect(CivilCalendar.days(year: civil.year, month: civil.month, day: civil.day) == days)
    }
  }

  @Test func monthsAndLeapYears() {
    #expect(CivilCalendar.daysInMonth(year: 2024, month: 2) == 29)
    #expect(CivilCalendar.daysInMonth(year: 2100, month: 2) == 28)
    #expect(CivilCalendar.daysInMonth(year: 2000, month: 2) == 29)
    #expect(CivilCalendar.daysInMonth(year: 2027, month: 4) == 30)
    #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
    #expect(CivilCalendar.days(year: 2027, month: 3, day: 6) == 20_883)
  }
}
