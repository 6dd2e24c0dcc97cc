import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// A backup is only as good as its restore: `pg_dump -Fc` of a database in use, restored with
/// `pg_restore --exit-on-error` into an empty database (which runs with an empty `search_path`,
/// so every function an index or constraint calls must name its schema), then checked by the
/// binary as the README's backup section describes.
@Suite struct BackupRestoreTests {
  static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    var environment = ProcessInfo.processInfo.environment
    for key in ["PGHOST", "PGDATABASE", "PGSERVICE", "PGUSER", "PGPORT"] { environment[key] = nil }
    process.environment = environment
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: text, as: UTF8.self))
  }

  @Test func aDumpRestoresIntoAnEmptyDatabaseAndVerifies() throws {
    let cohort = try CertifiedCohort(count: 3)
    defer { cohort.database.drop() }
    let output = FileManager.default.temporaryDirectory.appending(path: "restore-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let issued = try cohort.run(output: output.path).issued
    try CertificateRevision(cohort.connection).revoke(serial: issued[0].serial, reason: "Plagiat")
    let dump = output.appending(path: "beccaria.dump").path
    let dumped = try Self.run("pg_dump", ["-Fc", "-f", dump, cohort.database.conninfo])
    #expect(dumped.status == 0, "\(dumped.errors)")
    let restored = try TestDatabase.empty()
    defer { restored.drop() }
    let restore = try Self.run("pg_restore", ["--exit-on-error", "-d", restored.conninfo, dump])
    #expect(restore.status == 0, "\(restore.errors)")
    // The name indexes call beccaria_fold, which calls unaccent: both resolve with the empty
    // search_path of a restore, and are rebuilt and used.
    let connection = try restored.connect()
    let indexes = try connection.query(
      "SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'participant'::regclass AND NOT indisvalid")
    #expect(indexes.isEmpty)
    // A restore keeps no database privileges: db status says so, db migrate sets them.
    let status = try Beccaria.run(["db", "status"], database: restored)
    #expect(status.status == 0, "\(status.stderr)")
    #expect(
      status.stderr.contains("every login of the cluster may connect to this database or create temporary tables"),
      "\(status.stderr)")
    let migrate = try Beccaria.run(["db", "migrate"], database: restored)
    #expect(migrate.status == 0, "\(migrate.stderr)")
    #expect(!(try Beccaria.run(["db", "status"], database: restored)).stderr.contains("temporary tables"))
    // The audit chain, the register and the files verify against the restored database.
    let audit = try Beccaria.run(["audit", "verify", "--all-tables"], database: restored)
    #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
    #expect(audit.stdout.hasPrefix("INTACT"))
    let year = String(CalendarDate.today().year)
    let valid = try Beccaria.run(
      ["certificate", "verify", output.appending(path: "\(year)/\(issued[1].serial).pdf").path], database: restored)
    #expect(valid.status == 0, "\(valid.stdout)")
    let revoked = try Beccaria.run(["certificate", "verify", issued[0].serial], database: restored)
    #expect(revoked.status == 3, "\(revoked.stdout)")
    // The name index answers searches.
    let search = try Beccaria.run(["participant", "list", "--search", "person1"], database: restored)
    #expect(search.stdout.contains("Person1"), "\(search.stdout)")
  }
}
