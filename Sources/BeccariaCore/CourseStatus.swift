/// A cohort's status (`course_status_known`): open for enrolment, running, ended, or cancelled.
public enum CourseStatus: String, Codable, Sendable, CaseIterable {
  case open, running, ended, cancelled

  /// Whether people may still enrol (or wait) in a cohort of this status.
  public var takesEnrolments: Bool { self == .open || self == .running }
}
