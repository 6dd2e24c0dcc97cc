import BeccariaCore
import Foundation
import Testing

@Suite struct CalendarDateTests {
  @Test(arguments: [
    ("2024-02-29", true), ("2023-02-29", false), ("2027-13-01", false), ("2027-1-01", false),
    ("2027-04-31", false), ("27-04-01", false), ("2027-04-01", true), ("２０２７-04-01", false),
  ])
  func parsesOnlyRealISODates(text: String, valid: Bool) {
    #expect((CalendarDate(iso: text) != nil) == valid)
  }

  @Test func arithmeticAndWeekdays() throws {
    let date = try #require(CalendarDate(iso: "2027-03-06"))
    #expect(date.weekday == 6)  // a Saturday
    #expect(date.adding(days: 1).description == "2027-03-07")
    #expect(date.adding(days: -6).description == "2027-02-28")
    #expect(try #require(CalendarDate(iso: "2028-02-28")).adding(days: 1).description == "2028-02-29")
    #expect(date.german == "06.03.2027")
    #expect(try #require(CalendarDate(iso: "1970-01-01")).dayNumber == 0)
  }

  @Test func todayIsGermanLocalTime() throws {
    // 23:30 UTC on 31 December is already 1 January in Berlin.
    let lateUTC = Date(timeIntervalSince1970: 1_798_759_800)  // 2026-12-31 23:30:00 UTC
    #expect(CalendarDate.today(now: lateUTC).description == "2027-01-01")
  }
}

@Suite struct AGSTests {
  @Test func acceptsOnlyEightDigitKeysOfGermanStates() {
    #expect(AGS("14612000")?.stateCode == "14")
    #expect(AGS("01001000") != nil)
    #expect(AGS("1461200") == nil)
    #expect(AGS("17000000") == nil)
    #expect(AGS("14a12000") == nil)
    #expect(AGS.problem(with: "1461200")?.contains("7 digits") == true)
    #expect(AGS.problem(with: "14612000") == nil)
  }
}
