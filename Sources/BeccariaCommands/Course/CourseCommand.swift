import ArgumentParser
import Foundation

/// `beccaria course`: cohorts.
struct CourseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "course",
    abstract: "Open cohorts (Durchgänge) and show their schedule, roster and waiting list.",
    subcommands: [Create.self, Update.self, List.self, Show.self])
}
