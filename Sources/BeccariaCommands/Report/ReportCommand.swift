import ArgumentParser
import Foundation

/// `beccaria report`.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Reports for the programme office.",
    subcommands: [ReportAtRisk.self, ReportMunicipalities.self, ReportReview.self])
}
