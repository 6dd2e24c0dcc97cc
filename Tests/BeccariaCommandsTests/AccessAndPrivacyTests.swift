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

/// Two cohorts: BQ-AC-1 with a module-1 session taught by trainer A and a module-2 session taught
/// by trainer B; BQ-AC-2 with a session taught by B only. Real database logins for every role,
/// created with `beccaria access grant` (roles are cluster-wide, so names carry a random suffix).
struct AccessFixture {
  let database: TestDatabase
  let owner: Connection
  let suffix = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(8))
  let sessionA: SessionID
  let sessionB: SessionID
  let otherCohortSession: SessionID
  let cohortPeople: [ParticipantID]
  let outsider: ParticipantID

  var trainerA: String { "tra_\(suffix)" }
  var trainerB: String { "trb_\(suffix)" }
  var issuer: String { "iss_\(suffix)" }
  var auditor: String { "aud_\(suffix)" }
  var admin: String { "adm_\(suffix)" }
  var logins: [String] { [trainerA, trainerB, issuer, auditor, admin] }

  init() throws {
    database = try TestDatabase.migrated()
    owner = try database.connect()
    try Fixtures.programmeAndMunicipalities(owner)
    try Fixtures.course(owner, code: "BQ-AC-1")
    try Fixtures.course(owner, code: "BQ-AC-2")
    _ = try TrainerStore(owner).add(name: "Anna A", email: "a@example.org", login: nil)
    _ = try TrainerStore(owner).add(name: "Bert B", email: "b@example.org", login: nil)
    let day = CalendarDate.today().adding(days: -3)
    let sessions = try SessionStore(owner).add([
      NewSession(
        courseCode: "BQ-AC-1", module: 1, day: day, start: 540, end: 720, ue: 4, location: nil, trainerEmails: ["a@example.org"]),
      NewSession(
        courseCode: "BQ-AC-1", module: 2, day: day, start: 780, end: 960, ue: 4, location: nil, trainerEmails: ["b@example.org"]),
      NewSession(
        courseCode: "BQ-AC-2", module: 1, day: day.adding(days: -1), start: 540, end: 720, ue: 4, location: nil,
        trainerEmails: ["b@example.org"]),
    ])
    (sessionA, sessionB, otherCohortSession) = (sessions[0], sessions[1], sessions[2])
    let people = try Fixtures.participants(owner, count: 3)
    cohortPeople = Array(people.prefix(2))
    outsider = people[2]
    for person in cohortPeople { _ = try EnrolmentStore(owner).enrol(courseCode: "BQ-AC-1", participant: person, modules: nil) }
    _ = try EnrolmentStore(owner).enrol(courseCode: "BQ-AC-2", participant: outsider, modules: nil)
    for (login, role, trainer) in [
      (trainerA, "trainer", "a@example.org"), (trainerB, "trainer", "b@example.org"), (issuer, "issuer", nil),
      (auditor, "auditor", nil), (admin, "admin", nil),
    ] {
      let result = try Beccaria.run(
        ["access", "grant", login, "--role", role] + (trainer.map { ["--trainer", $0] } ?? []), database: database)
      #expect(result.status == 0, "\(result.stderr)")
    }
  }

  func url(_ login: String) throws -> String { try ConnectionString.replacing(["user": login], in: database.conninfo) }

  func connect(_ login: String) throws -> Connection { try Connection(try url(login)) }

  /// Runs `beccaria` logged in as `login`.
  func beccaria(_ login: String, _ arguments: [String], actor: String = "cli-test", environment: [String: String] = [:])
    throws -> CommandResult
  {
    try Beccaria.run(
      arguments, environment: ["DATABASE_URL": try url(login), "BECCARIA_ACTOR": actor].merging(environment) { $1 })
  }

  func drop() {
    database.drop()
    if let admin = try? Connection(try? TestDatabase.adminURL()) {
      for login in logins { _ = try? admin.execute("DROP ROLE IF EXISTS \(identifier: login)") }
    }
  }
}

