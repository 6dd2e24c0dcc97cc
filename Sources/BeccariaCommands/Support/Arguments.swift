import ArgumentParser
import BeccariaCore
import Foundation

/// A `YYYY-MM-DD` date given on the command line.
struct DateArgument: ExpressibleByArgument {
  var value: CalendarDate
  init?(argument: String) {
    guard case .success(let date) = Validation.date(argument) else { return nil }
    value = date
  }
  static var defaultCompletionKind: CompletionKind { .default }
}

/// An `HH:MM` clock time, as minutes since midnight.
struct TimeArgument: ExpressibleByArgument {
  var minutes: Int
  init(minutes: Int) { self.minutes = minutes }
  var defaultValueDescription: String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
  init?(argument: String) {
    guard let minutes = Validation.time(argument) else { return nil }
    self.minutes = minutes
  }
}

/// An 8-digit AGS.
struct AGSArgument: ExpressibleByArgument {
  var value: AGS
  init?(argument: String) {
    guard let ags = AGS(argument) else { return nil }
    value = ags
  }
}

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
    throw ValidationError("\(option) must not be empty: say why, for the record.")
  }
}

// The status words of the schema's CHECKs, as option values (`--status revoked`).
extension CertificateStatus: ExpressibleByArgument {}
extension AssessmentResult: ExpressibleByArgument {}
extension AssessmentKind: ExpressibleByArgument {}
