import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import TestSupport
import Testing

/// The office's week (issue 21): changing sessions, the paper sheet and the trainer's commands,
/// end to end through the binary against the real database.
@Suite struct OfficeWeekTests {
  func value(_ connection: Connection, _ sql: SQL) throws -> String? {
    try connection.queryOne(sql).flatMap { row in try row.decode("v", as: String?.self) }
  }

  func addTrainers(_ fixture: AttendanceFixture) throws {
    _ = try TrainerStore(fixture.connection).add(name: "Anna Schulz", email: "anna@example.org", login: nil)
    _ = try TrainerStore(fixture.connection).add(name: "Jan Nowak", email: "jan@example.org", login: nil)
  }

  // MARK: Sessions

  @Test func aSessionMovesAndSaysWhomItConcerns() throws {
    let fixture = try AttendanceFixture(participants: 3)
    defer { fixture.database.drop() }
    try addTrainers(fixture)
    let future = String(fixture.module2[2].rawValue)
    let day = CalendarDate.today().adding(days: 40)
    let moved = try Beccaria.run(
      ["session", "move", future, "--date", day.description, "--start", "09:30", "--end", "16:15", "--reason", "Raum belegt"],
      database: fixture.database)
    #expect(moved.status == 0, "\(moved.stderr)")
    #expect(moved.stdout.contains("Changed session \(future) of \(AttendanceFixture.course) (module 2): date "))
    #expect(moved.stdout.contains("→ \(day.german); time 09:00–15:45 → 09:30–16:15."), "\(moved.stdout)")
    #expect(moved.stdout.contains("It concerns 3 participants and no trainer"), "\(moved.stdout)")
    let stored = try #require(
      try value(
        fixture.connection, "SELECT day::text || ' ' || starts_at::text AS v FROM session WHERE id = \(fixture.module2[2])"))
    #expect(stored == "\(day) 09:30:00")
    let reason = try value(
      fixture.connection,
      "SELECT reason AS v FROM audit_log WHERE table_name = 'session' AND action = 'UPDATE' ORDER BY id DESC LIMIT 1")
    #expect(reason == "Raum belegt")

    // The same again changes nothing and writes no audit entry.
    let audits = try value(fixture.connection, "SELECT count(*)::text AS v FROM audit_log")
    let again = try Beccaria.run(["session", "move", future, "--date", day.description], database: fixture.database)
    #expect(again.stdout == "Session \(future) is so already; nothing changed.\n", "\(again.stdout)\(again.stderr)")
    #expect(try value(fixture.connection, "SELECT count(*)::text AS v FROM audit_log") == audits)
  }

  @Test func aSessionChangeIsRefusedWithASentenceAndChangesNothing() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    try addTrainers(fixture)
    let past = String(fixture.module1[0].rawValue)
    try fixture.record(fixture.module1[0], fixture.participants[0], .present)
    let before = try value(fixture.connection, "SELECT string_agg(row(s.*)::text, ';' ORDER BY id) AS v FROM session s")
    let cases: [([String], String)] = [
      // A recorded session stays in the past.
      (
        ["session", "move", past, "--date", CalendarDate.today().adding(days: 10).description],
        "has attendance recorded for 1 participant; it cannot move to"
      ),
      // Another session of the cohort at that time.
      (
        ["session", "move", String(fixture.module1[1].rawValue), "--date", CalendarDate.today().adding(days: -120).description],
        "already has session \(fixture.module1[0].rawValue) on"
      ),
      // UE that do not fit the times.
      (["session", "update", String(fixture.module2[2].rawValue), "--ue", "10"], "10 UE of 45 minutes need 450 minutes"),
      // Fewer UE than were recorded.
      (
        ["session", "update", past, "--ue", "4", "--end", "12:00"], "participants are recorded with up to 8 UE at session \(past)"
      ),
      // Outside the cohort's dates.
      (["session", "move", String(fixture.module2[2].rawValue), "--date", "2025-12-01"], "lies outside cohort"),
      (
        ["session", "update", past, "--add-trainer", "nobody@example.org"],
        "a trainer with the e-mail nobody@example.org does not exist"
      ),
      (["session", "update", past, "--remove-trainer", "anna@example.org"], "anna@example.org does not teach session \(past)"),
      (["session", "update", past], "give at least one of"),
      (["session", "move", "999999", "--date", "2026-05-01"], "session 999999 does not exist"),
    ]
    for (arguments, expected) in cases {
      let result = try Beccaria.run(arguments, database: fixture.database)
      #expect(result.status != 0, "\(arguments) went through")
      #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
    }
    #expect(try value(fixture.connection, "SELECT string_agg(row(s.*)::text, ';' ORDER BY id) AS v FROM session s") == before)
  }

  @Test func trainersAreAssignedReplacedAndKeptFromOverlaps() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    try addTrainers(fixture)
    let first = String(fixture.module2[2].rawValue)
    let second = String(fixture.module2[3].rawValue)
    let assigned = try Beccaria.run(
      ["session", "update", first, "--add-trainer", "anna@example.org", "--location", "Raum 2.04"], database: fixture.database)
    #expect(assigned.status == 0, "\(assigned.stderr)")
    #expect(assigned.stdout.contains("location Raum 1 → Raum 2.04; trainers none → Anna Schulz."), "\(assigned.stdout)")
    let replaced = try Beccaria.run(
      ["session", "update", first, "--remove-trainer", "ANNA@example.org", "--add-trainer", "jan@example.org"],
      database: fixture.database)
    #expect(replaced.stdout.contains("trainers Anna Schulz → Jan Nowak."), "\(replaced.stdout)\(replaced.stderr)")
    // Jan teaches the next day's session too; moving it onto the first one's time is refused.
    _ = try Beccaria.run(["session", "update", second, "--add-trainer", "jan@example.org"], database: fixture.database)
    let firstDay = try #require(
      try value(fixture.connection, "SELECT day::text AS v FROM session WHERE id = \(fixture.module2[2])"))
    // Another cohort's session at the same time as `first`, taught by Jan, is refused by name.
    try Fixtures.course(fixture.connection, code: "BQ-OTHER-1")
    let other = try SessionStore(fixture.connection).add([
      NewSession(
        courseCode: "BQ-OTHER-1", module: 1, day: CalendarDate.today().adding(days: 50), start: 540, end: 945, ue: 8,
        location: nil, trainerEmails: [])
    ])[0]
    let clash = try Beccaria.run(
      ["session", "move", String(other.rawValue), "--date", firstDay], database: fixture.database)
    #expect(clash.status == 0, "\(clash.stderr)")
    let refused = try Beccaria.run(
      ["session", "update", String(other.rawValue), "--add-trainer", "jan@example.org"], database: fixture.database)
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains("Jan Nowak already teaches session \(first) of \(AttendanceFixture.course)"), "\(refused.stderr)")
    let listed = try Beccaria.run(
      ["session", "list", "--trainer", "jan@example.org", "--format", "csv"], database: fixture.database)
    #expect(listed.stdout.split(whereSeparator: \.isNewline).count == 3, "\(listed.stdout)")
  }

  // MARK: The paper sheet

  @Test func theSheetPrintsParticipantNumbersAndRowsAreRecordedByNumber() throws {
    let fixture = try AttendanceFixture(participants: 3)
    defer { fixture.database.drop() }
    // Names whose order differs from their numbers: row 1 is the highest number.
    for (person, name) in zip(fixture.participants, ["Zander", "Müller", "Abel"]) {
      try fixture.connection.execute("UPDATE participant SET family_name = \(name) WHERE id = \(person)")
    }
    let session = String(fixture.module1[0].rawValue)
    let pdf = FileManager.default.temporaryDirectory.appending(path: "sheet-\(UUID().uuidString).pdf").path
    defer { try? FileManager.default.removeItem(atPath: pdf) }
    let noSheet = try Beccaria.run(
      ["attendance", "record", "--session", session, "--row", "1", "--status", "present"], database: fixture.database)
    #expect(noSheet.stderr.contains("no sign-in sheet of session \(session) was printed"), "\(noSheet.stderr)")
    let printed = try Beccaria.run(["attendance", "sheet", "--session", session, "--output", pdf], database: fixture.database)
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(printed.stdout.contains("(3 participants)"))
    let text = try PDFTools.run("pdftotext", ["-layout", pdf, "-"])
    let abel = fixture.participants[2].rawValue
    let zander = fixture.participants[0].rawValue
    // Row 1 is Abel, with Abel's participant number printed under the name.
    let lines = text.components(separatedBy: "\n")
    let abelLine = try #require(lines.firstIndex { $0.contains("Abel, Test") })
    #expect(lines[abelLine].trimmingCharacters(in: .whitespaces).hasPrefix("1 "), "\(lines[abelLine])")
    #expect(lines[abelLine + 1].contains("Nr. \(abel)"), "\(lines[abelLine + 1])")
    #expect(text.contains("Zeile") && text.contains("UE (≤ 8)"))
    #expect(try PDFTools.run("pdfinfo", [pdf]).contains("Author:          Landespräventionsrat Sachsen"))

    let byRow = try Beccaria.run(
      ["attendance", "record", "--session", session, "--row", "1", "--status", "late", "--ue", "4"], database: fixture.database)
    #expect(
      byRow.stdout == "Recorded Test Abel (\(abel)) at session \(session) (row 1 of its sheet): late, 4 UE.\n",
      "\(byRow.stdout)\(byRow.stderr)")
    let byNumber = try Beccaria.run(
      ["attendance", "record", "--session", session, "--participant", String(zander), "--status", "present"],
      database: fixture.database)
    #expect(byNumber.stdout == "Recorded Test Zander (\(zander)) at session \(session): present, 8 UE.\n", "\(byNumber.stdout)")
    let stored = try value(
      fixture.connection, "SELECT string_agg(participant_id || ':' || status, ',' ORDER BY participant_id) AS v FROM attendance")
    #expect(stored == "\(zander):present,\(abel):late")
    let outOfRange = try Beccaria.run(
      ["attendance", "record", "--session", session, "--row", "4", "--status", "present"], database: fixture.database)
    #expect(outOfRange.stderr.contains("the sign-in sheet of session \(session) has 3 rows; there is no row 4"))
    let both = try Beccaria.run(
      ["attendance", "record", "--session", session, "--row", "1", "--participant", "1", "--status", "present"],
      database: fixture.database)
    #expect(both.stderr.contains("give --participant or --row"))
  }

  @Test func everyoneIsRecordedPresentExceptThoseNamed() throws {
    let fixture = try AttendanceFixture(participants: 4)
    defer { fixture.database.drop() }
    let session = fixture.module1[1]
    try fixture.record(session, fixture.participants[3], .excused)
    let absent = fixture.participants[1]
    let result = try Beccaria.run(
      ["attendance", "record", "--session", String(session.rawValue), "--all-present", "--except", String(absent.rawValue)],
      database: fixture.database)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.hasPrefix(
        "Recorded 2 participants present at session \(session), 8 UE each; absent: Test Person1 (\(absent)); 1 recorded before, left as it was."
      ), "\(result.stdout)")
    let stored = try value(
      fixture.connection,
      "SELECT string_agg(participant_id || ':' || status || ':' || trim_scale(ue_attended), ',' ORDER BY participant_id) AS v FROM attendance"
    )
    let p = fixture.participants.map(\.rawValue)
    #expect(stored == "\(p[0]):present:8,\(p[1]):absent:0,\(p[2]):present:8,\(p[3]):excused:0")
    let stranger = try Beccaria.run(
      ["attendance", "record", "--session", String(session.rawValue), "--all-present", "--except", "99999"],
      database: fixture.database)
    #expect(stranger.stderr.contains("participant 99999 (--except) is not on the roster"), "\(stranger.stderr)")
    let future = try Beccaria.run(
      ["attendance", "record", "--session", String(fixture.module2[3].rawValue), "--all-present"], database: fixture.database)
    #expect(future.stderr.contains("has not taken place yet"))
    let mixed = try Beccaria.run(
      ["attendance", "record", "--session", String(session.rawValue), "--all-present", "--status", "late"],
      database: fixture.database)
    #expect(mixed.stderr.contains("--all-present records everyone as present"))
  }
}

