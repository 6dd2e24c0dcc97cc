import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria programme`: programme definitions.
struct ProgrammeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "programme",
    abstract: tr("Load, list and show programme definitions."),
    subcommands: [Load.self, List.self, Show.self])
}
