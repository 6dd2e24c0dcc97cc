/// What an assessment assessed (`assessment_kind_known`).
public enum AssessmentKind: String, Codable, Sendable, CaseIterable {
  case project, exam, colloquium
}
