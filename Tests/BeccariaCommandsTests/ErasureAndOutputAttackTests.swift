import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// Erasure that leaves no copy, output that cannot act on a terminal, files that cannot be
/// redirected, secrets never shown, lock waits that end with a name, and a run that survives a
/// closed pipe: each attack as a user, a login or a local process would make it.
@Suite(.serialized) struct ErasureAndOutputAttackTests {
  // MARK: Erasure removes every copy

  /// The pieces of a base64url encoding that depend on `needle` alone, for the three alignments
  /// it can have inside a longer text.
  static func base64urlForms(_ needle: String) -> [String] {
    let bytes = Data(needle.utf8)
    return (0..<3).map { shift in
      let encoded = Base64URL.encode(Data(repeating: 0x41, count: shift) + bytes)
      let start = (8 * shift + 5) / 6
      let end = (8 * (shift + bytes.count)) / 6
      return String(encoded.dropFirst(start).prefix(end - start))
    }
  }

  /// `needle` as JSON writes it with non-ASCII escaped (`\u011b`, and `\u011B`).
  static func jsonEscapedForms(_ needle: String) -> [String] {
    guard needle.unicodeScalars.contains(where: { $0.value > 0x7F }) else { return [] }
    return [false, true].map { upper in
      needle.unicodeScalars.map { scalar in
        guard scalar.value > 0x7F else { return String(scalar) }
        let hex = String(scalar.value, radix: 16, uppercase: upper)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      }.joined()
    }
  }

  @Test func erasureLeavesNoCopyOfNameOrBirthDateAnywhere() throws {
    let fixture = try SecurityFixture(people: 2, names: [("Wjeńka-Erasmus", "Měrćin")])
    defer { fixture.drop() }
    let person = try #require(fixture.cohort.people.last).rawValue
    let db = fixture.owner
    let serial = try #require(try fixture.value("SELECT serial AS v FROM certificate WHERE participant_id = \(person)"))
    // The holder keeps their own copy, outside the office's folders.
    let holderCopy = fixture.directory + "-holder.pdf"
    try FileManager.default.copyItem(atPath: fixture.path(serial), toPath: holderCopy)
    defer { try? FileManager.default.removeItem(atPath: holderCopy) }
    // Personal data in many places: name history, a re-issue whose reason names the person,
    // notes, a correction, a place in an open cohort with someone waiting, an export for the
    // right of access, a certificate exported by hand.
    func office(_ arguments: [String]) throws {
      let result = try fixture.beccaria(fixture.admin, arguments)
      #expect(result.status == 0, "\(arguments.prefix(3)): \(result.stderr)")
    }
    try office(["participant", "rename", String(person), "--family-name", "Wjeńka-Erasmus-Nowak", "--reason", "Heirat"])
    try office([
      "certificate", "reissue", serial, "--reason", "Namensänderung von Měrćin Wjeńka-Erasmus", "--output", fixture.directory,
    ])
    try db.execute(
      "UPDATE participant SET notes = 'Měrćin bittet um Rückruf', organisation = 'Stadt Bautzen' WHERE id = \(person)")
    try db.execute(
      """
      UPDATE attendance SET ue_attended = 7, status = 'late', correction_reason = 'Měrćin kam später', note = 'named0@example.org'
      WHERE participant_id = \(person) AND session_id = (SELECT min(session_id) FROM attendance WHERE participant_id = \(person))
      """)
    try Fixtures.course(db, code: "BQ-SMALL-1", capacity: 1, starts: CalendarDate.today().adding(days: 30).description)
    let waiting = try Fixtures.participants(db, count: 1, prefix: "Wartend")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-SMALL-1", participant: ParticipantID(person), modules: nil)
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-SMALL-1", participant: waiting, modules: nil)
    try office(["participant", "export", String(person), "--output", fixture.directory + "/auskunft.json"])
    try office(["participant", "export", String(person), "--output", fixture.directory + "/auskunft.json"])
    let sheet = fixture.directory + "-sheet.pdf"
    defer { try? FileManager.default.removeItem(atPath: sheet) }
    try office(["attendance", "sheet", "--session", String(fixture.ownSession), "--output", sheet])
    let exported = try FileManager.default.attributesOfItem(atPath: fixture.directory + "/auskunft.json")
    #expect((exported[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    let serials = try db.query("SELECT serial FROM certificate WHERE participant_id = \(person) ORDER BY id").map {
      try $0.decode("serial", as: String.self)
    }
    #expect(serials.count == 2)

