import BeccariaCore
import Foundation
import PropertyBased
import Testing

/// `session plan`'s rule: a block's UE over its weekend, none lost, none on a weekday.
@Suite struct WeekendPlanTests {
  @Test func aSixteenUEBlockIsTwoEightUEDaysWithLunch() throws {
    let saturday = try #require(CalendarDate(iso: "2027-03-06"))
    let days = try #require(
      WeekendPlan.days(blocks: [16, 5], saturdays: [saturday, saturday.adding(days: 35)], start: 540, ueMinutes: 45))
    let sunday = saturday.adding(days: 1)
    let later = saturday.adding(days: 35)
    let expected: [WeekendPlan.Day] = [
      WeekendPlan.Day(day: saturday, start: 540, end: 945, ue: 8), WeekendPlan.Day(day: sunday, start: 540, end: 945, ue: 8),
      WeekendPlan.Day(day: later, start: 540, end: 675, ue: 3),
      WeekendPlan.Day(day: later.adding(days: 1), start: 540, end: 630, ue: 2),
    ]
    #expect(days == expected)
    #expect(WeekendPlan.days(blocks: [16], saturdays: [], start: 540, ueMinutes: 45) == nil)
  }

  @Test func everyUEIsPlannedOnItsWeekendInTheProgrammesMinutes() async {
    await propertyCheck(
      count: 300, input: Gen.int(in: 0...24).array(of: 1...4), Gen.int(in: 0...199), Gen.element(of: [45, 60]).map { $0 ?? 45 },
      Gen.int(in: 360...600)
    ) { blocks, week, minutes, start in
      guard let first = CalendarDate(iso: "2027-01-02")?.adding(days: 7 * week) else { return }
      let saturdays = blocks.indices.map { first.adding(days: 14 * $0) }
      guard let days = WeekendPlan.days(blocks: blocks, saturdays: saturdays, start: start, ueMinutes: minutes) else {
        Issue.record("counts match")
        return
      }
      #expect(days.reduce(0) { $0 + $1.ue } == blocks.reduce(0, +))
      for day in days {
        #expect(day.day.weekday == 6 || day.day.weekday == 7)
        #expect(day.ue > 0)
        #expect(day.end - day.start == day.ue * minutes + (day.ue > 4 ? 45 : 0))
      }
      for (index, ue) in blocks.enumerated() {
        let weekend = days.filter { $0.day == saturdays[index] || $0.day == saturdays[index].adding(days: 1) }
        #expect(weekend.reduce(0) { $0 + $1.ue } == ue)
        #expect((weekend.first { $0.day == saturdays[index] }?.ue ?? 0) == (ue + 1) / 2)
      }
    }
  }
}
