import BeccariaCore
import BeccariaStore
import Crypto
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// The short fault suite (scripts/faults runs the long one): the nightly run killed with SIGKILL
/// at each failpoint, then run again; output that cannot be written; garbage in every import.
@Suite struct FaultTests {
  static let points = ["claimed", "rendered", "inserted", "committed", "exporting"]

  @Test(arguments: points) func aRunKilledAtAnyPointIsCompletedExactlyOnceByTheNext(point: String) throws {
    let cohort = try CertifiedCohort(count: 8)
    defer { cohort.database.drop() }
    let directory = FileManager.default.temporaryDirectory.appending(path: "fault-\(point)-\(UUID().uuidString)").path
    let killed = try Beccaria.run(
      ["certificate", "run", "--workers", "2", "--batch-size", "2", "--output", directory], database: cohort.database,
      environment: cohort.environment.merging(["BECCARIA_FAILPOINT": "\(point):2"]) { $1 })
    #expect(killed.status == 9, "not killed at \(point): \(killed.stderr)")
    let rerun = try Beccaria.run(
      ["certificate", "run", "--output", directory], database: cohort.database, environment: cohort.environment)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    try cohort.expectGapless(8)
    let perPerson = try cohort.connection.query("SELECT count(*)::integer AS n FROM certificate GROUP BY participant_id")
    #expect(perPerson.count == 8)
    #expect(try perPerson.allSatisfy { try $0.decode("n", as: Int.self) == 1 })
    for row in try cohort.connection.query("SELECT serial, pdf_sha256 FROM certificate") {
      let serial: String = try row.decode("serial")
      let data = try #require(FileManager.default.contents(atPath: "\(directory)/\(serial.dropFirst(3).prefix(4))/\(serial).pdf"))
      #expect(
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() == (try row.decode("pdf_sha256", as: String.self)))
    }
    let leftovers = try FileManager.default.subpathsOfDirectory(atPath: directory).filter { $0.contains(".beccaria-tmp-") }
    #expect(leftovers.isEmpty)
    let statuses = try cohort.connection.query("SELECT status FROM certificate_run ORDER BY id").map {
      try $0.decode("status", as: String.self)
    }
    #expect(statuses == ["failed", "succeeded"])
  }

  @Test func anUnwritableOutputChangesNothing() throws {
    let cohort = try CertifiedCohort(count: 2)
    defer { cohort.database.drop() }
    let directory = FileManager.default.temporaryDirectory.appending(path: "unwritable-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let blocker = "\(directory)/\(CalendarDate.today().year)"
    FileManager.default.createFile(atPath: blocker, contents: Data())  // a file where the year's folder must go
    let run = try Beccaria.run(
      ["certificate", "run", "--output", directory], database: cohort.database, environment: cohort.environment)
    #expect(run.status == 1)
    #expect(run.stderr.contains("nothing was issued"))
    #expect(try cohort.serials().isEmpty)
    #expect(try cohort.connection.queryOne("SELECT count(*)::integer AS n FROM certificate_run")?.decode("n", as: Int.self) == 0)
    try FileManager.default.removeItem(atPath: blocker)
    #expect(
      try Beccaria.run(["certificate", "run", "--output", directory], database: cohort.database, environment: cohort.environment)
        .status == 0)
    #expect(try cohort.serials().count == 2)
  }

  @Test func anExportThatFailedMidwayIsFinishedByTheNextRun() throws {
    let cohort = try CertifiedCohort(count: 6)
    defer { cohort.database.drop() }
    let directory = FileManager.default.temporaryDirectory.appending(path: "pending-\(UUID().uuidString)").path
    // The run is killed after its first committed batch: some files are missing.
    let killed = try Beccaria.run(
      ["certificate", "run", "--workers", "1", "--batch-size", "3", "--output", directory], database: cohort.database,
      environment: cohort.environment.merging(["BECCARIA_FAILPOINT": "committed:1"]) { $1 })
    #expect(killed.status == 9)
    // A run into another folder does not touch them; the next run into the same folder does.
    let elsewhere = FileManager.default.temporaryDirectory.appending(path: "elsewhere-\(UUID().uuidString)").path
    #expect(
      try Beccaria.run(["certificate", "run", "--output", elsewhere], database: cohort.database, environment: cohort.environment)
        .status == 0)
    let files = { (dir: String) in
      ((try? FileManager.default.subpathsOfDirectory(atPath: dir)) ?? []).filter {
        $0.hasSuffix(".pdf") && !$0.contains(".beccaria-tmp-")
      }.count
    }
    #expect(files(directory) == 0)
    #expect(
      try Beccaria.run(["certificate", "run", "--output", directory], database: cohort.database, environment: cohort.environment)
        .status == 0)
    #expect(files(directory) == 3)  // the killed run's batch; the rest went to the other folder
    #expect(
      try cohort.connection.queryOne("SELECT count(*)::integer AS n FROM certificate_run WHERE export_pending")?.decode(
        "n", as: Int.self) == 0)
  }
}
