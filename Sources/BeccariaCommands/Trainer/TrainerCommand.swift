import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria trainer`.
struct TrainerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trainer",
    abstract: tr("Register trainers and list them."),
    subcommands: [Add.self, Update.self, List.self])
}