/// What a trainer's login does in the week: its own sessions without cohort codes, reports of its
/// cohorts, imports of its lists, and refusals as sentences.
@Suite struct TrainerWeekTests {
  @Test func aTrainerListsTheirSessionsAndReportsOnTheirCohort() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let mine = try fixture.beccaria(fixture.trainerA, ["session", "list", "--mine", "--format", "csv"])
    #expect(mine.status == 0, "\(mine.stderr)")
    let ids = mine.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",")[0] }
    #expect(ids == [Substring(String(fixture.ownSession))], "\(mine.stdout)")
    let office = try fixture.beccaria(fixture.admin, ["session", "list", "--mine"])
    #expect(office.stderr.contains("is no trainer's (the office uses --trainer EMAIL or --course CODE)"), "\(office.stderr)")

    // The cohort's matrix and early warning, with every session of the cohort counted.
    let report = try fixture.beccaria(
      fixture.trainerA, ["attendance", "report", "--course", CertifiedCohort.course, "--format", "json"])
    #expect(report.status == 0, "\(report.stderr)")
    let asOffice = try fixture.beccaria(
      fixture.admin, ["attendance", "report", "--course", CertifiedCohort.course, "--format", "json"])
    #expect(report.stdout == asOffice.stdout)
    let atRisk = try fixture.beccaria(fixture.trainerA, ["report", "at-risk", "--format", "csv"])
    #expect(atRisk.status == 0, "\(atRisk.stderr)")
    #expect(!atRisk.stdout.contains("BQ-OTHER-1"), "\(atRisk.stdout)")
    // Another trainer's cohort stays out of reach.
    let foreign = try fixture.beccaria(fixture.trainerB, ["attendance", "report", "--course", CertifiedCohort.course])
    #expect(foreign.status != 0)
    #expect(!foreign.stderr.contains("permission denied for"), "\(foreign.stderr)")
  }

  @Test func aTrainerImportsTheirListAndIsToldWhatIsNotTheirs() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let person = fixture.cohort.people[1].rawValue
    let own = try PDFTools.temporaryFile(
      Data("session,participant,status\n\(fixture.ownSession),\(person),present\n".utf8), suffix: ".csv")
    let imported = try fixture.beccaria(fixture.trainerA, ["attendance", "import", own])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(try fixture.count("SELECT count(*) AS n FROM attendance WHERE session_id = \(fixture.ownSession)") == 1)

    let other = try fixture.beccaria(
      fixture.trainerA,
      ["attendance", "record", "--session", String(fixture.foreignSession), "--participant", "1", "--status", "present"])
    #expect(other.stderr.contains("session \(fixture.foreignSession) is not one of your sessions"), "\(other.stderr)")
    let foreignFile = try PDFTools.temporaryFile(
      Data("session,participant,status\n\(fixture.foreignSession),\(person),present\n".utf8), suffix: ".csv")
    let refused = try fixture.beccaria(fixture.trainerA, ["attendance", "import", foreignFile])
    #expect(refused.status != 0)
    #expect(
      !refused.stderr.contains("permission denied for") && !refused.stderr.contains("row-level security"), "\(refused.stderr)")
    // The office's work stays the office's, in a sentence.
    let enrol = try fixture.beccaria(
      fixture.trainerA,
      [
        "participant", "add", "--family-name", "X", "--given-names", "Y",
        "--birth-date", "1980-01-01", "--email", "x@example.org", "--municipality", "14612000",
      ])
    #expect(enrol.status != 0)
    #expect(enrol.stderr.contains("this login may not do that"), "\(enrol.stderr)")
  }
}

/// Bulk work and changes of the office: lists enrolled from files, several participants at once,
/// project results, and the details of people, trainers and cohorts.
@Suite struct OfficeChangesTests {
  func file(_ text: String) throws -> String {
    try PDFTools.temporaryFile(Data(text.utf8), suffix: ".csv")
  }

