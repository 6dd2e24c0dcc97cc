import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension DbCommand {
  /// `beccaria db migrate`: applies the migrations shipped in this binary.
  struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "migrate",
      abstract: tr("Apply pending schema migrations (safe to run concurrently; a no-op when current)."),
      discussion: tr(
        """
        Each migration runs in its own transaction under an advisory lock; an applied migration \
        whose file changed afterwards is refused. No lock is waited for longer than --lock-timeout: \
        a session holding the migration lock, or a table a migration changes, is named instead.

        Example:
          beccaria db migrate --database postgresql:///beccaria
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Seconds to wait for any one lock before giving up (1 to 3600)."), valueName: "seconds"))
    var lockTimeout = 60

    func validate() throws {
      if !(1...3600).contains(lockTimeout) { throw ValidationError(tr("--lock-timeout must be between 1 and 3600 seconds.")) }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.makeDatabase().connect()
        let migrator = Migrator(connection: connection, migrations: try EmbeddedMigrations.all(), lockTimeout: lockTimeout)
        let applied = try migrator.migrate()
        if applied.isEmpty {
          print(tr("The schema is up to date; nothing to apply."))
        } else {
          for migration in applied { print(tr("applied %@", migration.name)) }
          print(tr("Applied %@.", Plural.count(applied.count, "migration")))
        }
      }
    }
  }
}
