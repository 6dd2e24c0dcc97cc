import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// A certified cohort with issued and exported certificates, one revoked, and real database
/// logins for every role: the target of the security suites. Trainer A teaches a session of the
/// cohort that has no attendance yet; trainer B teaches another cohort only. Roles are
/// cluster-wide, so login names carry a random suffix.
struct SecurityFixture {
  let cohort: CertifiedCohort
  let directory: String
  let serials: [String]
  let revoked: String
  let suffix = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(8))
  /// Trainer A's session in the certified cohort (no attendance recorded yet).
  let ownSession: Int64
  /// Trainer B's session in another cohort.
  let foreignSession: Int64

  var admin: String { "adm_\(suffix)" }
  var issuer: String { "iss_\(suffix)" }
  var auditor: String { "aud_\(suffix)" }
  var trainerA: String { "tra_\(suffix)" }
  var trainerB: String { "trb_\(suffix)" }
  var verifier: String { "ver_\(suffix)" }
  var logins: [String] { [admin, issuer, auditor, trainerA, trainerB, verifier] }
  var owner: Connection { cohort.connection }
  /// The serials that are still valid.
  var valid: [String] { serials.filter { $0 != revoked } }

  init(people: Int = 3, names: [(String, String)] = [], claimEncoding: CertificateClaim.Encoding = .current) throws {
    cohort = try CertifiedCohort(count: people, names: names)
    directory = FileManager.default.temporaryDirectory.appending(path: "security-\(UUID().uuidString)").path
    let issued = try cohort.run(output: directory, claimEncoding: claimEncoding).issued
    serials = issued.map(\.serial).sorted()
    // The first participant's certificate is revoked (a named participant, if any, is the last).
    let first = cohort.people[0]
    revoked = try #require(issued.first { $0.participantID == first }?.serial)
    try CertificateRevision(cohort.connection).revoke(serial: revoked, reason: "Projektarbeit als Plagiat erkannt")
    let db = cohort.connection
    _ = try TrainerStore(db).add(name: "Anna A", email: "a-\(suffix)@example.org", login: nil)
    _ = try TrainerStore(db).add(name: "Bert B", email: "b-\(suffix)@example.org", login: nil)
    try Fixtures.course(db, code: "BQ-OTHER-1")
    let day = CalendarDate.today().adding(days: -2)
    let sessions = try SessionStore(db).add([
      NewSession(
        courseCode: CertifiedCohort.course, module: 1, day: day, start: 540, end: 900, ue: 8, location: nil,
        trainerEmails: ["a-\(suffix)@example.org"]),
      NewSession(
        courseCode: "BQ-OTHER-1", module: 1, day: day, start: 540, end: 900, ue: 8, location: nil,
        trainerEmails: ["b-\(suffix)@example.org"]),
    ])
    ownSession = sessions[0].rawValue
    foreignSession = sessions[1].rawValue
    let outsider = try Fixtures.participants(db, count: 1, prefix: "Aussen")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-OTHER-1", participant: outsider, modules: nil)
    for (login, role, trainer) in [
      (admin, "admin", nil), (issuer, "issuer", nil), (auditor, "auditor", nil), (verifier, "verifier", nil),
      (trainerA, "trainer", "a-\(suffix)@example.org"), (trainerB, "trainer", "b-\(suffix)@example.org"),
    ] {
      let result = try Beccaria.run(
        ["access", "grant", login, "--role", role] + (trainer.map { ["--trainer", $0] } ?? []), database: cohort.database)
      #expect(result.status == 0, "\(result.stderr)")
    }
  }

  func url(_ login: String) throws -> String {
    try ConnectionString.replacing(["user": login], in: cohort.database.conninfo)
  }

  /// A libpq connection as `login`, configured as beccaria configures its own.
  func connect(_ login: String, actor: String = "security-test") throws -> Connection {
    try Database(conninfo: try url(login), actor: actor).connect()
  }

  /// psql as `login` (the owner when nil).
  @discardableResult
  func psql(_ login: String?, _ script: String) throws -> Psql.Result {
    try Psql.run(login.map(url) ?? cohort.database.conninfo, script)
  }

  /// The `beccaria` binary as `login` (the owner when nil), with the signing key.
  func beccaria(_ login: String?, _ arguments: [String], stdin: String? = nil) throws -> CommandResult {
    var environment = cohort.environment
    environment["DATABASE_URL"] = try login.map(url) ?? cohort.database.conninfo
    return try Beccaria.run(arguments, stdin: stdin, environment: environment)
  }

  func path(_ serial: String) -> String { "\(directory)/\(serial.dropFirst(3).prefix(4))/\(serial).pdf" }

  func value(_ sql: SQL) throws -> String? {
    try owner.queryOne(sql).flatMap { try $0.decode("v", as: String?.self) }
  }

  func count(_ sql: SQL) throws -> Int {
    try owner.queryOne(sql)?.decode("n", as: Int.self) ?? -1
  }

  /// `audit verify` as the auditor: its exit status and output.
  func auditVerify(_ extra: [String] = []) throws -> CommandResult {
    try beccaria(auditor, ["audit", "verify"] + extra)
  }

  func drop() {
    cohort.database.drop()
    try? FileManager.default.removeItem(atPath: directory)
    if let admin = try? Connection(try? TestDatabase.adminURL()) {
      for login in logins { _ = try? admin.execute("DROP ROLE IF EXISTS \(identifier: login)") }
    }
  }
}
