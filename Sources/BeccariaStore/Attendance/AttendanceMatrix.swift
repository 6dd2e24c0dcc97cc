import BeccariaCore
import Foundation
import Postgres

/// The attendance matrix of a cohort: participants × sessions, and each module's standing.
public struct AttendanceMatrix: Codable, Sendable {
  public struct Cell: Codable, Sendable, Equatable {
    public var sessionID: SessionID
    /// nil when nothing is recorded yet.
    public var status: AttendanceStatus?
    public var ue: Decimal?
    /// False when the participant is not booked for this session's module.
    public var booked: Bool
  }
  public struct ModuleShare: Codable, Sendable, Equatable {
    public var module: Int
    public var plannedUE: Int
    public var attendedUE: Decimal
    public var share: Decimal
    public var thresholdMet: Bool
  }
  public struct Line: Codable, Sendable {
    public var participantID: ParticipantID
    public var name: String
    public var cells: [Cell]
    public var modules: [ModuleShare]
  }
  public var course: String
  public var threshold: Decimal
  public var sessions: [SessionListing]
  public var participants: [Line]
}
