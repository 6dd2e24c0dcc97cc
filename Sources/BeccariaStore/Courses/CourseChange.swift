import BeccariaCore
import Foundation
import Postgres

/// What `course update` changes; nil leaves a field as stored.
public struct CourseChange: Sendable {
  public var title: String?
  public var capacity: Int?
  public var venue: String?
  public var startsOn: CalendarDate?
  public var endsOn: CalendarDate?
  /// Ending or cancelling a cohort closes its waiting list; opening it again fills free places.
  public var status: CourseStatus?
  /// Kept in the audit log.
  public var reason: String?
  public init(
    title: String? = nil, capacity: Int? = nil, venue: String? = nil, startsOn: CalendarDate? = nil, endsOn: CalendarDate? = nil,
    status: CourseStatus? = nil, reason: String? = nil
  ) {
    self.status = status
    self.reason = reason
    self.title = title
    self.capacity = capacity
    self.venue = venue
    self.startsOn = startsOn
    self.endsOn = endsOn
  }
}
