import BeccariaCore
import Foundation
import Postgres

/// One participant and module the early warning flags.
public struct AtRiskEntry: Codable, Sendable, Equatable {
  public var participantID: ParticipantID
  public var name: String
  public var course: String
  public var module: Int
  public var moduleTitle: String
  public var risk: ModuleStanding.Risk
  public var plannedUE: Int
  public var attendedUE: Decimal
  public var neededUE: Decimal
  public var reachableUE: Decimal
  public var largestOpenSession: Int
  /// Sessions of the module whose day is past and that nobody recorded (and their UE): counted
  /// as not reachable; recording them may change the finding.
  public var pastUnrecordedSessions: Int
  public var pastUnrecordedUE: Int
  /// A later cohort where the module can be made up, and whether the participant is booked there.
  public var makeUpCourse: String?
  public var makeUpBooked: Bool
}
