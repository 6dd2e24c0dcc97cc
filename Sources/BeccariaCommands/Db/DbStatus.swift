import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Postgres

extension DbCommand {
  /// `beccaria db status`: applied and pending migrations.
  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "status",
      abstract: tr("List applied and pending migrations."),
      discussion: tr(
        """
        Names the database first (host or socket, port, database, login; never a password). Exits \
        non-zero when an applied migration has changed or the database has migrations this build \
        does not know.

        Example:
          beccaria db status --format json
        """))

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
        if output.format == .table { print(Self.connected(connection) + "\n") }
        let states = try Migrator(connection: connection, migrations: try EmbeddedMigrations.all()).status()
        let items = states.map { Item(version: $0.version, name: $0.name, status: $0.status.rawValue, appliedAt: $0.appliedAt) }
        try Listing(
          items: items,
          columns: [
            .init(header: "VERSION", alignRight: true) { .integer(Int64($0.version)) },
            .init(header: "NAME") { $0.name },
            .init(header: "STATUS") { .localised(machine: $0.status, human: Term.word($0.status)) },
            .init(header: "APPLIED AT") { $0.appliedAt.map(Cell.dateTime) ?? .empty },
          ]
        ).print(output)
        // Migration 0014 revokes TEMPORARY from PUBLIC, which only the database's owner can do.
        let health = DatabaseHealth(connection)
        if states.contains(where: { $0.version == 14 && $0.status == .applied }),
          try health.publicMayConnectOrCreateTemporaryTables()
        {
          FileHandle.standardError.write(
            Data(
              (tr(
                "warning: every login of the cluster may connect to this database or create temporary tables in it (a copy or a restore does not keep the database's privileges): run beccaria db migrate as the database's owner, which revokes CONNECT and TEMPORARY from PUBLIC and grants them to beccaria's roles"
              ) + "\n").utf8))
        }
        // A database whose roles belong to another one was refused when connecting.
        if try RoleBinding.read(connection) == .unbound {
          FileHandle.standardError.write(
            Data(
              (tr(
                "warning: the beccaria roles of this cluster belong to no one database, so a second beccaria database in the cluster would share its admins: a DBA binds them with scripts/dba-roles.sql -v database=%@",
                connection.databaseName) + "\n").utf8))
        }
        for (member, role) in try health.membersOfFunctionOwners() {
          FileHandle.standardError.write(
            Data(
              (tr(
                "warning: %@ is a member of %@, and so can change what only its functions may change, without their checks; nobody should be (REVOKE %@ FROM %@)",
                member, role, role, member) + "\n").utf8))
        }
        if let bad = states.first(where: { $0.status == .changed || $0.status == .unknown }) {
          throw CommandFailure(
            bad.status == .changed
              ? tr("migration %@ was changed after it was applied; put changes in a new migration file", bad.name)
              : tr("the database has migration %@, which this build does not know; use a newer beccaria", bad.name))
        }
      }
    }
  }
}

extension DbCommand.Status {
  /// "Connected to the database … on the local socket … port … as …", in the reader's language.
  static func connected(_ connection: Connection) -> String {
    let host = connection.hostName
    let place = host.hasPrefix("/") ? tr("the local socket %@", host) : tr("host %@", host)
    return tr(
      "Connected to the database %@ on %@ port %@ as %@.", connection.databaseName, place, connection.port, connection.userName)
  }
}
