import Foundation

/// Status of an enrolment; mirrors the CHECK `enrolment_status_known`.
public enum EnrolmentStatus: String, Codable, Sendable, CaseIterable {
  case enrolled, waiting, withdrawn, transferred
}
