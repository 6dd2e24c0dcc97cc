import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria retention`.
struct RetentionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "retention",
    abstract: tr("Retention periods (stored in the database) and applying them."),
    subcommands: [Show.self, Set.self, Apply.self])
}
