import ArgumentParser
import BeccariaCore
import Foundation

/// A participant's number as `participant list` shows it.
struct ParticipantArgument: ExpressibleByArgument {
  var id: ParticipantID
  public init?(argument: String) {
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

/// A state word typed as an option's value: the stored English key (`--status revoked`) or the
/// German word a table shows for it (`--status widerrufen`), as the imports take both.
protocol StateWordArgument: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {}

extension StateWordArgument {
  public init?(argument: String) {
    let typed = argument.trimmingCharacters(in: .whitespaces).lowercased()
    guard
      let found = Self.allCases.first(where: {
        $0.rawValue == typed || tr($0.rawValue, arguments: [], in: .german).lowercased() == typed
      })
    else { return nil }
    self = found
  }
}

// The status words of the schema's CHECKs, as option values.
extension CertificateStatus: StateWordArgument {}
extension AssessmentResult: StateWordArgument {}
extension AssessmentKind: StateWordArgument {}
extension CourseStatus: StateWordArgument {}
