import Foundation

/// Whether an enrolment is for the whole programme or for single modules.
public enum EnrolmentScope: String, Codable, Sendable {
  case programme, modules
}
