/// The states and kinds the schema's CHECK constraints name, as Swift enums with the same
/// spellings (schema 0001 and later): a value outside them is a decoding error, not a string that
/// happens to compare unequal.

/// A certificate's status (`certificate_status_known`).
public enum CertificateStatus: String, Codable, Sendable, CaseIterable {
  case valid, revoked, superseded
}

/// A cohort's status (`course_status_known`): open for enrolment, running, ended, or cancelled.
public enum CourseStatus: String, Codable, Sendable, CaseIterable {
  case open, running, ended, cancelled

  /// Whether people may still enrol (or wait) in a cohort of this status.
  public var takesEnrolments: Bool { self == .open || self == .running }
}

/// A nightly run's status (`certificate_run_status_known`).
public enum RunStatus: String, Codable, Sendable, CaseIterable {
  case running, succeeded, failed
}

/// What an assessment assessed (`assessment_kind_known`).
public enum AssessmentKind: String, Codable, Sendable, CaseIterable {
  case project, exam, colloquium
}

/// An assessment's result (`assessment_result_known`).
public enum AssessmentResult: String, Codable, Sendable, CaseIterable {
  case passed, failed
}

/// What a file written outside the database holds (`export_file_kind_known`).
public enum ExportFileKind: String, Codable, Sendable, CaseIterable {
  case certificate, auskunft, sheet
}