  func count(_ connection: Connection, _ sql: SQL) throws -> Int {
    try connection.queryOne(sql)?.decode("n", as: Int.self) ?? -1
  }

  @Test func aListIsEnrolledInFileOrderWithTheWaitingListOrAllIsRefused() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    try Fixtures.course(db, code: "BQ-LIST-1", capacity: 3)
    let people = try Fixtures.participants(db, count: 5)
    let p = people.map { String($0.rawValue) }
    let bad = try file(
      """
      Teilnehmer;Module
      \(p[0]);
      \(p[1]);2
      999999;
      person2@EXAMPLE.org;7
      \(p[0]);
      nobody@example.org;

      """)
    let refused = try Beccaria.run(["enrolment", "import", bad, "--course", "BQ-LIST-1"], database: database)
    #expect(refused.status != 0)
    let expected = [
      "\(bad):4: column \"Teilnehmer\": there is no participant 999999",
      "\(bad):5: column \"Module\": the programme of cohort BQ-LIST-1 has no module 7",
      "\(bad):6: column \"Teilnehmer\": participant \(p[0]) is enrolled in BQ-LIST-1 by line 2 already",
      "\(bad):7: column \"Teilnehmer\": no participant has the e-mail nobody@example.org",
      "Nothing was imported (4 problems).",
    ]
    #expect(refused.stderr == "Error: " + expected.joined(separator: "\n") + "\n", "\(refused.stderr)")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM enrolment") == 0)

    let good = try file(
      "participant,course,modules\n\(p[3]),BQ-LIST-1,\n\(p[1]),BQ-LIST-1,2\nperson2@example.org,BQ-LIST-1,1 3\n\(p[0]),BQ-LIST-1,\n\(p[4]),BQ-LIST-1,\n"
    )
    let dry = try Beccaria.run(["enrolment", "import", good, "--dry-run"], database: database)
    #expect(dry.stdout.hasPrefix("Would enrol 5 participants (--dry-run: nothing was written):"), "\(dry.stdout)\(dry.stderr)")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM enrolment") == 0)
    let done = try Beccaria.run(["enrolment", "import", good], database: database)
    #expect(done.status == 0, "\(done.stderr)")
    #expect(
      done.stdout == """
        Enrolled 5 participants:
          BQ-LIST-1: 3 enrolled, 2 on the waiting list
            waiting 1. Test Person0 (\(p[0]))
            waiting 2. Test Person4 (\(p[4]))

        """, "\(done.stdout)")
    let order = try db.query(
      "SELECT participant_id, status, scope FROM enrolment ORDER BY coalesce(queue_number, 0), enrolled_at, id"
    ).map { "\(try $0.decode("participant_id", as: Int64.self)):\(try $0.decode("status", as: String.self))" }
    #expect(order == ["\(p[3]):enrolled", "\(p[1]):enrolled", "\(p[2]):enrolled", "\(p[0]):waiting", "\(p[4]):waiting"])
    #expect(try count(db, "SELECT count(*)::integer AS n FROM enrolment_module") == 3)
  }

  @Test func repeatedParticipantsAreEnrolledEachOrNone() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    try Fixtures.course(db, code: "BQ-ADD-1", capacity: 2)
    let p = try Fixtures.participants(db, count: 3).map { String($0.rawValue) }
    let refused = try Beccaria.run(
      ["enrolment", "add", "--course", "BQ-ADD-1", "--participant", p[0], "--participant", "999999"], database: database)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("there is no participant 999999"), "\(refused.stderr)")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM enrolment") == 0)
    let result = try Beccaria.run(
      [
        "enrolment", "add", "--course", "BQ-ADD-1", "--participant", p[0], "--participant", "person1@example.org",
        "--participant", p[2],
      ], database: database)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout == """
        Enrolled Test Person0 (\(p[0])) in BQ-ADD-1 for the whole programme.
        Enrolled Test Person1 (\(p[1])) in BQ-ADD-1 for the whole programme.
        BQ-ADD-1 is full: Test Person2 (\(p[2])) is number 1 on the waiting list for the whole programme.

        """, "\(result.stdout)")
    let twice = try Beccaria.run(
      ["enrolment", "add", "--course", "BQ-ADD-1", "--participant", p[0], "--participant", p[0]], database: database)
    #expect(twice.stderr.contains("participant \(p[0]) is already enrolled in cohort BQ-ADD-1"), "\(twice.stderr)")
  }

  @Test func projectResultsAreImportedForACohortOrNone() throws {
    let fixture = try AttendanceFixture(participants: 3)
    defer { fixture.database.drop() }
    let p = fixture.participants.map { String($0.rawValue) }
    let outsider = try Fixtures.participants(fixture.connection, count: 1, prefix: "Aussen")[0]
    let bad = try file(
      """
      Teilnehmer;Ergebnis;Projekttitel;Datum
      \(p[0]);bestanden;Sicher im Quartier;24.10.2026
      \(p[1]);vielleicht;;
      \(outsider);passed;;
      \(p[2]);passed;;31.02.2026

      """)
    let refused = try Beccaria.run(
      ["assessment", "import", bad, "--course", AttendanceFixture.course], database: fixture.database)
    #expect(refused.stderr.contains("\(bad):3: column \"Ergebnis\": \"vielleicht\" is not passed or failed"), "\(refused.stderr)")
    #expect(refused.stderr.contains("\(bad):5: column \"Datum\":"))
    #expect(try count(fixture.connection, "SELECT count(*)::integer AS n FROM assessment") == 0)
    let stranger = try file("participant,result\n\(outsider),passed\n")
    let notEnrolled = try Beccaria.run(
      ["assessment", "import", stranger, "--course", AttendanceFixture.course], database: fixture.database)
    #expect(
      notEnrolled.stderr.contains(
        "column \"participant\": participant \(outsider) was not enrolled in \(AttendanceFixture.course)"),
      "\(notEnrolled.stderr)")
    let good = try file(
      "Teilnehmer;Ergebnis;Projekttitel;Datum\n\(p[0]);bestanden;Sicher im Quartier;24.10.2026\nperson1@example.org;nicht bestanden;;\n"
    )
    let done = try Beccaria.run(
      ["assessment", "import", good, "--course", AttendanceFixture.course, "--date", "2026-10-20"], database: fixture.database)
    #expect(
      done.stdout == "Recorded 2 results for \(AttendanceFixture.course): 1 passed, 1 failed.\n", "\(done.stdout)\(done.stderr)")
    let stored = try fixture.connection.query(
      "SELECT participant_id, result, coalesce(title, '-') AS title, assessed_on::text AS day FROM assessment ORDER BY participant_id"
    ).map {
      "\(try $0.decode("participant_id", as: Int64.self)) \(try $0.decode("result", as: String.self)) \(try $0.decode("title", as: String.self)) \(try $0.decode("day", as: String.self))"
    }
    #expect(stored == ["\(p[0]) passed Sicher im Quartier 2026-10-24", "\(p[1]) failed - 2026-10-20"])
  }

  @Test func peopleTrainersAndCohortsChangeAuditedAndRefuseWhatBreaksARule() throws {
    let fixture = try AttendanceFixture(participants: 2, capacity: 2)
    defer { fixture.database.drop() }
    let db = fixture.connection
    let person = String(fixture.participants[0].rawValue)
    let updated = try Beccaria.run(
      [
        "participant", "update", person, "--email", "neu@example.org", "--municipality", "bautzen", "--organisation",
        "Förderverein e. V.", "--reason", "Umzug",
      ], database: fixture.database)
    #expect(updated.status == 0, "\(updated.stderr)")
    #expect(
      updated.stdout.hasPrefix(
        "Updated Test Person0 (\(person)): e-mail person0@example.org → neu@example.org; organisation – → Förderverein e. V.; municipality Dresden (14612000) → Bautzen (14625020)."
      ), "\(updated.stdout)")
    let audit = try db.queryOne(
      "SELECT reason, new_values->>'email' AS email FROM audit_log WHERE table_name = 'participant' AND action = 'UPDATE' ORDER BY id DESC LIMIT 1"
    )
    #expect(try audit?.decode("reason", as: String.self) == "Umzug")
    #expect(try audit?.decode("email", as: String.self) == "neu@example.org")
    for (arguments, expected) in [
      (["participant", "update", person, "--email", "kein at"], "--email \"kein at\" is not an e-mail address"),
      (
        ["participant", "update", person, "--municipality", "Baut"],
        "a municipality called Baut (names that begin so: Bautzen (14625020, Bautzen)) does not exist"
      ),
      (["participant", "update", person, "--municipality", "1461200"], "has 7 digits; an AGS has 8"),
      (["participant", "update", "999999", "--notes", "x"], "participant 999999 does not exist"),
    ] {
      let result = try Beccaria.run(arguments, database: fixture.database)
      #expect(result.status != 0)
      #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
    }

    _ = try TrainerStore(db).add(name: "Anna Schulz", email: "anna@example.org", login: nil)
    _ = try TrainerStore(db).add(name: "Jan Nowak", email: "jan@example.org", login: nil)
    let trainer = try Beccaria.run(
      ["trainer", "update", "ANNA@example.org", "--name", "Dr. Anna Schulz", "--email", "a.schulz@example.org"],
      database: fixture.database)
    #expect(
      trainer.stdout.contains("name Anna Schulz → Dr. Anna Schulz; e-mail anna@example.org → a.schulz@example.org."),
      "\(trainer.stdout)\(trainer.stderr)")
    let taken = try Beccaria.run(
      ["trainer", "update", "jan@example.org", "--email", "a.schulz@example.org"], database: fixture.database)
    #expect(taken.stderr.contains("a trainer with the e-mail a.schulz@example.org is already registered"))

    // A waiting participant moves up when the capacity grows, and the list closes with the cohort.
    let extra = try Fixtures.participants(db, count: 2, prefix: "Warte")
    for id in extra { _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: id, modules: nil) }
    let raised = try Beccaria.run(["course", "update", AttendanceFixture.course, "--capacity", "3"], database: fixture.database)
    #expect(raised.stdout.contains("Moved up from the waiting list: Test Warte0 (\(extra[0]))."), "\(raised.stdout)")
    let lowered = try Beccaria.run(["course", "update", AttendanceFixture.course, "--capacity", "2"], database: fixture.database)
    #expect(lowered.stderr.contains("has 3 participants enrolled; its capacity cannot go below that"))
    let ended = try Beccaria.run(
      ["course", "update", AttendanceFixture.course, "--status", "ended", "--reason", "Abschluss"], database: fixture.database)
    #expect(ended.stderr.contains("has 2 sessions still to come; it ends when they have taken place"), "\(ended.stderr)")
    let cancelled = try Beccaria.run(
      ["course", "update", AttendanceFixture.course, "--status", "cancelled", "--reason", "zu wenige"], database: fixture.database
    )
    #expect(
      cancelled.stdout.contains("The waiting list is closed; no longer waiting: Test Warte1 (\(extra[1]))."),
      "\(cancelled.stdout)\(cancelled.stderr)")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM enrolment WHERE status = 'waiting'") == 0)
  }
}

