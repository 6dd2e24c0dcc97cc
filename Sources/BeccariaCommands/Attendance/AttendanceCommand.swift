import ArgumentParser
import Foundation

/// `beccaria attendance`.
struct AttendanceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attendance",
    abstract: "Rosters, sign-in sheets, recording and import of attendance; progress per module.",
    subcommands: [
      AttendanceRecord.self, AttendanceImport.self, AttendanceRoster.self, AttendanceSheet.self, AttendanceReport.self,
    ])
}
