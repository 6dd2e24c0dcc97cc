import ArgumentParser
import Foundation

/// `beccaria participant`.
struct ParticipantCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "participant",
    abstract: "Register, find and change participants.",
    subcommands: [
      ParticipantAdd.self, ParticipantImport.self, ParticipantList.self, ParticipantShow.self, ParticipantRename.self,
    ])
}
