import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria audit`.
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: tr("The audit log: every change to every domain table, written by database triggers."),
    subcommands: [Log.self, Verify.self])
}
