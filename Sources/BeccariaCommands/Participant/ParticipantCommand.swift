import ArgumentParser
import Foundation

/// `beccaria participant`.
struct ParticipantCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "participant",
    abstract: "Register, find and change participants; export and erase their data (GDPR).",
    subcommands: [
      ParticipantAdd.self, ParticipantImport.self, ParticipantList.self, ParticipantShow.self, ParticipantRename.self,
      ParticipantExport.self, ParticipantErase.self,
    ])
}