/// Help, names and the little things a reader meets on every command.
@Suite struct HelpAndConventionsTests {
  /// Every leaf command's path, from the binary's own description of itself.
  static func leafCommands() throws -> [[String]] {
    let dump = try Beccaria.run(["--experimental-dump-help"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    var paths: [[String]] = []
    func walk(_ command: [String: Any], path: [String]) {
      let subcommands = command["subcommands"] as? [[String: Any]] ?? []
      if subcommands.isEmpty && !path.isEmpty { paths.append(path) }
      for subcommand in subcommands { walk(subcommand, path: path + [subcommand["commandName"] as? String ?? "?"]) }
    }
    walk(try #require(root["command"] as? [String: Any]), path: [])
    return paths
  }

  @Test func everyExampleFitsAnEightyColumnTerminalWithoutBreakingMidCommand() throws {
    let commands = try Self.leafCommands()
    #expect(commands.count > 60)
    for command in commands {
      let help = try Beccaria.run(command + ["--help"], environment: ["COLUMNS": "80"])
      #expect(help.status == 0)
      let lines = help.stdout.components(separatedBy: "\n")
      guard let start = lines.firstIndex(where: { $0.hasPrefix("Example") }) else {
        Issue.record("no example in the help of \(command.joined(separator: " "))")
        continue
      }
      var previousContinues = false
      for line in lines[(start + 1)...] {
        if line.hasPrefix("USAGE") || line.hasPrefix("OPTIONS") || line.hasPrefix("ARGUMENTS") { break }
        guard !line.isEmpty else { continue }
        // A line of an example starts indented; one the terminal width broke would not.
        #expect(line.hasPrefix("  "), "\(command.joined(separator: " ")): an example broke: \"\(line)\"")
        if previousContinues { #expect(line.hasPrefix("    "), "\(command): a continued example line is not indented") }
        previousContinues = line.hasSuffix(" \\")
      }
    }
  }

  @Test func aCohortIsCalledCourseInEveryCommand() throws {
    let dump = try Beccaria.run(["--experimental-dump-help"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    var preferred: [String: [String]] = [:]
    func walk(_ command: [String: Any], path: [String]) {
      for argument in command["arguments"] as? [[String: Any]] ?? [] {
        if let name = (argument["preferredName"] as? [String: Any])?["name"] as? String {
          preferred[name, default: []].append(path.joined(separator: " "))
        }
      }
      for subcommand in command["subcommands"] as? [[String: Any]] ?? [] {
        walk(subcommand, path: path + [subcommand["commandName"] as? String ?? "?"])
      }
    }
    walk(try #require(root["command"] as? [String: Any]), path: [])
    #expect(preferred["course"]?.contains("enrolment transfer") == true)
    #expect(preferred["course"]?.contains("enrolment add") == true && preferred["course"]?.contains("session list") == true)
    // --from and --to stay accepted as older names of transfer's options, but no command calls a
    // cohort anything else first (mail's --from and --to are addresses).
    for word in ["from", "to", "cohort"] {
      let commands = (preferred[word] ?? []).filter { !$0.hasPrefix("mail ") }
      #expect(commands.isEmpty, "--\(word) in \(commands)")
    }
    let help = try Beccaria.run(["enrolment", "transfer", "--help"])
    #expect(help.stdout.contains("--course, --from <code>") && help.stdout.contains("--to-course, --to <code>"), "\(help.stdout)")
  }

  @Test func versionSaysWhatItIs() throws {
    let version = try Beccaria.run(["--version"])
    let lines = version.stdout.split(separator: "\n")
    // The newest migration of the checkout, which the binary embeds.
    let newest = try #require(
      try FileManager.default.contentsOfDirectory(atPath: Checkout.root().appending(path: "schema").path)
        .filter { $0.hasSuffix(".sql") }.max())
    #expect(lines.first == "beccaria 0.2.0 (schema \(newest))", "\(version.stdout)")
    #expect(version.stdout.contains("Training and certification manager for the Beccaria programme"))
  }

  @Test func dbStatusNamesTheDatabaseAndNeverAPassword() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let status = try Beccaria.run(["db", "status"], database: database)
    #expect(status.status == 0, "\(status.stderr)")
    let first = status.stdout.split(separator: "\n").first.map(String.init) ?? ""
    #expect(first.hasPrefix("Connected to the database \(database.name) on "), "\(first)")
    #expect(first.contains(" port ") && first.contains(" as "))
    let verbose = try Beccaria.run(["programme", "list", "-v"], database: database)
    #expect(verbose.stderr.contains("connected to the database \(database.name) on "), "\(verbose.stderr)")
    #expect(!verbose.stderr.lowercased().contains("password"))
    // The local cluster recorded by scripts/db is used when nothing else is set, and said so once.
    let state = FileManager.default.temporaryDirectory.appending(path: "state-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: state.appending(path: "beccaria"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: state) }
    try Data(database.conninfo.utf8).write(to: state.appending(path: "beccaria/database-url"))
    let local = try Beccaria.run(
      ["course", "list"], environment: ["DATABASE_URL": "", "XDG_STATE_HOME": state.path])
    #expect(local.status == 0, "\(local.stderr)")
    #expect(local.stderr.hasPrefix("Note: using the local cluster that scripts/db started"), "\(local.stderr)")
    // Said once: the next command is quiet, until scripts/db records another cluster.
    let next = try Beccaria.run(["course", "list"], environment: ["DATABASE_URL": "", "XDG_STATE_HOME": state.path])
    #expect(next.status == 0 && next.stderr.isEmpty, "\(next.stderr)")
    // An explicit DATABASE_URL that happens to be the same says nothing.
    try FileManager.default.removeItem(at: state.appending(path: "beccaria/database-url.told"))
    let explicit = try Beccaria.run(
      ["course", "list"], environment: ["DATABASE_URL": database.conninfo, "XDG_STATE_HOME": state.path])
    #expect(explicit.stderr.isEmpty, "\(explicit.stderr)")
  }
}

/// Finding, counting, and the irreversible commands.
@Suite struct FindingAndDeletingTests {
  @Test func aListCutByItsLimitSaysSoAndMachineFormatsAreWhole() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    _ = try Fixtures.participants(db, count: 7)
    let table = try Beccaria.run(["participant", "list", "--limit", "5"], database: database)
    #expect(table.stdout.hasSuffix("… and 2 more participants (--limit 0 shows all).\n"), "\(table.stdout)")
    let all = try Beccaria.run(["participant", "list", "--limit", "0"], database: database)
    #expect(!all.stdout.contains("more participant"))
    #expect(all.stdout.split(whereSeparator: \.isNewline).count == 9)
    let csv = try Beccaria.run(["participant", "list", "--format", "csv"], database: database)
    #expect(csv.stdout.split(whereSeparator: \.isNewline).count == 8 && csv.stderr.isEmpty, "\(csv.stderr)")
    let cutCSV = try Beccaria.run(["participant", "list", "--format", "csv", "--limit", "3"], database: database)
    #expect(cutCSV.stdout.split(whereSeparator: \.isNewline).count == 4)
    #expect(cutCSV.stderr.contains("3 of 7 participants written; 4 more were left out by --limit"), "\(cutCSV.stderr)")
    let one = try Beccaria.run(["participant", "list", "--limit", "6"], database: database)
    #expect(one.stdout.hasSuffix("… and 1 more participant (--limit 0 shows all).\n"), "\(one.stdout)")
    // A municipality by name, and an ambiguous one listed.
    let byName = try Beccaria.run(["participant", "list", "--municipality", "bautzen", "--format", "csv"], database: database)
    #expect(byName.stdout.split(whereSeparator: \.isNewline).count == 4, "\(byName.stdout)\(byName.stderr)")
    try db.execute(
      "INSERT INTO municipality (ags, name, district) VALUES ('14626999', 'Bautzen', 'Görlitz')")
    let ambiguous = try Beccaria.run(["participant", "list", "--municipality", "Bautzen"], database: database)
    #expect(
      ambiguous.stderr.contains(
        "2 municipalities are called Bautzen: Bautzen (14625020, Bautzen), Bautzen (14626999, Görlitz); give the AGS"),
      "\(ambiguous.stderr)")
  }

  @Test func oneMunicipalityAnswersInASentenceAndADistrictIsAFilter() throws {
    let cohort = try CertifiedCohort(count: 3)
    defer { cohort.database.drop() }
    _ = try cohort.run(output: nil)
    let ags = try #require(
      try cohort.connection.queryOne("SELECT municipality_ags AS a FROM participant LIMIT 1")?.decode("a", as: String.self))
    let name = try #require(
      try cohort.connection.queryOne("SELECT name AS n FROM municipality WHERE ags = \(ags)")?.decode("n", as: String.self))
    let zertifikate =
      try cohort.connection.queryOne(
        """
        SELECT count(*)::integer AS n FROM certificate c JOIN participant p ON p.id = c.participant_id
        WHERE p.municipality_ags = \(ags) AND c.kind = 'zertifikat' AND c.status = 'valid'
        """)?.decode("n", as: Int.self) ?? -1
    #expect(zertifikate > 0)
    let one = try Beccaria.run(["report", "municipalities", "--municipality", name], database: cohort.database)
    #expect(one.status == 0, "\(one.stderr)")
    let noun = zertifikate == 1 ? "Fachkraft" : "Fachkräfte"
    #expect(
      one.stdout.hasPrefix("\(name) (\(ags)): \(zertifikate) \(noun) für Kriminalprävention (valid Zertifikate)"), "\(one.stdout)"
    )
    let district = try #require(
      try cohort.connection.queryOne("SELECT district AS d FROM municipality WHERE ags = \(ags)")?.decode("d", as: String.self))
    let byDistrict = try Beccaria.run(
      ["report", "municipalities", "--district", district.uppercased(), "--format", "csv"], database: cohort.database)
    let rows = byDistrict.stdout.split(whereSeparator: \.isNewline).dropFirst()
    #expect(!rows.isEmpty && rows.allSatisfy { $0.contains(district) }, "\(byDistrict.stdout)")
    let unknown = try Beccaria.run(["report", "municipalities", "--district", "Atlantis"], database: cohort.database)
    #expect(unknown.stderr.contains("no municipality of the register lies in a district called Atlantis (districts: "))
  }