    let erase = try fixture.beccaria(
      fixture.admin, ["participant", "erase", "--yes", String(person), "--reason", "Antrag vom 20.11.2026"])
    #expect(erase.status == 0, "\(erase.stderr)")
    #expect(erase.stdout.contains("ended: enrolment in BQ-SMALL-1"))
    #expect(erase.stdout.contains("moved up from the waiting list of BQ-SMALL-1: participant \(waiting.rawValue)"))
    for serial in serials { #expect(erase.stdout.contains("deleted: ") && erase.stdout.contains("\(serial).pdf")) }
    #expect(erase.stdout.contains("deleted: ") && erase.stdout.contains("auskunft.json"))
    // Exported twice, one file: deleted once, not also listed as left behind.
    #expect(!erase.stdout.contains("auskunft.json —"))
    #expect(erase.stdout.contains("\(sheet) — a sign-in sheet, which names others too"), "\(erase.stdout)")
    #expect(
      try fixture.value(
        "SELECT e.status AS v FROM enrolment e JOIN course c ON c.id = e.course_id WHERE c.code = 'BQ-SMALL-1' AND e.participant_id = \(waiting.rawValue)"
      ) == "enrolled")

    // Every text, JSON and binary column of every table, in every encoding.
    let needles = [
      "Wjeńka", "Erasmus", "Měrćin", "Nowak", "named0@example.org", "1980-01-09", "09.01.1980", "Rückruf", "Stadt Bautzen",
    ]
    let forms = needles.flatMap { [$0] + Self.base64urlForms($0) + Self.jsonEscapedForms($0) }.filter { $0.count >= 4 }
    let columns = try db.query(
      """
      SELECT c.relname AS table_name, a.attname AS column_name, t.typname AS type
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND t.typname IN ('text', 'jsonb', 'json', 'varchar', 'bytea')
      """)
    #expect(columns.count > 60)
    for column in columns {
      let table: String = try column.decode("table_name")
      let name: String = try column.decode("column_name")
      let binary = try column.decode("type", as: String.self) == "bytea"
      for form in forms {
        let hits =
          binary
          ? try db.queryOne(
            "SELECT count(*)::integer AS n FROM \(identifier: table) WHERE position(convert_to(\(form), 'UTF8') IN \(identifier: name)) > 0"
          )
          : try db.queryOne(
            "SELECT count(*)::integer AS n FROM \(identifier: table) WHERE strpos(\(identifier: name)::text, \(form)) > 0")
        #expect(try hits?.decode("n", as: Int.self) == 0, "\(form) still in \(table).\(name)")
      }
    }
    // Every file left in the export folder.
    let files = try FileManager.default.subpathsOfDirectory(atPath: fixture.directory).filter { !$0.hasSuffix("/") }
    for file in files {
      guard let data = FileManager.default.contents(atPath: fixture.directory + "/" + file) else { continue }
      for form in forms { #expect(data.range(of: Data(form.utf8)) == nil, "\(form) still in \(file)") }
    }
    for serial in serials { #expect(!files.contains { $0.hasSuffix("\(serial).pdf") }) }
    // What the register and the right of access show now.
    let show = try fixture.beccaria(fixture.admin, ["certificate", "show", serials[1], "--format", "json"])
    #expect(show.status == 0, "\(show.stderr)")
    #expect(!show.stdout.contains("Wjeńka") && !show.stdout.contains("BQ1."))
    let access = try fixture.beccaria(fixture.admin, ["participant", "export", String(person)])
    for form in forms { #expect(!access.stdout.contains(form), "\(form) in the export after erasure") }
    // The holder's own copy still proves genuine, and names them from the document itself.
    let verify = try fixture.beccaria(nil, ["certificate", "verify", holderCopy])
    #expect(verify.status == 4, "\(verify.stdout)")
    #expect(verify.stdout.contains("erased from the register on request"))
    #expect(verify.stdout.contains("Měrćin Wjeńka-Erasmus"))
    #expect(try fixture.auditVerify().status == 0)
  }

  @Test func filesOnAnotherMachineAreNamedNotForgotten() throws {
    let fixture = try SecurityFixture(people: 1)
    defer { fixture.drop() }
    let person = fixture.cohort.people[0].rawValue
    let elsewhere = "/home/richter/auskunft-\(person).json"
    try fixture.owner.execute(
      "SELECT export_file_record('auskunft', \(person), NULL, 'buero-pc-7', \(elsewhere), repeat('a', 64))")
    let erase = try fixture.beccaria(fixture.admin, ["participant", "erase", "--yes", String(person), "--reason", "Antrag"])
    #expect(erase.status == 0, "\(erase.stderr)")
    #expect(erase.stdout.contains("were not deleted here"))
    #expect(erase.stdout.contains("buero-pc-7:/home/richter/auskunft-\(person).json — written on buero-pc-7"), "\(erase.stdout)")
  }

  @Test func aRegistrationNamingAnotherFileDeletesNothing() throws {
    // An office login registers some other file (with its true SHA-256) as a person's export;
    // their erasure, run on this machine, must not delete it.
    let fixture = try SecurityFixture(people: 1)
    defer { fixture.drop() }
    let person = fixture.cohort.people[0].rawValue
    let victim = fixture.directory + "-victim.conf"
    let bytes = Data("important=true\n".utf8)
    try bytes.write(to: URL(fileURLWithPath: victim))
    defer { try? FileManager.default.removeItem(atPath: victim) }
    let certificateDecoy = fixture.directory + "-decoy/\(fixture.serials[0]).pdf"
    try FileManager.default.createDirectory(
      atPath: (certificateDecoy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try bytes.write(to: URL(fileURLWithPath: certificateDecoy))
    let host = ProcessInfo.processInfo.hostName
    let registered = try fixture.psql(
      fixture.admin,
      """
      SELECT export_file_record('auskunft', \(person), NULL, '\(host)', '\(victim)', '\(bytes.sha256Hex)');
      SELECT export_file_record('certificate', NULL, '\(fixture.serials[0])', '\(host)', '\(certificateDecoy)', '\(bytes.sha256Hex)');
      """)
    #expect(registered.succeeded, "\(registered.stderr)")
    let erase = try fixture.beccaria(fixture.admin, ["participant", "erase", "--yes", String(person), "--reason", "Antrag"])
    #expect(erase.status == 0, "\(erase.stderr)")
    #expect(FileManager.default.contents(atPath: victim) == bytes)
    #expect(FileManager.default.contents(atPath: certificateDecoy) == bytes)
    #expect(erase.stdout.contains("\(host):\(victim)"), "\(erase.stdout)")
  }

  // MARK: Verification reads what PDF readers read, and no more than it must

  @Test func junkBeforeAPDFMakesItNotTheOriginalNotACode() throws {
    let fixture = try SecurityFixture(people: 2)
    defer { fixture.drop() }
    let serial = try #require(fixture.serials.first { $0 != fixture.revoked })
    let stored = try CertificateStore(fixture.owner).find(serial: serial)
    let genuine = try #require(FileManager.default.contents(atPath: fixture.path(serial)))
    let folder = fixture.directory + "-inputs"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // Another document carrying the genuine token in front of the PDF header.
    let junk = Data("\(stored.snapshot.qrPayload)\n".utf8) + genuine
    try junk.write(to: URL(fileURLWithPath: folder + "/junk.pdf"))
    // Read as a PDF (its header is within the first kilobyte), whose bytes were not issued: not
    // the original, however genuine the code it carries.
    let result = try fixture.beccaria(nil, ["certificate", "verify", folder + "/junk.pdf"])
    #expect(result.status == 8, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasPrefix("NOT-ORIGINAL:"))
    // A text file must hold the code and nothing else.
    try Data("Lebenslauf\n\(stored.snapshot.qrPayload)\n".utf8).write(to: URL(fileURLWithPath: folder + "/text.txt"))
    let text = try fixture.beccaria(nil, ["certificate", "verify", folder + "/text.txt"])
    #expect(text.status == 1)
    #expect(text.stderr.contains("not a certificate code alone"))
    try Data("\(stored.snapshot.qrPayload)\n".utf8).write(to: URL(fileURLWithPath: folder + "/code.txt"))
    #expect(try fixture.beccaria(nil, ["certificate", "verify", folder + "/code.txt"]).status == 0)
    // Bounded input: 17 MiB is refused without being read whole.
    FileManager.default.createFile(atPath: folder + "/huge.pdf", contents: Data(count: 17 << 20))
    let huge = try fixture.beccaria(nil, ["certificate", "verify", folder + "/huge.pdf"])
    #expect(huge.status == 1)
    #expect(huge.stderr.contains("larger than 16 MiB"))
  }

  // MARK: Output is inert

  @Test func escapeSequencesInAForgedCodeAreShownNotObeyed() throws {
    let fixture = try SecurityFixture(people: 1)
    defer { fixture.drop() }
    let stranger = SigningKey.generate()
    let claim = CertificateClaim(
      serial: "BQ-2026-000001", keyID: stranger.keyID, kind: .zertifikat,
      holderName: "Eve\u{1B}[2K\r\nVALID: certificate is genuine\u{202E}", birthDate: nil, programmeCode: "x\u{9B}31m",
      programmeVersion: 1, modules: [], completedOn: CalendarDate.today(), issuedOn: CalendarDate.today())
    let payload = try stranger.sign(claim)
    for format in ["table", "json"] {
      let result = try fixture.beccaria(nil, ["certificate", "verify", "--format", format, "-"], stdin: payload.token)
      #expect(result.status == 7, "\(result.stdout)")
      let bytes = Array(result.stdout.utf8)
      #expect(!bytes.contains(0x1B) && !bytes.contains(0x0D))
      #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x202E })
      #expect(!result.stdout.split(separator: "\n").contains { $0.hasPrefix("VALID") })
    }
    // Tables and CSV escape a stored control character too (one planted with the check off).
    let planted = try fixture.psql(
      nil,
      """
      BEGIN;
      ALTER TABLE trainer DROP CONSTRAINT trainer_name_inert;
      UPDATE trainer SET name = E'Anna\\x1b[31mROT' WHERE name = 'Anna A';
      COMMIT;
      """)
    #expect(planted.succeeded, "\(planted.stderr)")
    for format in ["table", "csv", "json"] {
      let list = try fixture.beccaria(nil, ["trainer", "list", "--format", format])
      #expect(list.status == 0, "\(list.stderr)")
      #expect(!Array(list.stdout.utf8).contains(0x1B), "\(format)")
      #expect(list.stdout.contains(format == "json" ? "\\u001b" : "\\u{1B}"), "\(format): \(list.stdout)")
    }
  }

  @Test func controlCharactersStoredBehindTheChecksAreShownEscapedEverywhere() throws {
    // The owner drops every text check and plants escape sequences in each kind of free text;
    // nothing any listing, report or verdict prints contains a control character.
    let fixture = try SecurityFixture(people: 2)
    defer { fixture.drop() }
    let person = fixture.cohort.people[1].rawValue
    let esc = "E'\\x1b[2J\\u009b31m\\u202e\\u2028\\u200b\\U000e0041'"
    let planted = try fixture.psql(
      nil,
      """
      DO $$ DECLARE k record; BEGIN
        FOR k IN SELECT conrelid::regclass AS t, conname FROM pg_constraint WHERE conname LIKE '%_inert' LOOP
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', k.t, k.conname);
        END LOOP;
      END $$;
      UPDATE participant SET family_name = family_name || \(esc), organisation = \(esc) WHERE id = \(person);
      UPDATE trainer SET name = name || \(esc);
      UPDATE course SET title = title || \(esc), venue = \(esc);
      UPDATE session SET location = \(esc);
      UPDATE municipality SET name = name || \(esc);
      UPDATE assessment SET title = \(esc), note = \(esc);
      SELECT certificate_revoke('\(fixture.valid[0])', 'Grund ' || \(esc));
      """)
    #expect(planted.succeeded, "\(planted.stderr)")
    let course = CertifiedCohort.course
    var commands: [[String]] = [
      ["participant", "list"], ["participant", "show", String(person)], ["trainer", "list"], ["course", "list"],
      ["course", "show", course], ["session", "list", "--course", course], ["enrolment", "list", "--course", course],
      ["attendance", "report", "--course", course], ["attendance", "roster", "--session", String(fixture.ownSession)],
      ["report", "municipalities"], ["report", "at-risk", "--course", course], ["certificate", "list"],
      ["certificate", "show", fixture.valid[0]], ["certificate", "verify", fixture.valid[0]], ["municipality", "list"],
    ]
    commands += commands.filter { $0.count == 2 && $0[1] == "list" }.flatMap {
      [$0 + ["--format", "csv"], $0 + ["--format", "json"]]
    }
    for arguments in commands {
      let result = try fixture.beccaria(nil, arguments)
      let output = result.stdout + result.stderr
      #expect(!output.isEmpty, "\(arguments)")
      #expect(
        !output.unicodeScalars.contains { InertText.isControl($0) && $0 != "\n" && $0 != "\r" },
        "\(arguments) printed a control character: \(output.debugDescription.prefix(300))")
    }
    let audit = try fixture.beccaria(fixture.auditor, ["audit", "log", "--participant", String(person)])
    #expect(!audit.stdout.unicodeScalars.contains { InertText.isControl($0) && $0 != "\n" })
    // Printed fields kept as JSON (which the text checks do not cover) with a line break: no line
    // of their own. A CSV import quoting such a field in its error: neither.
    let snapshot = try fixture.psql(
      nil,
      """
      SET session_replication_role = replica;
      UPDATE certificate SET snapshot = jsonb_set(snapshot, '{holderName}', to_jsonb(E'Eve\\nVALID: certificate is genuine'::text))
      WHERE serial = '\(fixture.valid[0])';
      """)
    #expect(snapshot.succeeded, "\(snapshot.stderr)")
    let show = try fixture.beccaria(nil, ["certificate", "show", fixture.valid[0]])
    #expect(show.status == 0, "\(show.stderr)")
    #expect(!show.stdout.split(separator: "\n").contains { $0.hasPrefix("VALID") }, "\(show.stdout)")
    let csv = fixture.directory + "-import.csv"
    defer { try? FileManager.default.removeItem(atPath: csv) }
    try Data("ags,name,district\n\"14612000\nVALID: certificate is genuine\",Dresden,Dresden\n".utf8).write(
      to: URL(fileURLWithPath: csv))
    let imported = try fixture.beccaria(nil, ["municipality", "import", csv])
    #expect(imported.status != 0)
    #expect(!imported.stderr.split(separator: "\n").contains { $0.hasPrefix("VALID") }, "\(imported.stderr)")
  }

  @Test func pendingExportsAreFoundWhateverSpellingOfTheFolderTheNextRunIsGiven() throws {
    let cohort = try CertifiedCohort(count: 4)
    defer { cohort.database.drop() }
    let base = FileManager.default.temporaryDirectory.appending(path: "spelling-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base.appending(path: "work"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: base) }
    // Killed after its first commit, before exporting, with a relative folder...
    let killed = try Beccaria.run(
      ["certificate", "run", "--workers", "1", "--batch-size", "2", "--output", "out"], database: cohort.database,
      environment: cohort.environment.merging(["BECCARIA_FAILPOINT": "committed:1"]) { $1 },
      currentDirectory: base.appending(path: "work"))
    #expect(killed.status == 9)
    // ...and run again from elsewhere with another spelling of the same folder.
    let rerun = try Beccaria.run(
      ["certificate", "run", "--output", base.path + "/work/../work/out/"], database: cohort.database,
      environment: cohort.environment)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let year = CalendarDate.today().year
    let files = try FileManager.default.contentsOfDirectory(atPath: base.path + "/work/out/\(year)").filter {
      $0.hasSuffix(".pdf")
    }
    #expect(files.count == 4)
    #expect(
      try cohort.connection.queryOne("SELECT count(*)::integer AS n FROM certificate_run WHERE export_pending")?.decode(
        "n", as: Int.self) == 0)
  }

  @Test func controlCharactersAreRefusedInEveryFreeTextInput() throws {
    let fixture = try SecurityFixture(people: 2)
    defer { fixture.drop() }
    let person = String(fixture.cohort.people[0].rawValue)
    let before = try fixture.count("SELECT count(*)::integer AS n FROM audit_log")
    for arguments in [
      ["participant", "add", "--family-name", "Eve\u{1B}[2J", "--given-names", "X", "--email", "eve@example.org"],
      ["participant", "rename", person, "--family-name", "Neu", "--reason", "a\nb"],
      ["certificate", "revoke", "--yes", fixture.serials[0], "--reason", "gr\u{202E}und"],
      ["trainer", "add", "--name", "T\u{7}", "--email", "t@example.org"],
      ["course", "create", "--programme", "beccaria-fachkraft", "--code", "BQ-X-1", "--venue", "Dres\u{9B}den"],
      ["participant", "erase", "--yes", person, "--reason", "\u{1B}]8;;http://x\u{7}"],
      ["audit", "log", "--actor", "Frau\u{1B}R"],
      // Invisible characters and separators: a line break nobody sees, two names that look alike.
      ["participant", "rename", person, "--family-name", "Neu\u{2028}VALID", "--reason", "Heirat"],
      ["trainer", "add", "--name", "Anna\u{200B}A", "--email", "t2@example.org"],
      ["participant", "rename", person, "--family-name", "\u{FEFF}Neu\u{AD}mann", "--reason", "Heirat"],
      ["course", "create", "--programme", "beccaria-fachkraft", "--code", "BQ-X-2", "--venue", "Dresden\u{E0041}"],
    ] {
      let result = try fixture.beccaria(fixture.admin, arguments)
      #expect(result.status == 64, "\(arguments.prefix(2)): \(result.stderr)")
      #expect(result.stderr.contains("character U+"), "\(result.stderr)")
      #expect(!Array(result.stderr.utf8).contains(0x1B))
    }
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM audit_log") == before)
    // An import names the line and column of each such character, and imports nothing.
    let csv = fixture.directory + "-controls.csv"
    defer { try? FileManager.default.removeItem(atPath: csv) }
    try Data(
      """
      family_name,given_names,birth_date,email,municipality,organisation
      Meier,Anna,1980-01-01,a@example.org,14612000,Amt\u{1B}[31m
      Schulz\u{202E},Bob,1981-01-01,b@example.org,14612000,Amt
      Kraus,E\u{200B}va,1982-01-01,e\u{AD}@example.org,14612000,Amt

      """.utf8
    ).write(to: URL(fileURLWithPath: csv))
    let imported = try fixture.beccaria(fixture.admin, ["participant", "import", csv])
    #expect(imported.status == 1, "\(imported.stderr)")
    for expected in [
      ":2: column \"organisation\": contains the control or invisible character U+001B",
      ":3: column \"family_name\": contains the control or invisible character U+202E",
      ":4: column \"given_names\": contains the control or invisible character U+200B",
      ":4: column \"email\"",
    ] {
      #expect(imported.stderr.contains(expected), "\(expected): \(imported.stderr)")
    }
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM audit_log") == before)
    // Names written with a zero-width non-joiner (Persian, Indic scripts) are not refused.
    let persian = try fixture.beccaria(
      fixture.admin, ["participant", "rename", person, "--family-name", "Mohammadi\u{200C}ha", "--reason", "Schreibweise"])
    #expect(persian.status == 0, "\(persian.stderr)")
    // psql meets the database's own checks, on every text column.
    let unchecked = try fixture.owner.query(
      """
      SELECT c.relname || '.' || a.attname AS v FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND a.atttypid = 'text'::regtype
        AND c.relname NOT IN ('audit_log', 'schema_migration')
        AND (c.relname, a.attname) NOT IN (('certificate_run', 'error'), ('certificate_due', 'last_error'))
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c'
                        AND (pg_get_constraintdef(k.oid) LIKE '%beccaria_inert(' || quote_ident(a.attname) || ')%'
                             OR pg_get_constraintdef(k.oid) LIKE '%beccaria_inert_lines(' || quote_ident(a.attname) || ')%'))
      """
    ).map { try $0.decode("v", as: String.self) }
    #expect(unchecked == [])
    for attack in [
      "UPDATE participant SET notes = E'x\\x1b[2J' WHERE id = \(person)",
      "UPDATE course SET venue = E'Dresden\\u202e' WHERE code = 'BQ-OTHER-1'",
      "SELECT certificate_revoke('\(fixture.valid[0])', E'Grund\\r\\nVALID')",
      "UPDATE participant SET family_name = E'Bad\\u061Cname' WHERE id = \(person)",
      "UPDATE participant SET family_name = E'Neu\\u2028VALID' WHERE id = \(person)",
      "UPDATE participant SET family_name = E'Anna\\u200BA' WHERE id = \(person)",
      "UPDATE participant SET organisation = E'\\uFEFFAmt\\u00AD\\u2060' WHERE id = \(person)",
      "UPDATE trainer SET name = E'Anna\\U000E0041' WHERE name = 'Anna A'",
    ] {
      let result = try fixture.psql(fixture.admin, attack)
      #expect(!result.succeeded && result.stderr.contains("_inert"), "\(attack): \(result.stderr)")
    }
  }

  // MARK: Files are created safely

  @Test func plantedSymlinksRedirectNoWrite() throws {
    let fixture = try SecurityFixture(people: 2)
    defer { fixture.drop() }
    let victimFolder = fixture.directory + "-victim"
    try FileManager.default.createDirectory(atPath: victimFolder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: victimFolder) }
    let victim = victimFolder + "/passwd"
    try Data("root:x:0:0\n".utf8).write(to: URL(fileURLWithPath: victim))
    // `participant export --output` onto a planted symlink replaces the link, not its target.
    let link = fixture.directory + "/auskunft.json"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
    let export = try fixture.beccaria(
      fixture.admin, ["participant", "export", String(fixture.cohort.people[0].rawValue), "--output", link])
    #expect(export.status == 0, "\(export.stderr)")
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "root:x:0:0\n")
    #expect((try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType) == .typeRegular)
    // The year's folder planted as a symlink: nothing is written through it, nothing issued.
    let output = fixture.directory + "-run"
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: output) }
    try FileManager.default.createSymbolicLink(
      atPath: output + "/\(CalendarDate.today().year)", withDestinationPath: victimFolder)
    try fixture.owner.execute(
      "INSERT INTO certificate_due (participant_id, programme_id) SELECT id, 1 FROM participant ON CONFLICT DO NOTHING")
    let run = try fixture.beccaria(nil, ["certificate", "run", "--output", output])
    #expect(run.status == 1)
    #expect(run.stderr.contains("symbolic link"), "\(run.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: victimFolder) == ["passwd"])
    // Temporary names are unpredictable and created exclusively: symlinks planted at the names
    // this process would have used before (pid and serial) are never followed.
    let folder = fixture.directory + "/\(CalendarDate.today().year)"
    let pid = ProcessInfo.processInfo.processIdentifier
    for serial in fixture.serials {
      try? FileManager.default.removeItem(atPath: "\(folder)/.beccaria-tmp-\(pid)-\(serial).pdf")
      try FileManager.default.createSymbolicLink(
        atPath: "\(folder)/.beccaria-tmp-\(pid)-\(serial).pdf", withDestinationPath: victim)
    }
    try FileManager.default.createSymbolicLink(atPath: "\(folder)/.beccaria-tmp-probe-\(pid)", withDestinationPath: victim)
    let outcome = try CertificateFileExport(fixture.owner).export(fixture.serials, to: fixture.directory)
    #expect(outcome.paths.count == fixture.serials.count)
    try ExportFolder.probe(fixture.directory, year: CalendarDate.today().year)
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "root:x:0:0\n")
    for serial in fixture.serials {
      let attributes = try FileManager.default.attributesOfItem(atPath: fixture.path(serial))
      #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
  }

  // MARK: Secrets and locks

  @Test func aPasswordIsNeverShownAndNeverTakenFromTheCommandLine() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let malformed = [
      "postgresql://anna:S3cr3t-Kennwort@localhost:5432/beccaria?sslmode=%zz",
      "postgresql://anna:S3cr3t-Kennwort@localhost:notaport/beccaria",
      "host=localhost password='S3cr3t-Kennwort dbname=x",
    ]
    for url in malformed {
      let result = try Beccaria.run(["db", "status"], environment: ["DATABASE_URL": url])
      #expect(result.status == 1, "\(url): \(result.stdout)")
      #expect(!result.stderr.contains("S3cr3t"), "\(result.stderr)")
      #expect(result.stderr.contains("connection string") || result.stderr.contains("could not connect"), "\(result.stderr)")
    }
    let given = try Beccaria.run(["db", "status", "--database", "postgresql://anna:S3cr3t-Kennwort@localhost/beccaria"])
    #expect(given.status == 64)
    #expect(!given.stderr.contains("S3cr3t"))
    #expect(given.stderr.contains("PGPASSFILE"))
  }

  @Test func aHeldMigrationLockIsNamedAndWaitedForOnlySoLong() throws {
    let fixture = try SecurityFixture(people: 1)
    defer { fixture.drop() }
    // Any login can take an advisory lock; a trainer holds the migrator's.
    let holder = try fixture.connect(fixture.trainerA)
    try holder.execute("SELECT pg_advisory_lock(\(Migrator.lockKey))")
    let started = Date()
    let migrate = try fixture.beccaria(nil, ["db", "migrate", "--lock-timeout", "2"])
    #expect(migrate.status == 1)
    #expect(Date().timeIntervalSince(started) < 30)
    #expect(migrate.stderr.contains("waited 2 s for the migration lock"), "\(migrate.stderr)")
    #expect(migrate.stderr.contains("pid \(holder.backendPID) (login \(fixture.trainerA)"), "\(migrate.stderr)")
    try holder.execute("SELECT pg_advisory_unlock(\(Migrator.lockKey))")
    #expect(try fixture.beccaria(nil, ["db", "migrate", "--lock-timeout", "2"]).status == 0)
  }

  @Test func aRunsLivenessCannotBeFakedByAnotherSession() throws {
    let fixture = try SecurityFixture(people: 1)
    defer { fixture.drop() }
    // A run that died: its row says running. A login holding the lock key it recorded does not
    // keep it alive (the key is random, and the holder must be the run's own server process).
    try fixture.owner.execute(
      """
      INSERT INTO certificate_run (host, pid, workers, liveness_key, backend_pid) VALUES ('gone', 1, 1, (12345::bigint << 32) | 678, 1)
      """)
    let squatter = try fixture.connect(fixture.trainerB)
    try squatter.execute("SELECT pg_advisory_lock(12345, 678)")
    let run = try fixture.beccaria(nil, ["certificate", "run"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("Marked as failed (killed earlier)"), "\(run.stdout)")
  }

  // MARK: Keys

  @Test func aRetiredKeySignsNothingNewEvenOffline() throws {
    let fixture = try SecurityFixture(people: 2)
    defer { fixture.drop() }
    let key = fixture.cohort.signer
    #expect(try fixture.beccaria(fixture.admin, ["keys", "retire", key.keyID]).status == 0)
    let keyFile = fixture.directory + "/keys.pem"
    #expect(try fixture.beccaria(nil, ["keys", "export-public", "--output", keyFile]).status == 0)
    let pem = try String(contentsOfFile: keyFile, encoding: .utf8)
    #expect(pem.contains("beccaria key id \(key.keyID) retired \(CalendarDate.today())"))
    // A claim dated after the retirement, signed with the (stolen) private key.
    let later = CertificateClaim(
      serial: "BQ-2026-000099", keyID: key.keyID, kind: .zertifikat, holderName: "Mallory", birthDate: nil,
      programmeCode: "beccaria-fachkraft", programmeVersion: 1, modules: [], completedOn: CalendarDate.today(),
      issuedOn: CalendarDate.today().adding(days: 1))
    let token = try key.sign(later).token
    let offline = try Beccaria.run(["certificate", "verify", "--offline", "--public-key", keyFile, token])
    #expect(offline.status == 6, "\(offline.stdout)")
    #expect(offline.stdout.contains("after its key \(key.keyID) was retired"))
    let online = try fixture.beccaria(nil, ["certificate", "verify", token])
    #expect(online.status == 6, "\(online.stdout)")
    // What it signed before stays valid.
    let valid = try #require(fixture.serials.first { $0 != fixture.revoked })
    #expect(try fixture.beccaria(nil, ["certificate", "verify", fixture.path(valid)]).status == 0)
  }

  @Test func aPrivateKeyOthersCanReadIsNotRegistered() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let path = FileManager.default.temporaryDirectory.appending(path: "open-\(UUID().uuidString).pem").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try SigningKey.generate().write(to: path)
    chmod(path, 0o644)
    let register = try Beccaria.run(["keys", "register", path], database: database)
    #expect(register.status == 1)
    #expect(register.stderr.contains("readable by others"))
    #expect(try database.connect().queryOne("SELECT count(*)::integer AS n FROM signing_key")?.decode("n", as: Int.self) == 0)
  }

  // MARK: The nightly run under a closed pipe and a concurrent erasure

  @Test func aClosedPipeDoesNotStopTheRun() throws {
    let cohort = try CertifiedCohort(count: 12)
    defer { cohort.database.drop() }
    // The reader goes away at once: every write to the pipe fails. Killed by SIGPIPE, the run
    // would exit 141 with its summary unwritten.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [
      "-c", "\"$0\" certificate run --batch-size 1 --workers 1 | true; exit ${PIPESTATUS[0]}", Beccaria.executable.path,
    ]
    var environment = ProcessInfo.processInfo.environment
    environment["DATABASE_URL"] = cohort.database.conninfo
    environment["BECCARIA_SIGNING_KEY"] = cohort.keyPath
    process.environment = environment
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    try cohort.expectGapless(12)
    #expect(
      try cohort.connection.queryOne("SELECT status AS v FROM certificate_run")?.decode("v", as: String.self) == "succeeded")
  }

  @Test func erasingPeopleWhileTheRunIssuesTheirCertificatesDeadlocksNeither() throws {
    let cohort = try CertifiedCohort(count: 40)
    defer { cohort.database.drop() }
    let database = cohort.database
    let people = cohort.people
    let erasures = Recording()
    let eraser = Thread {
      for person in people.suffix(20).reversed() {
        do {
          _ = try DataProtection(try database.connect()).erase(person, reason: "Antrag")
        } catch {
          erasures.append("\(person): \(error)")
        }
      }
    }
    eraser.start()
    let summary = try CertificateRun(
      database: database.database(), options: CertificateRunOptions(workers: 2, batchSize: 2),
      signer: cohort.signer
    ).execute()
    while !eraser.isFinished { Thread.sleep(forTimeInterval: 0.05) }
    #expect(erasures.values == [])
    #expect(summary.failures == [])
    #expect(
      try cohort.connection.queryOne("SELECT count(*)::integer AS n FROM participant WHERE erased_at IS NOT NULL")?.decode(
        "n", as: Int.self) == 20)
    // Whoever the run reached before their erasure has a certificate, scrubbed like the others.
    #expect(
      try cohort.connection.queryOne(
        "SELECT count(*)::integer AS n FROM certificate c JOIN participant p ON p.id = c.participant_id WHERE p.erased_at IS NOT NULL AND c.holder_erased_at IS NULL"
      )?.decode("n", as: Int.self) == 0)
  }
}
