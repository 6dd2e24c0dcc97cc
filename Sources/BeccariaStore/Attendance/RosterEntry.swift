import BeccariaCore
import Foundation
import Postgres

/// One line of a session's roster.
public struct RosterEntry: Codable, Sendable, Equatable {
  public var participantID: ParticipantID
  public var familyName: String
  public var givenNames: String
  public var organisation: String?
  public var municipality: String?
  /// Booked single modules of this cohort to make them up: the participant has a whole-programme
  /// enrolment in another cohort of the programme.
  public var makeUp: Bool
  /// Booked single modules of this cohort (make-up or not).
  public var singleModules: Bool
  public var status: AttendanceStatus?
  public var ueAttended: Decimal?
}
