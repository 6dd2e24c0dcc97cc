import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria db status`: applied and pending migrations.
struct DbStatus: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "List applied and pending migrations.",
    discussion: """
      Exits non-zero when an applied migration has changed or the database has migrations this \
      build does not know.

      Example:
        beccaria db status --format json
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: FormatOption

  struct Item: Encodable {
    var version: Int
    var name: String
    var status: String
    var appliedAt: Date?
  }

  func run() throws {
    try reportingFailures {
      let connection = try global.makeDatabase().connect()
      let states = try Migrator(connection: connection, migrations: try EmbeddedMigrations.all()).status()
      let items = states.map { Item(version: $0.version, name: $0.name, status: $0.status.rawValue, appliedAt: $0.appliedAt) }
      try Listing(
        items: items,
        columns: [
          .init(header: "VERSION", alignRight: true) { String($0.version) },
          .init(header: "NAME") { $0.name },
          .init(header: "STATUS") { $0.status },
          .init(header: "APPLIED AT") { $0.appliedAt.map(GermanTime.dateTime) ?? "" },
        ]
      ).print(output.format)
      if let bad = states.first(where: { $0.status == .changed || $0.status == .unknown }) {
        throw CommandFailure(
          bad.status == .changed
            ? "migration \(bad.name) was changed after it was applied; put changes in a new migration file"
            : "the database has migration \(bad.name), which this build does not know; use a newer beccaria")
      }
    }
  }
}
