import ArgumentParser
import Foundation

/// `beccaria session`.
struct SessionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "session",
    abstract: "Schedule teaching sessions of a cohort.",
    subcommands: [SessionAdd.self, SessionPlan.self, SessionList.self, SessionCancel.self])
}
