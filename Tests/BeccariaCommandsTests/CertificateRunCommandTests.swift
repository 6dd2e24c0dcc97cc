import BeccariaCore
import BeccariaStore
import Crypto
import Documents
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// The run through the binary: a killed process finished by the next, and the report over it.
@Suite struct CertificateRunCommandTests {
  @Test func aRunKilledMidwayIsFinishedByTheNextExactlyOnce() throws {
    let cohort = try CertifiedCohort(count: 60)
    defer { cohort.database.drop() }
    let directory = FileManager.default.temporaryDirectory.appending(path: "killed-\(UUID().uuidString)").path
    let process = Process()
    process.executableURL = Beccaria.executable
    process.arguments = ["certificate", "run", "--workers", "1", "--batch-size", "1", "--output", directory]
    var environment = ProcessInfo.processInfo.environment
    environment["DATABASE_URL"] = cohort.database.conninfo
    environment["BECCARIA_SIGNING_KEY"] = cohort.keyPath
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Wait until it has committed some certificates, then kill it without warning.
    let watcher = try cohort.database.connect()
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      let issued = try watcher.queryOne("SELECT count(*) AS n FROM certificate")?.decode("n", as: Int.self) ?? 0
      if issued >= 3 { break }
      Thread.sleep(forTimeInterval: 0.01)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let before = try cohort.serials().count
    #expect(before >= 3 && before < 60, "the kill came at \(before) of 60")
    try cohort.expectGapless(before)

    let rerun = try Beccaria.run(
      ["certificate", "run", "--output", directory], database: cohort.database, environment: cohort.environment)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    #expect(rerun.stdout.contains("Marked as failed (killed earlier): run 1."))
    try cohort.expectGapless(60)
    let perPerson = try watcher.query("SELECT count(*)::integer AS n FROM certificate GROUP BY participant_id")
    #expect(perPerson.count == 60)
    #expect(try perPerson.allSatisfy { try $0.decode("n", as: Int.self) == 1 })
    let runs = try watcher.query("SELECT status, error FROM certificate_run ORDER BY id")
    #expect(try runs.map { try $0.decode("status", as: String.self) } == ["failed", "succeeded"])
    // Every stored certificate has its file, byte for byte, and no temporary file is left.
    let files = try FileManager.default.subpathsOfDirectory(atPath: directory).filter { $0.hasSuffix(".pdf") }
    #expect(files.filter { $0.contains(".beccaria-tmp-") }.isEmpty)
    for row in try watcher.query("SELECT serial, pdf_sha256 FROM certificate") {
      let serial: String = try row.decode("serial")
      let data = try #require(FileManager.default.contents(atPath: "\(directory)/\(serial.dropFirst(3).prefix(4))/\(serial).pdf"))
      #expect(
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() == (try row.decode("pdf_sha256", as: String.self)))
    }
  }

  @Test func theMunicipalityReportCountsPeopleAndCertificates() throws {
    let cohort = try CertifiedCohort(count: 3)
    defer { cohort.database.drop() }
    func report() throws -> [String: [String: Any]] {
      let report = try Beccaria.run(["report", "municipalities", "--state", "14", "--format", "json"], database: cohort.database)
      #expect(report.status == 0, "\(report.stderr)")
      let rows = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [[String: Any]])
      return Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["name"] as? String).map { ($0, row) } })
    }
    let before = try report()
    #expect(before["Bautzen"]?["enrolled_now"] as? Int == 1)
    #expect(before["Dresden"]?["enrolled_now"] as? Int == 2)
    #expect(before["Dresden"]?["zertifikate"] as? Int == 0)
    // One session per module does not make a module planned (course_over, schema 0020); the
    // cohort's last day does.
    _ = try CourseStore(cohort.connection).update(
      code: CertifiedCohort.course, CourseChange(endsOn: CalendarDate.today().adding(days: -1)))
    #expect(try cohort.run().issued.count == 3)
    let byName = try report()
    #expect(byName["Dresden"]?["participants"] as? Int == 2)
    #expect(byName["Dresden"]?["zertifikate"] as? Int == 2)
    #expect(byName["Bautzen"]?["zertifikate"] as? Int == 1)
    // The run ended the cohort (its last day is past): nobody is enrolled in a running cohort now.
    #expect(byName["Bautzen"]?["enrolled_now"] as? Int == 0)
    let bad = try Beccaria.run(["report", "municipalities", "--state", "Sachsen"], database: cohort.database)
    #expect(bad.status == 64)
  }
}
