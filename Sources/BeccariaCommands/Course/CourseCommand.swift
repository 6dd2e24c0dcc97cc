import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria course`: cohorts.
struct CourseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "course",
    abstract: tr("Open cohorts (Durchgänge) and show their schedule, roster and waiting list."),
    subcommands: [Create.self, Update.self, List.self, Show.self])
}

extension CourseCommand {
  /// The checks `course create` and `course update` share: dates in the years a programme runs,
  /// the last day not before the first, a title that says something.
  static func validate(starts: DateArgument?, ends: DateArgument?, title: String?) throws {
    try starts?.requireEventDay("--starts")
    try ends?.requireEventDay("--ends")
    if let starts, let ends, ends.value < starts.value { throw ValidationError(tr("--ends is before --starts.")) }
    if let title, title.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError(tr("--title must not be empty.")) }
  }
}