  @Test func eraseAndRevokeShowWhatTheyAffectAndNeedAConfirmation() throws {
    let cohort = try CertifiedCohort(count: 2)
    defer { cohort.database.drop() }
    let issued = try cohort.run(output: nil).issued
    let zertifikat = try #require(issued.first { $0.kind == .zertifikat })
    let serial = zertifikat.serial
    let person = try #require(issued.first { $0.participantID != zertifikat.participantID }?.participantID)
    func status(_ serial: String) throws -> String? {
      try cohort.connection.queryOne("SELECT status FROM certificate WHERE serial = \(serial)")?.decode("status", as: String.self)
    }
    // Not on a terminal and without --yes: shown, refused, unchanged.
    let refused = try Beccaria.run(["certificate", "revoke", serial, "--reason", "Plagiat"], database: cohort.database)
    #expect(refused.status != 0)
    #expect(refused.stdout.contains("\(serial): Zertifikat of "), "\(refused.stdout)")
    #expect(refused.stderr.contains("Revoking \(serial) cannot be undone: give --yes to confirm when not on a terminal"))
    #expect(try status(serial) == "valid")
    let dry = try Beccaria.run(["certificate", "revoke", serial, "--reason", "Plagiat", "--dry-run"], database: cohort.database)
    #expect(dry.status == 0 && dry.stdout.contains("Nothing was changed (--dry-run)."))
    #expect(try status(serial) == "valid")
    // On a terminal: the wrong answer changes nothing, the serial confirms.
    let wrong = try Terminal.run(
      ["certificate", "revoke", serial, "--reason", "Plagiat"], answer: "ja", database: cohort.database)
    #expect(wrong.contains("Type \(serial) to confirm"), "\(wrong)")
    #expect(wrong.contains("not confirmed (\"ja\" is not \(serial)); nothing was changed"), "\(wrong)")
    #expect(try status(serial) == "valid")
    let typed = try Terminal.run(
      ["certificate", "revoke", serial, "--reason", "Plagiat"], answer: serial, database: cohort.database)
    #expect(typed.contains("Revoked \(serial)"), "\(typed)")
    #expect(try status(serial) == "revoked")

    let erasedBefore = {
      try cohort.connection.queryOne("SELECT erased_at IS NOT NULL AS e FROM participant WHERE id = \(person)")?.decode(
        "e", as: Bool.self)
    }
    let show = try Beccaria.run(
      ["participant", "erase", String(person.rawValue), "--reason", "Antrag", "--dry-run"], database: cohort.database)
    #expect(show.stdout.contains("Participant \(person): "), "\(show.stdout)")
    #expect(show.stdout.contains("certificates that stay verifiable (holder's data erased): BQ-"))
    #expect(show.stdout.hasSuffix("Nothing was changed (--dry-run).\n"))
    #expect(try erasedBefore() == false)
    let noYes = try Beccaria.run(
      ["participant", "erase", String(person.rawValue), "--reason", "Antrag"], database: cohort.database)
    #expect(noYes.status != 0 && noYes.stderr.contains("give --yes to confirm"))
    #expect(try erasedBefore() == false)
    let yes = try Beccaria.run(
      ["participant", "erase", String(person.rawValue), "--reason", "Antrag", "--yes"], database: cohort.database)
    #expect(yes.status == 0, "\(yes.stderr)")
    #expect(try erasedBefore() == true)
  }

