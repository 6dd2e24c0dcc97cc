import ArgumentParser
import BeccariaCore
import Foundation

/// A participant's number as `participant list` shows it.
struct ParticipantArgument: ExpressibleByArgument {
  var id: ParticipantID
  init?(argument: String) {
    guard let number = Int64(argument.trimmingCharacters(in: .whitespaces).trimmingPrefix("#")), number > 0 else { return nil }
    id = ParticipantID(number)
  }
}

extension String {
  func trimmingPrefix(_ prefix: String) -> String {
    hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
  }
}

/// A reason for a change, required and not blank.
func requireReason(_ reason: String, option: String = "--reason") throws {
  if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
    throw ValidationError(tr("%@ must not be empty: say why, for the record.", option))
  }
}

// The status words of the schema's CHECKs, as option values (`--status revoked`).
extension CertificateStatus: ExpressibleByArgument {}
extension AssessmentResult: ExpressibleByArgument {}
extension AssessmentKind: ExpressibleByArgument {}
extension CourseStatus: ExpressibleByArgument {}
