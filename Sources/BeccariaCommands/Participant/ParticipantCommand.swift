import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria participant`.
struct ParticipantCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "participant",
    abstract: tr("Register, find and change participants; export and erase their data (GDPR)."),
    subcommands: [
      Add.self, Import.self, List.self, Show.self, Update.self, Rename.self,
      Export.self, Erase.self,
    ])
}
