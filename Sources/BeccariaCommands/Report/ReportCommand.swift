import ArgumentParser
import Foundation

/// `beccaria report`.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Reports for the programme office.",
    subcommands: [AtRisk.self, Municipalities.self, Review.self])
}
