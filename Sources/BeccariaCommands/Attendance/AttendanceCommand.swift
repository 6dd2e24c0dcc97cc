import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria attendance`.
struct AttendanceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attendance",
    abstract: tr("Rosters, sign-in sheets, recording and import of attendance; progress per module."),
    subcommands: [
      Record.self, Import.self, Roster.self, Sheet.self, Report.self,
    ])
}
