import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria db migrate`: applies the migrations shipped in this binary.
struct DbMigrate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate",
    abstract: "Apply pending schema migrations (safe to run concurrently; a no-op when current).",
    discussion: """
      Each migration runs in its own transaction under an advisory lock; an applied migration \
      whose file changed afterwards is refused.

      Example:
        beccaria db migrate --database postgresql:///beccaria
      """)

  @OptionGroup var global: GlobalOptions

  func run() throws {
    try reportingFailures {
      let connection = try global.makeDatabase().connect()
      let migrator = Migrator(connection: connection, migrations: try EmbeddedMigrations.all())
      let applied = try migrator.migrate()
      if applied.isEmpty {
        print("The schema is up to date; nothing to apply.")
      } else {
        for migration in applied { print("applied \(migration.name)") }
        print("Applied \(applied.count) migration\(applied.count == 1 ? "" : "s").")
      }
    }
  }
}
