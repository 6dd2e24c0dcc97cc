import BeccariaCore
import BeccariaStore
import Foundation
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
        "Recorded 2 participants present at session \(session), 8 UE each; left out: Test Person1 (\(absent)); 1 recorded before, left as it was."
      ), "\(result.stdout)")
    let stored = try value(
      fixture.connection,
      "SELECT string_agg(participant_id || ':' || status || ':' || trim_scale(ue_attended), ',' ORDER BY participant_id) AS v FROM attendance"
    )
    let p = fixture.participants.map(\.rawValue)
    #expect(stored == "\(p[0]):present:8,\(p[2]):present:8,\(p[3]):excused:0")
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
      "\(bad):4: column \"participant\": there is no participant 999999",
      "\(bad):5: column \"modules\": the programme of cohort BQ-LIST-1 has no module 7",
      "\(bad):6: column \"participant\": participant \(p[0]) is enrolled in BQ-LIST-1 by line 2 already",
      "\(bad):7: column \"participant\": no participant has the e-mail nobody@example.org",
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
    #expect(refused.stderr.contains("\(bad):3: column \"result\": \"vielleicht\" is not passed or failed"), "\(refused.stderr)")
    #expect(refused.stderr.contains("\(bad):5: column \"date\":"))
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
    #expect(
      ended.stdout.contains("The waiting list is closed; no longer waiting: Test Warte1 (\(extra[1]))."),
      "\(ended.stdout)\(ended.stderr)")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM enrolment WHERE status = 'waiting'") == 0)
  }
}