  @Test func personalDataFilesAreWrittenForTheirOwnerOnly() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    let folder = FileManager.default.temporaryDirectory.appending(path: "modes-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let sheet = folder.appending(path: "sheet.pdf").path
    let export = folder.appending(path: "auskunft.json").path
    #expect(
      try Beccaria.run(
        ["attendance", "sheet", "--session", String(fixture.module1[0].rawValue), "--output", sheet], database: fixture.database
      ).status == 0)
    #expect(
      try Beccaria.run(
        ["participant", "export", String(fixture.participants[0].rawValue), "--output", export], database: fixture.database
      ).status == 0)
    for path in [sheet, export] {
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(mode == 0o600, "\(path): \(String(mode ?? 0, radix: 8))")
    }
  }
}

/// `beccaria` on a pseudo-terminal (util-linux `script`), to answer a confirmation as a person.
enum Terminal {
  static func run(_ arguments: [String], answer: String, database: TestDatabase) throws -> String {
    let command = ([Beccaria.executable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
      .joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]
    var environment = ProcessInfo.processInfo.environment
    environment["DATABASE_URL"] = database.conninfo
    environment["BECCARIA_ACTOR"] = "cli-test"
    process.environment = environment
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    // The prompt comes after the database was read; give it that time, then answer.
    Thread.sleep(forTimeInterval: 1.5)
    input.fileHandleForWriting.write(Data((answer + "\n").utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }
}

/// Participant lists imported again, and the audit log as a person reads it.
@Suite struct ParticipantListAgainTests {
  func file(_ text: String) throws -> String { try PDFTools.temporaryFile(Data(text.utf8), suffix: ".csv") }

  @Test func anUpdatedListUpdatesThePeopleItNamesAndEnrolsTheList() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    try Fixtures.course(db, code: "BQ-LIST-1", capacity: 2)
    let first = try file(
      """
      Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde;Organisation
      Wjeńka;Měrćin;12.07.1984;m.wjenka@example.org;14625020;Stadt Bautzen
      Šołćina;Hańža;03.02.1990;h.solcina@example.org;14625020;Schulverein

      """)
    let imported = try Beccaria.run(["participant", "import", first], database: database)
    #expect(imported.stdout == "Imported \(first): 2 new participants (numbers 1–2).\n", "\(imported.stdout)\(imported.stderr)")
    // The same list again: likely duplicates, each named; nothing written.
    let again = try Beccaria.run(["participant", "import", first], database: database)
    #expect(again.status != 0)
    #expect(
      again.stderr.contains(
        "\(first):2: likely duplicate: participant 1 (Měrćin Wjeńka, born 1984-07-12, m.wjenka@example.org) has the same e-mail; use --update"
      ), "\(again.stderr)")
    // An updated list: one by number with a new name and address, one by e-mail, one new; all enrolled.
    let updated = try file(
      """
      Nr.;Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde;Organisation
      1;Wjeńka-Nowak;Měrćin;12.07.1984;m.wjenka-nowak@example.org;14625020;Stadt Bautzen
      ;Šołćina;Hańža;03.02.1990;h.solcina@example.org;14625020;Schulverein
      ;Jankowa;Lejna;08.08.1994;l.jankowa@example.org;14625020;Domowina

      """)
    let dry = try Beccaria.run(
      ["participant", "import", updated, "--update", "--course", "BQ-LIST-1", "--dry-run"], database: database)
    #expect(
      dry.stdout.hasPrefix(
        "\(updated): 3 rows are valid and would give 1 new participant, 1 updated (1 renamed), 1 unchanged; nothing was written (--dry-run)."
      ), "\(dry.stdout)\(dry.stderr)")
    #expect(try db.queryOne("SELECT count(*)::integer AS n FROM enrolment")?.decode("n", as: Int.self) == 0)
    let done = try Beccaria.run(
      ["participant", "import", updated, "--update", "--course", "BQ-LIST-1", "--reason", "Eheschließung"], database: database)
    #expect(done.status == 0, "\(done.stderr)")
    // Number 4: the dry run drew number 3 (a sequence does not roll back).
    #expect(
      done.stdout.hasPrefix("Imported \(updated): 1 new participant (number 4), 1 updated (1 renamed), 1 unchanged."),
      "\(done.stdout)")
    #expect(
      done.stdout.contains("BQ-LIST-1: 2 enrolled, 1 on the waiting list")
        && done.stdout.contains("waiting 1. Lejna Jankowa (4)"), "\(done.stdout)")
    let renamed = try db.queryOne(
      "SELECT family_name, email, (SELECT reason FROM participant_name_change WHERE participant_id = 1) AS reason FROM participant WHERE id = 1"
    )
    #expect(try renamed?.decode("family_name", as: String.self) == "Wjeńka-Nowak")
    #expect(try renamed?.decode("email", as: String.self) == "m.wjenka-nowak@example.org")
    #expect(try renamed?.decode("reason", as: String.self) == "Eheschließung")
    // A number that names nobody, and a row naming someone twice: line errors, nothing written.
    let bad = try file(
      "Nr.;Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde\n99;A;B;01.01.1980;a@example.org;14625020\n2;Šołćina;Hańža;03.02.1990;x@example.org;14625020\n2;Šołćina;Hańža;03.02.1990;y@example.org;14625020\n"
    )
    let refused = try Beccaria.run(["participant", "import", bad, "--update"], database: database)
    #expect(refused.stderr.contains("\(bad):2: column \"Nr.\": there is no participant 99"), "\(refused.stderr)")
    #expect(refused.stderr.contains("\(bad):4: column \"Nr.\": participant 2 appears in line 3 already"), "\(refused.stderr)")
    #expect(
      try db.queryOne("SELECT email FROM participant WHERE id = 2")?.decode("email", as: String.self) == "h.solcina@example.org")
    let withoutUpdate = try Beccaria.run(["participant", "import", updated], database: database)
    #expect(
      withoutUpdate.stderr.contains("column \"nr.\"") || withoutUpdate.stderr.contains("is not a known column"),
      "\(withoutUpdate.stderr)")
  }

  @Test func theAuditLogShowsWhatChangedAsBlocks() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let person = String(fixture.cohort.people[1].rawValue)
    let update = try fixture.beccaria(
      fixture.admin, ["participant", "update", person, "--organisation", "Stadt Görlitz", "--reason", "neue Stelle"])
    #expect(update.status == 0, "\(update.stderr)")
    let log = try fixture.beccaria(fixture.auditor, ["audit", "log", "--participant", person, "--limit", "1"])
    #expect(log.status == 0, "\(log.stderr)")
    let lines = log.stdout.components(separatedBy: "\n")
    #expect(
      lines.contains { $0.hasPrefix("… ") && $0.hasSuffix("earlier entries not shown (--limit 0 shows all).") }, "\(log.stdout)")
    let block = try #require(lines.firstIndex { $0.hasPrefix("#") })
    #expect(lines[block].contains(" · login \(fixture.admin)"))
    #expect(lines[block + 1] == "participant \(person) changed — reason: neue Stelle", "\(log.stdout)")
    #expect(lines.contains("  organisation: – → Stadt Görlitz"), "\(log.stdout)")
    #expect(!log.stdout.contains("family_name"), "an unchanged field is shown: \(log.stdout)")
  }
}

/// The documents as a reader sees them, read back by word positions (`pdftotext -bbox`): what
/// stays on one line, what must not be printed, and that no two words overlap.
@Suite struct DocumentReadingTests {
  struct Word: Equatable {
    var text: String
    var xMin: Double, yMin: Double, xMax: Double, yMax: Double
    func overlaps(_ other: Word) -> Bool {
      xMin < other.xMax - 0.5 && other.xMin < xMax - 0.5 && yMin < other.yMax - 0.5 && other.yMin < yMax - 0.5
    }
  }