@Suite(.serialized) struct AccessAndPrivacyTests {
  @Test func aTrainerSeesAndWritesOnlyTheirOwnSessions() throws {
    let fixture = try AccessFixture()
    defer { fixture.drop() }
    let trainer = try fixture.connect(fixture.trainerA)
    // The schedule of the cohort they teach in (schema 0025), not another cohort's.
    let sessions = try trainer.query("SELECT id FROM session ORDER BY id").map { try $0.decode("id", as: Int64.self) }
    #expect(sessions == [fixture.sessionA.rawValue, fixture.sessionB.rawValue])
    // The roster columns of their own cohort only; no birth dates, e-mail or notes at all.
    let visible = try trainer.query("SELECT id FROM participant ORDER BY id").map { try $0.decode("id", as: Int64.self) }
    #expect(visible == fixture.cohortPeople.map(\.rawValue))
    #expect(sqlState { _ = try trainer.query("SELECT birth_date FROM participant") } == "42501")
    #expect(sqlState { _ = try trainer.query("SELECT email FROM participant") } == "42501")
    #expect(sqlState { _ = try trainer.query("SELECT function, notes FROM participant") } == "42501")
    #expect(sqlState { _ = try trainer.query("SELECT * FROM audit_log") } == "42501")
    #expect(sqlState { _ = try trainer.query("SELECT * FROM certificate") } == "42501")
    // Shares of attendance of their own cohort only (module_attendance runs as the reader).
    let shares = try trainer.query("SELECT DISTINCT participant_id FROM module_attendance ORDER BY 1").map {
      try $0.decode("participant_id", as: Int64.self)
    }
    #expect(shares == fixture.cohortPeople.map(\.rawValue))
    // Writing attendance for another trainer's session is refused by row-level security.
    let person = fixture.cohortPeople[0].rawValue
    #expect(
      sqlState {
        try trainer.execute(
          "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(fixture.sessionB.rawValue), \(person), 'present', 4)"
        )
      } == "42501")
    #expect(
      sqlState { try trainer.execute("UPDATE attendance SET ue_attended = 1 WHERE session_id = \(fixture.sessionB.rawValue)") }
        == nil)
    #expect(sqlState { try trainer.execute("UPDATE enrolment SET status = 'withdrawn'") } == "42501")
    #expect(sqlState { try trainer.execute("DELETE FROM attendance") } == "42501")
    #expect(sqlState { try trainer.execute("CREATE TABLE mine (x int)") } == "42501")

    // Through the CLI, as the trainer's login: roster, sign-in sheet and recording work for their session.
    let roster = try fixture.beccaria(fixture.trainerA, ["attendance", "roster", "--session", String(fixture.sessionA.rawValue)])
    #expect(roster.status == 0, "\(roster.stderr)")
    #expect(roster.stdout.contains("Person0") && roster.stdout.contains("Person1") && !roster.stdout.contains("Person2"))
    let record = try fixture.beccaria(
      fixture.trainerA,
      [
        "attendance", "record", "--session", String(fixture.sessionA.rawValue), "--participant", String(person), "--status",
        "present",
      ],
      actor: "Anna A")
    #expect(record.status == 0, "\(record.stderr)")
    let foreign = try fixture.beccaria(
      fixture.trainerA,
      [
        "attendance", "record", "--session", String(fixture.sessionB.rawValue), "--participant", String(person), "--status",
        "present",
      ])
    #expect(foreign.status != 0)
    #expect(try fixture.owner.queryOne("SELECT count(*)::integer AS n FROM attendance")?.decode("n", as: Int.self) == 1)
    // The audit log names the database login and the person acting.
    let audit = try #require(
      try fixture.owner.queryOne(
        "SELECT db_user, actor FROM audit_log WHERE table_name = 'attendance' ORDER BY id DESC LIMIT 1"))
    #expect(try audit.decode("db_user", as: String.self) == fixture.trainerA)
    #expect(try audit.decode("actor", as: String.self) == "Anna A")
    // Trainer B sees the other cohort's participant, A never does.
    let other = try fixture.connect(fixture.trainerB)
    #expect(try other.query("SELECT id FROM participant").count == 3)
  }

  @Test func theIssuerRunsTheNightlyJobAndNothingElse() throws {
    let cohort = try CertifiedCohort(count: 3)
    defer { cohort.database.drop() }
    let login = "iss_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(8))"
    defer { _ = try? cohort.connection.execute("DROP ROLE IF EXISTS \(identifier: login)") }
    #expect(try Beccaria.run(["access", "grant", login, "--role", "issuer"], database: cohort.database).status == 0)
    let url = try ConnectionString.replacing(["user": login], in: cohort.database.conninfo)
    let run = try Beccaria.run(
      ["certificate", "run"], environment: ["DATABASE_URL": url, "BECCARIA_SIGNING_KEY": cohort.keyPath])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("issued 3 certificates"))
    let issuer = try Connection(url)
    #expect(sqlState { try issuer.execute("UPDATE enrolment SET status = 'withdrawn'") } == "42501")
    #expect(sqlState { try issuer.execute("DELETE FROM enrolment") } == "42501")
    #expect(sqlState { try issuer.execute("UPDATE participant SET family_name = 'X'") } == "42501")
    #expect(sqlState { try issuer.execute("UPDATE course SET capacity = 1") } == "42501")
    #expect(sqlState { _ = try issuer.query("SELECT * FROM audit_log") } == "42501")
    // Of what others wrote about people (why an enrolment ended is often about health), the run
    // reads nothing: it needs statuses, numbers and dates.
    for (table, column) in [
      ("enrolment", "end_reason"), ("attendance", "note"), ("attendance", "correction_reason"), ("attendance", "recorded_by"),
      ("assessment", "note"), ("assessment", "title"), ("certificate", "revocation_reason"), ("certificate", "reissue_reason"),
      ("certificate_status_event", "reason"), ("participant", "email"), ("participant", "notes"),
    ] {
      #expect(
        sqlState { _ = try issuer.query("SELECT \(identifier: column) FROM \(identifier: table)") } == "42501",
        "\(table).\(column)")
    }
    #expect(try issuer.query("SELECT status, ue_attended FROM attendance").count > 0)
    #expect(
      sqlState {
        try issuer.execute(
          "INSERT INTO signing_key (key_id, public_key) VALUES ('k-1111111111111111', decode(repeat('11', 32), 'hex'))")
      } == "42501")
    // Revoking is the office's decision, not the nightly job's.
    #expect(
      sqlState { try issuer.execute("UPDATE certificate SET status = 'revoked', revoked_at = now(), revocation_reason = 'x'") }
        == "42501")
  }

  @Test func theAuditorReadsEverythingAndWritesNothingAndTheOfficeCannotReadTheLog() throws {
    let fixture = try AccessFixture()
    defer { fixture.drop() }
    // Domain writes through the CLI as the office, with an actor.
    let add = try fixture.beccaria(
      fixture.admin,
      [
        "participant", "add", "--family-name", "Nowak", "--given-names", "Jan", "--birth-date", "1990-02-03", "--email",
        "jan.nowak@example.org", "--municipality", "14612000",
      ], actor: "Frau Richter")
    #expect(add.status == 0, "\(add.stderr)")
    let rename = try fixture.beccaria(
      fixture.admin,
      ["participant", "rename", String(fixture.outsider.rawValue), "--family-name", "Neumann", "--reason", "Heirat"],
      actor: "Frau Richter")
    #expect(rename.status == 0, "\(rename.stderr)")
    let officeReads = try fixture.beccaria(fixture.admin, ["audit", "log"])
    #expect(officeReads.status == 1)
    #expect(
      officeReads.stderr.contains("this login may not do that: it may not use the audit log records"), "\(officeReads.stderr)")

    let log = try fixture.beccaria(
      fixture.auditor, ["audit", "log", "--participant", String(fixture.outsider.rawValue), "--format", "json"])
    #expect(log.status == 0, "\(log.stderr)")
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
    let renameEntries = entries.filter { $0["table"] as? String == "participant" && $0["action"] as? String == "UPDATE" }
    #expect(renameEntries.count == 1)
    #expect(renameEntries.first?["actor"] as? String == "Frau Richter")
    #expect(renameEntries.first?["database_user"] as? String == fixture.admin)
    #expect((renameEntries.first?["old_values"] as? String)?.contains("Person2") == true)
    #expect((renameEntries.first?["new_values"] as? String)?.contains("Neumann") == true)
    #expect(entries.contains { $0["table"] as? String == "participant_name_change" && $0["reason"] as? String == "Heirat" })

    let auditor = try fixture.connect(fixture.auditor)
    #expect(try auditor.query("SELECT birth_date FROM participant").count == 4)
    for statement: SQL in [
      "UPDATE participant SET family_name = 'X'", "INSERT INTO municipality (ags, name) VALUES ('14999999', 'X')",
      "DELETE FROM attendance", "UPDATE certificate_run SET status = 'failed'",
      "UPDATE retention_policy SET participant_years = 1",
    ] {
      #expect(sqlState { try auditor.execute(statement) } == "42501", "\(statement)")
    }
    // Nobody rewrites the log: every role, the owner included.
    for login in fixture.logins {
      let connection = try fixture.connect(login)
      #expect(sqlState { try connection.execute("UPDATE audit_log SET actor = 'nobody'") } == "42501", "\(login)")
      #expect(sqlState { try connection.execute("DELETE FROM audit_log") } == "42501", "\(login)")
    }
    #expect(sqlState { try fixture.owner.execute("UPDATE audit_log SET actor = 'nobody'") } == "42501")
    #expect(sqlState { try fixture.owner.execute("DELETE FROM audit_log") } == "42501")
    #expect(sqlState { try fixture.owner.execute("TRUNCATE audit_log") } == "42501")
    // Nobody but the owner changes the schema.
    let admin = try fixture.connect(fixture.admin)
    #expect(sqlState { try admin.execute("ALTER TABLE participant ADD COLUMN x int") } == "42501")
    #expect(sqlState { try admin.execute("DROP TRIGGER audit_update ON participant") } == "42501")
    #expect(sqlState { try admin.execute("ALTER TABLE attendance DISABLE ROW LEVEL SECURITY") } == "42501")
    // Every domain table has its audit triggers (queues and markers derived from audited rows
    // need none; the mail outbox is such a queue, whose texts must not spread into the log).
    let unaudited = try fixture.owner.query(
      """
      SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'
        AND c.relname NOT IN ('audit_log', 'schema_migration', 'certificate_run', 'certificate_due', 'audit_chain',
                              'audit_chain_head', 'audit_pending', 'certificate_basis_change', 'mail_message',
                              'mail_session_calendar', 'mail_claimant')
        AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'audit_update')
      """)
    #expect(try unaudited.map { try $0.decode("relname", as: String.self) } == [])
  }

  @Test func anIssuedCertificatesContentCannotChangeForAnyRole() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    _ = try cohort.run()
    let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(8)
    var logins: [String] = []
    defer { for login in logins { _ = try? cohort.connection.execute("DROP ROLE IF EXISTS \(identifier: login)") } }
    for role in ["admin", "issuer", "auditor"] {
      let login = "\(role.prefix(3))_\(suffix)"
      logins.append(login)
      #expect(try Beccaria.run(["access", "grant", login, "--role", role], database: cohort.database).status == 0)
    }
    for login in logins {
      let connection = try Connection(try ConnectionString.replacing(["user": login], in: cohort.database.conninfo))
      #expect(sqlState { try connection.execute("UPDATE certificate SET snapshot = '{}'") } == "42501", "\(login)")
      #expect(sqlState { try connection.execute("UPDATE certificate SET pdf = '\\x00'") } == "42501", "\(login)")
      #expect(sqlState { try connection.execute("DELETE FROM certificate") } == "42501", "\(login)")
    }
    #expect(sqlState { try cohort.connection.execute("UPDATE certificate SET pdf_sha256 = repeat('0', 64)") } == "42501")
  }

  @Test func erasureLeavesNoTraceAndTheCertificateStillVerifies() throws {
    let cohort = try CertifiedCohort(count: 2, names: [("Wjeńka-Erasmus", "Měrćin")])
    defer { cohort.database.drop() }
    let person = try #require(cohort.people.last)
    let directory = FileManager.default.temporaryDirectory.appending(path: "erase-\(UUID().uuidString)").path
    let summary = try cohort.run(output: directory)
    let serial = try #require(summary.issued.first { $0.participantID == person }?.serial)
    let pdf = "\(directory)/\(serial.dropFirst(3).prefix(4))/\(serial).pdf"
    func beccaria(_ arguments: [String]) throws -> CommandResult {
      try Beccaria.run(arguments, database: cohort.database, environment: cohort.environment)
    }
    // Name history, notes, a late correction with a reason: personal data in many places.
    #expect(
      try beccaria([
        "participant", "rename", String(person.rawValue), "--family-name", "Wjeńka-Erasmus-Nowak",
        "--reason", "Eheschließung von Měrćin Wjeńka-Erasmus",
      ]).status == 0)
    try cohort.connection.execute(
      "UPDATE participant SET notes = 'Měrćin bittet um Rückruf', organisation = 'Stadt Bautzen' WHERE id = \(person.rawValue)")
    try cohort.connection.execute(
      """
      UPDATE attendance SET ue_attended = 7, status = 'late', correction_reason = 'Měrćin kam später',
             note = 'named0@example.org' WHERE participant_id = \(person.rawValue) AND session_id = (SELECT min(session_id) FROM attendance)
      """)

    // The right of access: everything, as JSON.
    let export = try beccaria(["participant", "export", String(person.rawValue)])
    #expect(export.status == 0, "\(export.stderr)")
    let document = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
    #expect((document["participant"] as? [String: Any])?["family_name"] as? String == "Wjeńka-Erasmus-Nowak")
    #expect((document["name_changes"] as? [Any])?.count == 1)
    #expect((document["attendance"] as? [Any])?.count == 4)
    let certificates = try #require(document["certificates"] as? [[String: Any]])
    #expect(certificates.first?["serial"] as? String == serial)
    let exportedPDF = try #require(Data(base64Encoded: certificates.first?["pdf_base64"] as? String ?? ""))
    #expect(exportedPDF == FileManager.default.contents(atPath: pdf))
    #expect((document["audit_log"] as? [Any])?.isEmpty == false)

    // The holder keeps a copy; the office's export is deleted by the erasure.
    let holderCopy = "\(directory)/holder-copy.pdf"
    try FileManager.default.copyItem(atPath: pdf, toPath: holderCopy)
    let erase = try beccaria(["participant", "erase", "--yes", String(person.rawValue), "--reason", "Antrag vom 20.11.2026"])
    #expect(erase.status == 0, "\(erase.stderr)")
    #expect(!FileManager.default.fileExists(atPath: pdf))
    // A scan of every text and JSON column of every table finds none of it.
    let columns = try cohort.connection.query(
      """
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'jsonb', 'json', 'character varying')
      """)
    #expect(columns.count > 40)
    for needle in ["Wjeńka", "Erasmus", "Měrćin", "named0@example.org", "1980-01-09", "09.01.1980", "Stadt Bautzen", "Rückruf"] {
      for column in columns {
        let table: String = try column.decode("table_name")
        let name: String = try column.decode("column_name")
        let hits = try cohort.connection.queryOne(
          "SELECT count(*)::integer AS n FROM \(identifier: table) WHERE \(identifier: name)::text LIKE '%' || \(needle) || '%'")
        #expect(try hits?.decode("n", as: Int.self) == 0, "\(needle) still in \(table).\(name)")
      }
    }
    #expect(
      try cohort.connection.queryOne("SELECT birth_date IS NULL AS gone FROM participant WHERE id = \(person.rawValue)")?.decode(
        "gone", as: Bool.self) == true)
    // The holder's PDF still proves genuine, by its bytes and the signature it carries.
    let verify = try beccaria(["certificate", "verify", holderCopy])
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    #expect(verify.stdout.contains("genuine and valid"))
    #expect(verify.stdout.contains("erased from the register on request"))
    #expect(verify.stdout.contains("Měrćin Wjeńka-Erasmus"))  // shown from the presented document, not the register
    let bySerial = try beccaria(["certificate", "verify", serial])
    #expect(bySerial.status == 0)
    #expect(!bySerial.stdout.contains("Wjeńka"))
    // An edited copy is not the original (its code is still the genuine one), and erasing
    // twice is refused.
    var edited = try #require(FileManager.default.contents(atPath: holderCopy))
    edited[edited.count / 2] ^= 0x01
    let editedPath = "\(directory)/edited.pdf"
    try edited.write(to: URL(fileURLWithPath: editedPath))
    let editedResult = try beccaria(["certificate", "verify", editedPath])
    #expect(editedResult.status == 8)
    #expect(editedResult.stdout.hasPrefix("NOT-ORIGINAL:") && editedResult.stdout.contains("erased from the register"))
    let again = try beccaria(["participant", "erase", "--yes", String(person.rawValue), "--reason", "nochmal"])
    // Erasing again changes nothing in the database; it finishes deleting files (none left here).
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("already; checking the files their erasure listed"))
    // The others are untouched, and the nightly run does not re-issue anything.
    #expect(try beccaria(["certificate", "run"]).stdout.contains("issued 0 certificates"))
    #expect(
      try cohort.connection.queryOne("SELECT count(*)::integer AS n FROM participant WHERE family_name = 'Person0'")?.decode(
        "n", as: Int.self) == 1)
  }

  @Test func retentionRemovesOnlyWhatIsDueAndADryRunNothing() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    try Fixtures.programmeAndMunicipalities(db)
    try Fixtures.course(db, code: "BQ-OLD-1", starts: "2019-01-05")
    try Fixtures.course(db, code: "BQ-NEW-1")
    let old = try SessionStore(db).add([
      NewSession(
        courseCode: "BQ-OLD-1", module: 1, day: CalendarDate(year: 2019, month: 1, day: 5)!, start: 540, end: 720, ue: 4,
        location: nil, trainerEmails: [])
    ])
    let recent = try SessionStore(db).add([
      NewSession(
        courseCode: "BQ-NEW-1", module: 1, day: CalendarDate.today().adding(days: -2), start: 540, end: 720, ue: 4,
        location: nil, trainerEmails: [])
    ])
    let people = try Fixtures.participants(db, count: 2, prefix: "Alt")
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-OLD-1", participant: people[0], modules: nil)
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-NEW-1", participant: people[1], modules: nil)
    try db.execute(
      """
      INSERT INTO attendance (session_id, participant_id, status, ue_attended)
      VALUES (\(old[0].rawValue), \(people[0].rawValue), 'present', 4), (\(recent[0].rawValue), \(people[1].rawValue), 'present', 4)
      """)
    // Activity counts every enrolment event and cohort date, not only session days. The old
    // enrolment is dated as it would have been (the database stamps enrolments with now()).
    let upcoming = try Fixtures.participants(db, count: 2, prefix: "Bald")
    // A cohort opened in 2019 and never closed: whoever is enrolled in it keeps their record.
    try Fixtures.course(db, code: "BQ-STALE-1", starts: "2019-02-01")
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-STALE-1", participant: upcoming[0], modules: nil)
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-OLD-1", participant: upcoming[1], modules: nil)
    // One statement at a time: each commits, and with it the checks deferred to commit.
    for statement in [
      "ALTER TABLE enrolment DISABLE TRIGGER enrolment_stamp",
      "UPDATE enrolment SET requested_at = '2018-12-01', enrolled_at = '2018-12-01' WHERE participant_id IN (\(people[0].rawValue), \(upcoming[0].rawValue))",
      "UPDATE enrolment SET requested_at = '2019-01-01', enrolled_at = '2019-01-01', status = 'withdrawn', ended_at = '2025-06-30 22:30:00+00', end_reason = 'umgezogen' WHERE participant_id = \(upcoming[1].rawValue)",
      "ALTER TABLE enrolment ENABLE TRIGGER enrolment_stamp",
      "UPDATE participant SET created_at = '2018-11-01' WHERE id IN (\(people[0].rawValue), \(upcoming[0].rawValue), \(upcoming[1].rawValue))",
    ] {
      try db.executeScript(unsafeSQL: statement)
    }
    try db.execute("UPDATE course SET status = 'ended' WHERE code = 'BQ-OLD-1'")
    let lastActivity = { (person: ParticipantID) in
      try db.queryOne("SELECT participant_last_activity(\(person.rawValue))::text AS d")?.decode("d", as: String.self)
    }
    #expect(try lastActivity(people[0]) == "2019-01-05")
    #expect(try lastActivity(upcoming[0]) == "2019-02-01")
    // Ended at 00:30 on 1 July in Germany (22:30 UTC the day before).
    #expect(try lastActivity(upcoming[1]) == "2025-07-01")

    let set = try Beccaria.run(["retention", "set", "--attendance-years", "5", "--participant-years", "6"], database: database)
    #expect(set.status == 0, "\(set.stderr)")
    let dry = try Beccaria.run(["retention", "apply", "--dry-run"], database: database)
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("would delete 1 row of 1 ended cohort"))
    #expect(dry.stdout.contains("BQ-OLD-1"))
    // Neither the person still enrolled in an open cohort nor the one who left in 2025 goes.
    #expect(dry.stdout.contains("would erase 1"))
    #expect(dry.stdout.contains("participant \(people[0].rawValue)"))
    #expect(try db.queryOne("SELECT count(*)::integer AS n FROM attendance")?.decode("n", as: Int.self) == 2)
    #expect(
      try db.queryOne("SELECT count(*)::integer AS n FROM participant WHERE erased_at IS NOT NULL")?.decode("n", as: Int.self)
        == 0)

    let apply = try Beccaria.run(["retention", "apply"], database: database)
    #expect(apply.status == 0, "\(apply.stderr)")
    let remaining = try db.query("SELECT participant_id FROM attendance").map { try $0.decode("participant_id", as: Int64.self) }
    #expect(remaining == [people[1].rawValue])
    // The audit log's copy of the deleted record keeps only its keys; the kept one is whole.
    #expect(apply.stdout.contains("their 2 audit entries now keep only the session and the person"), "\(apply.stdout)")
    let audited = try db.query(
      "SELECT new_values, old_values, scrubbed_at IS NOT NULL AS scrubbed, participant_id FROM audit_log WHERE table_name = 'attendance' ORDER BY id"
    )
    for row in audited {
      let person: Int64 = try row.decode("participant_id")
      let values = try row.decode("new_values", as: String?.self) ?? row.decode("old_values", as: String?.self) ?? ""
      #expect(try row.decode("scrubbed", as: Bool.self) == (person == people[0].rawValue), "\(values)")
      #expect(values.contains("\"status\"") == (person != people[0].rawValue), "\(values)")
    }
    #expect(try Beccaria.run(["audit", "verify", "--all-tables"], database: database).status == 0)
    let erased = try db.query("SELECT id, family_name, erasure_reason FROM participant WHERE erased_at IS NOT NULL")
    #expect(try erased.map { try $0.decode("id", as: Int64.self) } == [people[0].rawValue])
    #expect(try erased.first?.decode("erasure_reason", as: String.self).hasPrefix("retention:") == true)
    #expect(try Beccaria.run(["retention", "apply", "--dry-run"], database: database).stdout.contains("would erase 0"))
    let bad = try Beccaria.run(["retention", "set", "--attendance-years", "-3"], database: database)
    #expect(bad.status != 0)
  }

  @Test func injectionStringsInFreeTextAreStoredLiterally() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let nasty = "Robert'); DROP TABLE participant; --"
    let quote = "O'Brien \"Bobby\" \\ $1 %s ${x} `id`"
    let add = try Beccaria.run(
      [
        "participant", "add", "--family-name", nasty, "--given-names", quote, "--birth-date", "1990-01-01", "--email",
        "x@example.org",
        "--municipality", "14612000", "--organisation", "'; DELETE FROM audit_log; --", "--function", "%' OR '1'='1",
      ],
      database: cohort.database)
    #expect(add.status == 0, "\(add.stderr)")
    let row = try #require(
      try cohort.connection.queryOne(
        "SELECT id, family_name, given_names, organisation, function FROM participant WHERE email = 'x@example.org'"))
    #expect(try row.decode("family_name", as: String.self) == nasty)
    #expect(try row.decode("given_names", as: String.self) == quote)
    #expect(try row.decode("organisation", as: String.self) == "'; DELETE FROM audit_log; --")
    #expect(try row.decode("function", as: String.self) == "%' OR '1'='1")
    let id: Int64 = try row.decode("id")
    let search = try Beccaria.run(
      ["participant", "list", "--search", "%' OR '1'='1", "--format", "csv"], database: cohort.database)
    #expect(search.status == 0)
    #expect(search.stdout.split(separator: "\n").count == 1)  // header only: the pattern is a literal
    _ = try cohort.run()
    let serial = try #require(try cohort.serials().first)
    let revoke = try Beccaria.run(["certificate", "revoke", "--yes", serial, "--reason", nasty], database: cohort.database)
    #expect(revoke.status == 0, "\(revoke.stderr)")
    #expect(
      try cohort.connection.queryOne("SELECT revocation_reason FROM certificate WHERE serial = \(serial)")?.decode(
        "revocation_reason", as: String.self) == nasty)
    let rename = try Beccaria.run(
      ["participant", "rename", String(id), "--family-name", quote, "--reason", nasty], database: cohort.database)
    #expect(rename.status == 0, "\(rename.stderr)")
    // (An erasure's reason loses the person's names: this one names none of them.)
    let reason = "Antrag'); DELETE FROM audit_log; -- \\ %% 'x'"
    let erase = try Beccaria.run(["participant", "erase", "--yes", String(id), "--reason", reason], database: cohort.database)
    #expect(erase.status == 0, "\(erase.stderr)")
    #expect(
      try cohort.connection.queryOne("SELECT erasure_reason FROM participant WHERE id = \(id)")?.decode(
        "erasure_reason", as: String.self) == reason)
    #expect(try cohort.connection.queryOne("SELECT count(*)::integer AS n FROM audit_log")?.decode("n", as: Int.self) ?? 0 > 0)
    #expect(
      try cohort.connection.queryOne("SELECT to_regclass('participant') IS NOT NULL AS ok")?.decode("ok", as: Bool.self) == true)
  }

  @Test func everyOtherFreeTextArgumentIsStoredLiterallyToo() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let nasty = "x'); DROP TABLE session; -- \\ $1 %s"
    let person = try #require(cohort.people.first).rawValue
    func run(_ arguments: [String]) throws {
      let result = try Beccaria.run(arguments, database: cohort.database, environment: cohort.environment)
      #expect(result.status == 0, "\(arguments.prefix(2)): \(result.stderr)")
    }
    func stored(_ sql: SQL) throws -> [String] {
      try cohort.connection.query(sql).map { try $0.decode("v", as: String.self) }
    }
    try run(["municipality", "add", "--ags", "14999001", "--name", nasty, "--district", nasty])
    try run(["trainer", "add", "--name", nasty, "--email", "nasty@example.org"])
    try run(["course", "create", "--programme", "beccaria-fachkraft", "--code", "BQ-INJ-1", "--title", nasty, "--venue", nasty])
    try run([
      "session", "add", "--course", "BQ-INJ-1", "--module", "1", "--date", CalendarDate.today().adding(days: -1).description,
      "--start", "09:00", "--end", "12:00", "--ue", "4", "--location", nasty, "--trainer", "nasty@example.org",
    ])
    let session = try #require(
      try cohort.connection.queryOne(
        "SELECT s.id FROM session s JOIN course c ON c.id = s.course_id WHERE c.code = 'BQ-INJ-1'")?.decode("id", as: Int64.self))
    try run(["enrolment", "add", "--course", "BQ-INJ-1", "--participant", String(person), "--module", "1"])
    try run([
      "attendance", "record", "--session", String(session), "--participant", String(person), "--status", "present", "--note",
      nasty,
    ])
    try run([
      "attendance", "record", "--session", String(session), "--participant", String(person), "--status", "late", "--ue", "2",
      "--reason", nasty,
    ])
    try run(["assessment", "record", "--participant", String(person), "--result", "passed", "--title", nasty, "--note", nasty])
    try run(["enrolment", "withdraw", "--course", "BQ-INJ-1", "--participant", String(person), "--reason", nasty])
    let keyPath = FileManager.default.temporaryDirectory.appending(path: "inj-\(UUID().uuidString).pem").path
    try run(["keys", "generate", "--output", keyPath, "--label", nasty])

    #expect(try stored("SELECT name AS v FROM municipality WHERE ags = '14999001'") == [nasty])
    #expect(try stored("SELECT district AS v FROM municipality WHERE ags = '14999001'") == [nasty])
    #expect(try stored("SELECT name AS v FROM trainer WHERE email = 'nasty@example.org'") == [nasty])
    #expect(try stored("SELECT title || '|' || venue AS v FROM course WHERE code = 'BQ-INJ-1'") == ["\(nasty)|\(nasty)"])
    #expect(try stored("SELECT location AS v FROM session WHERE id = \(session)") == [nasty])
    #expect(
      try stored("SELECT note || '|' || correction_reason AS v FROM attendance WHERE session_id = \(session)") == [
        "\(nasty)|\(nasty)"
      ])
    #expect(
      try stored("SELECT title || '|' || note AS v FROM assessment WHERE title IS NOT NULL AND note IS NOT NULL") == [
        "\(nasty)|\(nasty)"
      ])
    #expect(try stored("SELECT end_reason AS v FROM enrolment WHERE status = 'withdrawn'") == [nasty])
    #expect(try stored("SELECT label AS v FROM signing_key WHERE label <> 'test'") == [nasty])
    #expect(try stored("SELECT reason AS v FROM audit_log WHERE table_name = 'attendance' AND action = 'UPDATE'") == [nasty])
    #expect(
      try cohort.connection.queryOne("SELECT to_regclass('session') IS NOT NULL AS ok")?.decode("ok", as: Bool.self) == true)
  }
}
