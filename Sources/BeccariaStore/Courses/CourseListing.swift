import BeccariaCore
import Foundation
import Postgres

/// A cohort as listed.
public struct CourseListing: Codable, Sendable, Equatable {
  public var id: CourseID
  public var code: String
  public var title: String
  public var programme: String
  public var programmeVersion: Int
  public var capacity: Int
  public var enrolled: Int
  public var waiting: Int
  public var sessions: Int
  public var startsOn: CalendarDate?
  public var endsOn: CalendarDate?
  public var venue: String?
  public var status: CourseStatus
}
