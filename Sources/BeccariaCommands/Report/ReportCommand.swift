import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria report`.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: tr("Reports for the programme office."),
    subcommands: [AtRisk.self, Municipalities.self, Review.self])
}
