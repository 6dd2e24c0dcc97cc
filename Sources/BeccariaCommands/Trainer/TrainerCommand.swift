import ArgumentParser
import Foundation

/// `beccaria trainer`.
struct TrainerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trainer",
    abstract: "Register trainers and list them.",
    subcommands: [Add.self, Update.self, List.self])
}
