import BeccariaCore
import Foundation
import Postgres

/// Input of `course create`.
public struct NewCourse: Sendable {
  public var programmeCode: String
  public var code: String
  public var title: String?
  public var capacity: Int
  public var venue: String?
  public var startsOn: CalendarDate?
  public var endsOn: CalendarDate?
  public init(
    programmeCode: String, code: String, title: String?, capacity: Int, venue: String?,
    startsOn: CalendarDate?, endsOn: CalendarDate?
  ) {
    self.programmeCode = programmeCode
    self.code = code
    self.title = title
    self.capacity = capacity
    self.venue = venue
    self.startsOn = startsOn
    self.endsOn = endsOn
  }
}
