import BeccariaCore
import Foundation
import Postgres

/// A session as listed.
public struct SessionListing: Codable, Sendable, Equatable {
  public var id: SessionID
  public var course: String
  public var module: Int
  public var moduleTitle: String
  public var day: CalendarDate
  public var startsAt: String
  public var endsAt: String
  public var ue: Int
  public var location: String?
  public var trainers: [String]
}
