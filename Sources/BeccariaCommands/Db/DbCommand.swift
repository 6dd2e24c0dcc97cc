import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria db`: the schema.
struct DbCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "db",
    abstract: tr("Create or update the database schema and show its state."),
    subcommands: [Migrate.self, Status.self])
}