  /// The words of each page with their boxes.
  static func words(_ pdf: String) throws -> [[Word]] {
    let html = try PDFTools.run("pdftotext", ["-bbox", pdf, "-"])
    let pattern = #/<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>/#
    return html.components(separatedBy: "<page ").dropFirst().map { page in
      page.matches(of: pattern).map { match in
        Word(
          text: String(match.output.5).replacingOccurrences(of: "&amp;", with: "&"), xMin: Double(match.output.1) ?? 0,
          yMin: Double(match.output.2) ?? 0, xMax: Double(match.output.3) ?? 0, yMax: Double(match.output.4) ?? 0)
      }
    }
  }

  static func expectNoOverlap(_ pages: [[Word]], _ what: String) {
    for words in pages {
      for (index, word) in words.enumerated() {
        for other in words[(index + 1)...] where word.overlaps(other) {
          Issue.record("\(what): \"\(word.text)\" overlaps \"\(other.text)\"")
        }
      }
    }
  }

  /// The words of `phrase` stand on one line, in order.
  static func onOneLine(_ phrase: String, in words: [Word]) -> Bool {
    let parts = phrase.split(separator: " ").map(String.init)
    guard
      let start = words.indices.first(where: { index in
        index + parts.count <= words.count && zip(parts, words[index...]).allSatisfy { $0 == $1.text }
      })
    else { return false }
    let line = words[start..<(start + parts.count)]
    return line.allSatisfy { abs($0.yMin - words[start].yMin) < 1 }
  }

  @Test func aZertifikatAndItsReissueReadAsTheyShould() throws {
    let cohort = try CertifiedCohort(count: 2)
    defer { cohort.database.drop() }
    func beccaria(_ arguments: [String]) throws -> CommandResult {
      try Beccaria.run(arguments, database: cohort.database, environment: cohort.environment)
    }
    try cohort.connection.execute("UPDATE assessment SET title = 'Sicher im Quartier – Görlitz 2026'")
    let folder = FileManager.default.temporaryDirectory.appending(path: "documents-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let run = try beccaria(["certificate", "run", "--output", folder])
    #expect(run.status == 0, "\(run.stderr)")
    let serial = try #require(
      try cohort.connection.queryOne(
        "SELECT serial FROM certificate WHERE kind = 'zertifikat' AND status = 'valid' ORDER BY id DESC LIMIT 1")?.decode(
          "serial", as: String.self))
    let pdf = "\(folder)/\(serial.dropFirst(3).prefix(4))/\(serial).pdf"
    let pages = try Self.words(pdf)
    let words = try #require(pages.first)
    #expect(words.contains { $0.text == "Beccaria-Standards" }, "the compound broke: \(words.map(\.text))")
    #expect(Self.onOneLine("Projektarbeit: „Sicher im Quartier – Görlitz 2026“", in: words), "\(words.map(\.text))")
    let text = words.map(\.text).joined(separator: " ")
    for word in ["beccaria-fachkraft", "Version", "Schlüssel", "k-"] {
      #expect(!text.contains(word), "the footer shows \"\(word)\": \(text)")
    }
    #expect(Self.onOneLine("digital signiert, prüfbar mit dem QR-Code", in: words))
    Self.expectNoOverlap(pages, serial)

    // Re-issued after a name change: it says what it replaces, on a line of its own.
    let person = try #require(
      try cohort.connection.queryOne("SELECT participant_id FROM certificate WHERE serial = \(serial)")?.decode(
        "participant_id", as: Int64.self))
    #expect(
      try beccaria(["participant", "rename", String(person), "--family-name", "Neumann", "--reason", "Heirat"]).status == 0)
    let reissue = try beccaria(["certificate", "reissue", serial, "--reason", "Heirat", "--output", folder])
    #expect(reissue.status == 0, "\(reissue.stderr)")
    let replacement = try #require(
      try cohort.connection.queryOne(
        "SELECT serial, snapshot->'replaces'->>'serial' AS replaced FROM certificate WHERE supersedes IS NOT NULL")?.decode(
          "serial", as: String.self))
    let newPages = try Self.words("\(folder)/\(replacement.dropFirst(3).prefix(4))/\(replacement).pdf")
    let issuedOn = CalendarDate.today().german
    #expect(
      Self.onOneLine("Ersetzt das Zertifikat \(serial) vom \(issuedOn).", in: newPages.first ?? []),
      "\(newPages.first?.map(\.text) ?? [])")
    #expect(Self.onOneLine("Projektarbeit: „Sicher im Quartier – Görlitz 2026“", in: newPages.first ?? []))
    Self.expectNoOverlap(newPages, replacement)
    // The database takes a replacement only with exactly that note.
    let forged = try cohort.connection.queryOne(
      """
      SELECT count(*)::integer AS n FROM certificate
      WHERE serial = \(replacement) AND snapshot->'replaces' = jsonb_build_object('serial', \(serial), 'issuedOn', \(CalendarDate.today().description))
      """)?.decode("n", as: Int.self)
    #expect(forged == 1)
  }

  @Test func aTeilnahmebescheinigungKeepsItsQuotedTitleOnOneLine() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    try Fixtures.programmeAndMunicipalities(try database.database().connect())
    let pdf = FileManager.default.temporaryDirectory.appending(path: "muster-\(UUID().uuidString).pdf").path
    defer { try? FileManager.default.removeItem(atPath: pdf) }
    let preview = try Beccaria.run(
      ["certificate", "preview", "--kind", "teilnahmebescheinigung", "--name", "Hańža Šołćina", "--output", pdf],
      database: database)
    #expect(preview.status == 0, "\(preview.stderr)")
    let pages = try Self.words(pdf)
    #expect(Self.onOneLine("„Fachkraft für Kriminalprävention“", in: pages.first ?? []), "\(pages.first?.map(\.text) ?? [])")
    #expect(pages.first?.contains { $0.text == "Beccaria-Qualifizierung" } == true)
    Self.expectNoOverlap(pages, "Teilnahmebescheinigung")
  }

  @Test func theSheetsHeadingStaysInItsRowAndAbbreviationsOnOneLine() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    try fixture.connection.execute(
      "UPDATE participant SET organisation = 'Förderverein für Prävention und Zivilcourage Oberlausitz e. V.'")
    let pdf = FileManager.default.temporaryDirectory.appending(path: "sheet-\(UUID().uuidString).pdf").path
    defer { try? FileManager.default.removeItem(atPath: pdf) }
    #expect(
      try Beccaria.run(
        ["attendance", "sheet", "--session", String(fixture.module1[0].rawValue), "--output", pdf], database: fixture.database
      ).status == 0)
    let pages = try Self.words(pdf)
    let words = try #require(pages.first)
    // "UE (≤ 8)" on one line, above row 1.
    #expect(Self.onOneLine("UE (≤ 8)", in: words), "\(words.map(\.text))")
    let heading = try #require(words.first { $0.text == "UE" })
    let firstRow = try #require(words.first { $0.text == "1" && $0.yMin > heading.yMin })
    #expect(heading.yMax < firstRow.yMin)
    // "e. V." is never split between lines.
    for (index, word) in words.enumerated() where word.text == "e." {
      #expect(index + 1 < words.count && words[index + 1].text == "V." && abs(words[index + 1].yMin - word.yMin) < 1)
    }
    Self.expectNoOverlap(pages, "sheet")
  }
}

