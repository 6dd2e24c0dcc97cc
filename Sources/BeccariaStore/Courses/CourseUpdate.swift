import BeccariaCore
import Foundation
import Postgres

/// What `update` did: the cohort as it is now, and who moved up from its waiting list.
public struct CourseUpdate: Sendable {
  public var course: CourseListing
  public var movedUp: [ParticipantListing]
  /// Who was on the waiting list when the cohort ended or was cancelled (their places will not come).
  public var waitingListClosed: [ParticipantListing] = []
  /// A cohort cancelled: its sessions still to come that nobody was recorded at (cancelled, their
  /// people told), and the enrolments it ended.
  public var sessionsCancelled = 0
  public var enrolmentsEnded = 0
}
