import BeccariaCore
import Foundation
import Postgres

/// A participant and programme whose certificates are to be checked.
public struct DueKey: Hashable, Sendable {
  public var participant: ParticipantID
  public var programme: ProgrammeID
  public init(participant: ParticipantID, programme: ProgrammeID) {
    self.participant = participant
    self.programme = programme
  }
}
