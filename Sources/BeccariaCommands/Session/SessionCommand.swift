import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria session`.
struct SessionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "session",
    abstract: tr("Schedule teaching sessions of a cohort."),
    subcommands: [Add.self, Plan.self, List.self, Move.self, Update.self, Cancel.self])
}
