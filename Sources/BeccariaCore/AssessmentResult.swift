/// An assessment's result (`assessment_result_known`).
public enum AssessmentResult: String, Codable, Sendable, CaseIterable {
  case passed, failed
}
