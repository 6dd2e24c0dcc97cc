import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria assessment`.
struct AssessmentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "assessment",
    abstract: tr("Record results of project work, exams and colloquia."),
    subcommands: [Record.self, Import.self])
}
