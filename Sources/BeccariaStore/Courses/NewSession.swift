import BeccariaCore
import Foundation
import Postgres

/// Input of `session add`.
public struct NewSession: Sendable {
  public var courseCode: String
  public var module: Int
  public var day: CalendarDate
  /// Minutes since midnight.
  public var start: Int
  public var end: Int
  public var ue: Int
  public var location: String?
  public var trainerEmails: [String]
  public init(
    courseCode: String, module: Int, day: CalendarDate, start: Int, end: Int, ue: Int,
    location: String?, trainerEmails: [String]
  ) {
    self.courseCode = courseCode
    self.module = module
    self.day = day
    self.start = start
    self.end = end
    self.ue = ue
    self.location = location
    self.trainerEmails = trainerEmails
  }

  /// Why the times and UE do not fit together, or nil.
  /// Why the times cannot hold `ue` UE of `ueMinutes` minutes (the programme version's UE; 0
  /// checks only the order of the times), or nil.
  public func timeProblem(ueMinutes: Int) -> String? {
    if end <= start { return tr("the session must end after it starts") }
    if ue < 1 { return tr("--ue must be at least 1") }
    if ue * ueMinutes > end - start {
      return tr(
        "%@ UE of %@ minutes need %@ minutes, but %@–%@ has only %@", ue, ueMinutes, ue * ueMinutes, Self.clock(start),
        Self.clock(end), end - start)
    }
    return nil
  }

  public static func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
}