/// What the first trial of the week found, each kept as a test.
@Suite struct OfficeWeekTrialTests {
  @Test func queuedMailFollowsANewAddressAndARevokedCertificatesMailIsCancelled() throws {
    let cohort = try CertifiedCohort(count: 2)
    defer { cohort.database.drop() }
    let issued = try cohort.run(output: nil).issued
    let first = try #require(issued.first)
    let second = try #require(issued.first { $0.participantID != first.participantID })
    func message(_ certificate: String) throws -> (recipient: String, status: String)? {
      try cohort.connection.queryOne(
        """
        SELECT m.recipient, m.status FROM mail_message m JOIN certificate c ON c.id = m.certificate_id
        WHERE c.serial = \(certificate)
        """
      ).map { (try $0.decode("recipient"), try $0.decode("status")) }
    }
    #expect(try message(first.serial)?.status == "queued")
    let update = try Beccaria.run(
      ["participant", "update", String(first.participantID.rawValue), "--email", "neue.adresse@example.org"],
      database: cohort.database)
    #expect(update.status == 0, "\(update.stderr)")
    #expect(try message(first.serial)?.recipient == "neue.adresse@example.org")
    let revoke = try Beccaria.run(
      ["certificate", "revoke", second.serial, "--reason", "Irrtum", "--yes"], database: cohort.database,
      environment: cohort.environment)
    #expect(revoke.status == 0, "\(revoke.stderr)")
    #expect(try message(second.serial)?.status == "cancelled")
  }

  @Test func aTrainersRefusedSheetLeavesNoFile() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    // A session of the trainer's cohort that is not theirs: readable, but not theirs to print.
    let other = try SessionStore(fixture.owner).add([
      NewSession(
        courseCode: CertifiedCohort.course, module: 2, day: CalendarDate.today().adding(days: -3), start: 540, end: 900,
        ue: 8, location: nil, trainerEmails: [])
    ])[0]
    let pdf = FileManager.default.temporaryDirectory.appending(path: "refused-\(UUID().uuidString).pdf").path
    let refused = try fixture.beccaria(
      fixture.trainerA, ["attendance", "sheet", "--session", String(other.rawValue), "--output", pdf])
    #expect(refused.stderr.contains("session \(other) is not one of your sessions"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: pdf))
  }

  @Test func anAssessmentFileIsCheckedWholeAndNotRecordedTwice() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let p = fixture.participants.map { String($0.rawValue) }
    let bad = try PDFTools.temporaryFile(
      Data("participant;result;date\n\(p[0]);vielleicht;\n99999;passed;\n\(p[1]);passed;01.01.2099\n".utf8), suffix: ".csv")
    let refused = try Beccaria.run(
      ["assessment", "import", bad, "--course", AttendanceFixture.course], database: fixture.database)
    for line in [2, 3, 4] { #expect(refused.stderr.contains("\(bad):\(line):"), "line \(line) not named: \(refused.stderr)") }
    let good = try PDFTools.temporaryFile(Data("participant;result\n\(p[0]);passed\n".utf8), suffix: ".csv")
    #expect(
      try Beccaria.run(["assessment", "import", good, "--course", AttendanceFixture.course], database: fixture.database).status
        == 0)
    let again = try Beccaria.run(
      ["assessment", "import", good, "--course", AttendanceFixture.course], database: fixture.database)
    #expect(again.stderr.contains("\(good):2: this result is recorded already"), "\(again.stderr)")
    #expect(try fixture.connection.queryOne("SELECT count(*)::integer AS n FROM assessment")?.decode("n", as: Int.self) == 1)
  }

  @Test func aCancelledCohortCancelsWhatIsToComeAndEndsItsEnrolments() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    try fixture.record(fixture.module1[0], fixture.participants[0], .present)
    let noReason = try Beccaria.run(
      ["course", "update", AttendanceFixture.course, "--status", "cancelled"], database: fixture.database)
    #expect(noReason.stderr.contains("--status cancelled needs --reason"))
    let cancelled = try Beccaria.run(
      ["course", "update", AttendanceFixture.course, "--status", "cancelled", "--reason", "zu wenige Anmeldungen"],
      database: fixture.database)
    #expect(cancelled.status == 0, "\(cancelled.stderr)")
    #expect(cancelled.stdout.contains("Cancelled 2 sessions still to come and ended 2 enrolments."), "\(cancelled.stdout)")
    let left = try fixture.connection.queryOne(
      """
      SELECT (SELECT count(*)::integer FROM session WHERE day >= CURRENT_DATE) AS future,
             (SELECT count(*)::integer FROM session) AS sessions,
             (SELECT count(*)::integer FROM enrolment WHERE status = 'enrolled') AS enrolled,
             (SELECT count(*)::integer FROM attendance) AS attendance
      """)
    #expect(try left?.decode("future", as: Int.self) == 0)
    #expect(try left?.decode("sessions", as: Int.self) == 6)
    #expect(try left?.decode("enrolled", as: Int.self) == 0)
    #expect(try left?.decode("attendance", as: Int.self) == 1)
  }

  @Test func theAuditLogNamesAnUnknownTable() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let log = try fixture.beccaria(fixture.auditor, ["audit", "log", "--table", "sessions"])
    #expect(log.status != 0)
    #expect(log.stderr.contains("there is no table sessions"), "\(log.stderr)")
  }
}

/// What the attack on the week found, each kept as a test.
@Suite struct OfficeWeekAttackTests {
  @Test func aTrainerCannotDecideWhomARowNames() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let people = fixture.cohort.people.map(\.rawValue)
    let session = fixture.ownSession
    // Another order than the roster's, a repeated person, and someone of another cohort: refused.
    for forged in [
      "ARRAY[\(people.reversed().map(String.init).joined(separator: ","))]",
      "ARRAY[\(people[0]),\(people[0])]", "ARRAY[999999]",
    ] {
      let result = try fixture.psql(
        fixture.trainerA,
        "SELECT export_file_record_sheet(\(session), 'vm', '/tmp/s.pdf', repeat('a', 64), \(forged)::bigint[]);")
      #expect(!result.succeeded, "\(forged) was taken")
      #expect(result.stderr.contains("does not list the roster of session \(session) as it is now"), "\(result.stderr)")
    }
    // Two sheets registered in one transaction are two sheets; the later one answers.
    let roster = try fixture.owner.query(
      """
      SELECT p.id FROM participant p WHERE p.id = ANY(\(PostgresArray(people)))
      ORDER BY p.family_name COLLATE german, p.given_names COLLATE german, p.id
      """
    ).map { try $0.decode("id", as: Int64.self) }
    let list = "ARRAY[\(roster.map(String.init).joined(separator: ","))]::bigint[]"
    let twice = try fixture.psql(
      fixture.trainerA,
      """
      BEGIN;
      SELECT export_file_record_sheet(\(session), 'vm', '/tmp/a.pdf', repeat('a', 64), \(list));
      SELECT export_file_record_sheet(\(session), 'vm', '/tmp/a.pdf', repeat('a', 64), \(list));
      COMMIT;
      """)
    #expect(twice.succeeded, "\(twice.stderr)")
    let row = try fixture.beccaria(
      fixture.trainerA, ["attendance", "record", "--session", String(session), "--row", "1", "--status", "present"])
    #expect(row.status == 0, "\(row.stderr)")
    #expect(row.stdout.contains("(\(roster[0])) at session \(session) (row 1 of its sheet)"), "\(row.stdout)")
  }

  @Test func aTrainerIsToldWhoIsNotOnTheRosterInASentence() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let stranger = try fixture.beccaria(
      fixture.trainerA,
      ["attendance", "record", "--session", String(fixture.ownSession), "--participant", "999999", "--status", "present"])
    #expect(
      stranger.stderr.contains("participant 999999 (on the roster of session \(fixture.ownSession)) does not exist"),
      "\(stranger.stderr)")
    let huge = try fixture.beccaria(
      fixture.trainerA,
      ["attendance", "record", "--session", String(fixture.ownSession), "--row", "3000000000", "--status", "present"])
    #expect(huge.stderr.contains("--row must be a row of the sheet"), "\(huge.stderr)")
  }
}

extension OfficeWeekAttackTests {
  @Test func noOfficeOrServiceLoginBecomesATrainersLogin() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    for login in [fixture.admin, fixture.issuer, fixture.auditor, fixture.verifier] {
      let linked = try fixture.beccaria(nil, ["trainer", "update", "a-\(fixture.suffix)@example.org", "--login", login])
      #expect(linked.status != 0)
      #expect(linked.stderr.contains("\(login) is a login of the office, a service or the owner"), "\(linked.stderr)")
    }
  }
}
