import BeccariaCore
import Foundation
import Postgres

/// A session with what a sign-in sheet or roster prints about it.
public struct SessionHeader: Codable, Sendable, Equatable {
  public var id: SessionID
  public var programmeTitle: String
  /// Who runs the programme (its definition's issuer): the author of a sign-in sheet.
  public var issuer: String
  public var course: String
  public var courseTitle: String
  public var module: Int
  public var moduleTitle: String
  public var day: CalendarDate
  public var startsAt: String
  public var endsAt: String
  public var ue: Int
  public var location: String?
  public var trainers: [String]
}
