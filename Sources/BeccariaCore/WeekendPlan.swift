import Foundation

/// How a module's weekend blocks become sessions (`session plan`): each block on its weekend, its
/// UE split over Saturday and Sunday with Saturday taking the odd one, each day starting at the
/// same time and lasting its UE in the programme's minutes, plus a 45-minute lunch break on a day
/// of more than 4 UE. A day without UE gets no session.
public enum WeekendPlan {
  /// One planned day.
  public struct Day: Sendable, Equatable {
    public var day: CalendarDate
    /// Minutes after midnight.
    public var start: Int
    public var end: Int
    public var ue: Int

    public init(day: CalendarDate, start: Int, end: Int, ue: Int) {
      self.day = day
      self.start = start
      self.end = end
      self.ue = ue
    }
  }

  /// Minutes of the lunch break on a day of more than `lunchAfterUE` UE.
  public static let lunchMinutes = 45
  public static let lunchAfterUE = 4

  /// The days of `blocks` (their UE, in order) on the weekends that begin on `saturdays` (one per
  /// block, in the same order), starting at `start` minutes after midnight, a UE lasting
  /// `ueMinutes`. Nil when the counts differ.
  public static func days(blocks: [Int], saturdays: [CalendarDate], start: Int, ueMinutes: Int) -> [Day]? {
    guard blocks.count == saturdays.count else { return nil }
    return zip(blocks, saturdays).flatMap { ue, saturday -> [Day] in
      let saturdayUE = (ue + 1) / 2
      return [(saturday, saturdayUE), (saturday.adding(days: 1), ue - saturdayUE)].compactMap { day, ue in
        guard ue > 0 else { return nil }
        let lunch = ue > lunchAfterUE ? lunchMinutes : 0
        return Day(day: day, start: start, end: start + ue * ueMinutes + lunch, ue: ue)
      }
    }
  }
}
