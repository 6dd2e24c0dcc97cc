import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria enrolment`.
struct EnrolmentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "enrolment",
    abstract: tr("Enrol participants, keep the waiting list, withdraw and transfer."),
    subcommands: [Add.self, Import.self, Withdraw.self, Transfer.self, List.self])
}
