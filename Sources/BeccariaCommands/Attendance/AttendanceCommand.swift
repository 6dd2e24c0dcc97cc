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

/// `--session ID`.
struct SessionArgument: ExpressibleByArgument {
  var id: Int64
  init?(argument: String) {
    guard let value = Int64(argument.trimmingCharacters(in: .whitespaces)), value > 0 else { return nil }
    id = value
  }
}
