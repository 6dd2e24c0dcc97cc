import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

@Suite struct AttendanceCommandTests {
  func write(_ text: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appending(path: "attendance-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: url)
    return url.path
  }

  func count(_ fixture: AttendanceFixture) throws -> Int {
    try fixture.connection.queryOne("SELECT count(*) AS n FROM attendance")?.decode("n", as: Int.self) ?? -1
  }

  @Test func recordFromTheShell() throws {
    let fixture = try AttendanceFixture()
    defer { fixture.database.drop() }
    let session = String(fixture.module1[0].rawValue)
    let person = String(fixture.participants[0].rawValue)
    let first = try Beccaria.run(
      ["attendance", "record", "--session", session, "--participant", person, "--status", "late", "--ue", "6,5"],
      database: fixture.database)
    #expect(first.status == 0, "\(first.stderr)")
    let again = try Beccaria.run(
      ["attendance", "record", "--session", session, "--participant", person, "--status", "present"], database: fixture.database)
    #expect(again.status != 0)
    #expect(again.stderr.contains("a correction after the session's day needs --reason"))
    let corrected = try Beccaria.run(
      ["attendance", "record", "--session", session, "--participant", person, "--status", "present", "--reason", "Nachtrag"],
      database: fixture.database)
    #expect(corrected.stdout.contains("late, 6.5 UE → present, 8 UE"), "\(corrected.stdout)\(corrected.stderr)")
    let bad = try Beccaria.run(
      ["attendance", "record", "--session", session, "--participant", person, "--status", "maybe"], database: fixture.database)
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("--status must be present, late, excused or absent"))
  }

  @Test func importCoversSeveralSessionsAndIsIdempotent() throws {
    let fixture = try AttendanceFixture(participants: 3)
    defer { fixture.database.drop() }
    let p = fixture.participants.map { String($0.rawValue) }
    let s = (fixture.module1 + fixture.module2).map { String($0.rawValue) }
    let email = try #require(
      try fixture.connection.queryOne("SELECT email FROM participant WHERE id = \(fixture.participants[1].rawValue)")?
        .decode("email", as: String.self))
    let path = try write(
      """
      session;participant;status;ue
      \(s[0]);\(p[0]);present;
      \(s[0]);\(email.uppercased());late;5,5
      \(s[0]);\(p[2]);entschuldigt;
      \(s[1]);\(p[0]);absent;0
      \(s[4]);\(p[0]);present;

      """)
    let first = try Beccaria.run(["attendance", "import", path], database: fixture.database)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout == "Imported 5 rows for 3 sessions: 5 new, 0 corrected, 0 unchanged.\n")
    let second = try Beccaria.run(["attendance", "import", path], database: fixture.database)
    #expect(second.stdout == "Imported 5 rows for 3 sessions: 0 new, 0 corrected, 5 unchanged — nothing changed.\n")
    #expect(try count(fixture) == 5)
    let late = try #require(
      try fixture.connection.queryOne(
        "SELECT status, ue_attended FROM attendance WHERE participant_id = \(fixture.participants[1].rawValue)"))
    #expect(try late.decode("status", as: String.self) == "late")
    #expect(try late.decode("ue_attended", as: Decimal.self) == Decimal(string: "5.5"))
    let audit = try fixture.connection.queryOne("SELECT count(*) AS n FROM audit_log WHERE table_name = 'attendance'")?.decode(
      "n", as: Int.self)
    #expect(audit == 5)
  }

  @Test func oneBadRowAmongTenThousandWritesNothingAndNamesTheLine() throws {
    let fixture = try AttendanceFixture(participants: 500, capacity: 500)
    defer { fixture.database.drop() }
    let today = CalendarDate.today()
    let sessions = try SessionStore(fixture.connection).add(
      (0..<20).map { day in
        NewSession(
          courseCode: AttendanceFixture.course, module: 3, day: today.adding(days: -200 + day), start: 540, end: 945, ue: 8,
          location: nil, trainerEmails: [])
      })
    var text = "session,participant,status,ue\n"
    var line = 1
    var badLine = 0
    for person in fixture.participants {
      for session in sessions {
        line += 1
        if line == 7321 {
          text += "\(session.rawValue),\(person.rawValue),present,12\n"
          badLine = line
        } else {
          text += "\(session.rawValue),\(person.rawValue),\(line % 7 == 0 ? "absent" : "present"),\n"
        }
      }
    }
    #expect(line == 10_001)
    let path = try write(text)
    let result = try Beccaria.run(["attendance", "import", path], database: fixture.database)
    #expect(result.status != 0)
    #expect(
      result.stderr.contains("\(path):\(badLine): column \"ue\": 12 UE is more than the 8 UE of session"), "\(result.stderr)")
    #expect(result.stderr.contains("Nothing was imported (1 problem)."))
    #expect(try count(fixture) == 0)
    let fixed = try write(text.replacingOccurrences(of: ",present,12\n", with: ",present,8\n"))
    let good = try Beccaria.run(["attendance", "import", fixed], database: fixture.database)
    #expect(good.status == 0, "\(good.stderr)")
    #expect(try count(fixture) == 10_000)
  }

  @Test func importProblemsAreReportedPerLine() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let stranger = try #require(try Fixtures.participants(fixture.connection, count: 1, prefix: "Fremd").first)
    let s = fixture.module1.map { String($0.rawValue) }
    let future = String(fixture.module2[3].rawValue)
    let p = fixture.participants.map { String($0.rawValue) }
    let path = try write(
      """
      session,participant,status,ue
      \(s[0]),\(p[0]),present,
      9999,\(p[0]),present,
      \(s[0]),nobody@example.org,present,
      \(s[1]),\(p[0]),vielleicht,
      \(future),\(p[0]),present,
      \(s[1]),\(stranger.rawValue),present,
      \(s[0]),\(p[0]),absent,
      \(s[2]),\(p[1]),late,
      \(s[2]),Shared@Example.org,present,

      """)
    let (first, second) = (fixture.participants[0].rawValue, stranger.rawValue)
    try fixture.connection.execute("UPDATE participant SET email = 'shared@example.org' WHERE id IN (\(first), \(second))")
    let result = try Beccaria.run(["attendance", "import", path], database: fixture.database)
    let expected = [
      "\(path):3: column \"session\": there is no session 9999",
      "\(path):4: column \"participant\": there is no participant nobody@example.org",
      "\(path):5: column \"status\": \"vielleicht\" is not one of present, late, excused, absent",
      "\(path):6: column \"session\": session \(future) on",
      "\(path):7: column \"participant\": participant \(stranger.rawValue) is not enrolled for module 1",
      "\(path):8: repeats session \(s[0]) and participant \(p[0]) of line 2",
      "\(path):9: column \"ue\": late needs the UE actually attended",
      "\(path):10: column \"participant\": Shared@Example.org belongs to 2 participants; use the participant number",
    ]
    for line in expected { #expect(result.stderr.contains(line), "missing \(line)\n\(result.stderr)") }
    #expect(try count(fixture) == 0)
    let broken = try write("session,participant,status,ue\n\(s[0]),\(p[0]),present\n\(s[0]),\"\(p[1]),present,\n")
    let structural = try Beccaria.run(["attendance", "import", broken], database: fixture.database)
    #expect(structural.stderr.contains("\(broken):2: has 3 fields, but the header has 4 columns"))
    #expect(structural.stderr.contains("\(broken):3: a quoted field opened on this line is never closed"))
  }

  /// An error found by COPY itself (here: bytes that are not UTF-8) names the file's line, also
  /// after a note with a line break inside quotes and after blank lines, where the line and the
  /// record number part ways.
  @Test func copyErrorsNameTheLineAfterQuotedLineBreaksAndBlankLines() throws {
    let fixture = try AttendanceFixture(participants: 3)
    defer { fixture.database.drop() }
    let s = fixture.module1.map { String($0.rawValue) }
    let p = fixture.participants.map { String($0.rawValue) }
    var file = Data("session,participant,status,ue,note\n\(s[0]),\(p[0]),present,,\"erste Zeile\nzweite Zeile\"\n\n".utf8)
    file.append(Data("\(s[0]),\(p[1]),present,,\n\n\n\(s[0]),\(p[2]),present,,Stra".utf8))
    file.append(contentsOf: [0xDF, 0x65])  // "Straße" in Latin-1: not UTF-8
    file.append(Data("\n\(s[1]),\(p[0]),present,,\n".utf8))
    let url = FileManager.default.temporaryDirectory.appending(path: "attendance-\(UUID().uuidString).csv")
    try file.write(to: url)
    let result = try Beccaria.run(["attendance", "import", url.path], database: fixture.database)
    #expect(result.status == 1)
    // Header 1, a record on lines 2-3, blank 4, a record on 5, blanks 6-7, the bad record on 8.
    #expect(result.stderr.contains("\(url.path):8: "), "\(result.stderr)")
    #expect(result.stderr.contains("CSV UTF-8"), "\(result.stderr)")
    #expect(try count(fixture) == 0)
  }

  @Test func sheetShowsEveryNameAndNeverSplitsARow() throws {
    let fixture = try AttendanceFixture(participants: 57, capacity: 100)
    defer { fixture.database.drop() }
    let names: [(String, String)] = [("Wjeńka", "Měrćin"), ("Łukasiewicz-Ünal", "Zoë"), ("Nguyễn", "Thị Minh Khai")]
    for (family, given) in names {
      let id = try #require(
        try ParticipantStore(fixture.connection).add(
          [
            ParticipantDraft(
              familyName: family, givenNames: given, birthDate: CalendarDate(iso: "1985-05-05")!,
              email: "\(UUID().uuidString.prefix(8))@example.org", municipality: Fixtures.bautzen,
              organisation: "Stadt Bautzen – Ordnungsamt für Sicherheit, Prävention und Bürgerdienste", function: nil)
          ], force: false
        ).first)
      _ = try EnrolmentStore(fixture.connection).enrol(courseCode: AttendanceFixture.course, participant: id, modules: nil)
    }
    let output = FileManager.default.temporaryDirectory.appending(path: "sheet-\(UUID().uuidString).pdf").path
    let result = try Beccaria.run(
      ["attendance", "sheet", "--session", String(fixture.module1[0].rawValue), "--output", output], database: fixture.database)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("(60 participants)"))
    #expect(try PDFTools.run("qpdf", ["--check", output]).contains("No syntax or stream encoding errors"))
    let pages = try PDFTools.pages(output)
    #expect(pages.count >= 2)
    let all = pages.joined(separator: "\n")
    for (family, given) in names { #expect(all.contains("\(family), \(given)"), "missing \(family), \(given)") }
    let roster = try AttendanceStore(fixture.connection).roster(fixture.module1[0])
    #expect(roster.count == 60)
    // Each row's number, name and organisation sit on one page, and numbering runs on across pages.
    var seen = 0
    for page in pages {
      let numbers = page.split(whereSeparator: \.isNewline).compactMap { line in
        Int(line.split(separator: " ").first ?? "").flatMap { (1...60).contains($0) ? $0 : nil }
      }
      for (offset, entry) in roster.enumerated() where page.contains("\(entry.familyName), \(entry.givenNames)") {
        #expect(numbers.contains(offset + 1), "row \(offset + 1) split from its number")
        // Its first words (the column wraps the rest).
        if let organisation = entry.organisation {
          #expect(page.contains(organisation.split(separator: " ").prefix(2).joined(separator: " ")))
        }
        seen += 1
      }
    }
    #expect(seen == 60)
    #expect(try PDFTools.fontsEmbedded(output))
    let qr = try PDFTools.qrCodes(output, page: 2)
    #expect(qr == ["BECCARIA-SESSION:\(fixture.module1[0].rawValue)"])
  }

  @Test func reportAndEarlyWarning() throws {
    let fixture = try AttendanceFixture(participants: 4)
    defer { fixture.database.drop() }
    let p = fixture.participants
    // p0 attends everything of module 1 (32/32); p1 misses one session (24/32: cannot pass);
    // p2 is late once, with 2 of 8 UE attended: 8+8+8+2 = 26, just above the 25.6 needed (UE are
    // recorded in half steps, so exactly 80 % of 32 cannot be reached).
    for session in fixture.module1 { try fixture.record(session, p[0], .present) }
    for session in fixture.module1.prefix(3) { try fixture.record(session, p[1], .present) }
    try fixture.record(fixture.module1[3], p[1], .absent)
    for session in fixture.module1.prefix(3) { try fixture.record(session, p[2], .present) }
    try fixture.record(fixture.module1[3], p[2], .late, ue: 2)
    // p0 and p2 attended module 2's past days (past days without a record count as not attended)
    for person in [p[0], p[2]] { for session in fixture.module2.prefix(2) { try fixture.record(session, person, .present) } }
    // Module 2: p3 was excused on both past days (excused does not count): 16 open, 0 attended.
    try fixture.record(fixture.module2[0], p[3], .excused)
    try fixture.record(fixture.module2[1], p[3], .excused)
    // p1 misses one of module 2's past days: 8 lost, 24 reachable... is unreachable (needs 25.6).
    try fixture.record(fixture.module2[0], p[1], .present)
    try fixture.record(fixture.module2[1], p[1], .late, ue: 6)
    let json = try Beccaria.run(
      ["report", "at-risk", "--course", AttendanceFixture.course, "--format", "json"], database: fixture.database)
    #expect(json.status == 0, "\(json.stderr)")
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    let findings = Set(
      entries.map { "\($0["participant_id"] as? Int ?? 0):\($0["module"] as? Int ?? 0):\($0["risk"] as? String ?? "")" })
    let id = p.map { Int($0.rawValue) }
    #expect(
      findings == [
        "\(id[1]):1:cannot-pass", "\(id[3]):2:cannot-pass", "\(id[1]):2:one-miss-from-failing",
        // p3 has no record of module 1's four past days: none of them counts as reachable.
        "\(id[3]):1:cannot-pass",
      ])
    let table = try Beccaria.run(["report", "at-risk", "--course", AttendanceFixture.course], database: fixture.database)
    #expect(
      table.stdout.contains(
        "cannot pass module 1 in this cohort: needs 26 UE of 32, at most 24 reachable; no later cohort offers module 1 yet"))
    #expect(
      table.stdout.contains(
        "module 2 at risk: needs 26 UE of 32, at most 30 reachable; missing one more session (8 UE) would make it unreachable"))

    // The later cohort whose module 1 comes first is suggested (not the one opened first), then
    // booked; once made up, the warning goes.
    try Fixtures.course(fixture.connection, code: "BQ-SN-2028-1")
    _ = try SessionStore(fixture.connection).add([
      NewSession(
        courseCode: "BQ-SN-2028-1", module: 1, day: CalendarDate.today().adding(days: 30), start: 540, end: 945, ue: 8,
        location: nil, trainerEmails: [])
    ])
    try Fixtures.course(fixture.connection, code: "BQ-SN-2027-1")
    let later = try SessionStore(fixture.connection).add([
      NewSession(
        courseCode: "BQ-SN-2027-1", module: 1, day: CalendarDate.today().adding(days: -2), start: 540, end: 945, ue: 8,
        location: nil, trainerEmails: [])
    ])
    let suggested = try Beccaria.run(["report", "at-risk", "--course", AttendanceFixture.course], database: fixture.database)
    #expect(suggested.stdout.contains("at most 24 reachable; make-up in BQ-SN-2027-1"))
    _ = try EnrolmentStore(fixture.connection).enrol(courseCode: "BQ-SN-2027-1", participant: p[1], modules: [1])
    let booked = try Beccaria.run(["report", "at-risk", "--course", AttendanceFixture.course], database: fixture.database)
    #expect(booked.stdout.contains("make-up booked in BQ-SN-2027-1"))
    try fixture.record(later[0], p[1], .present)
    for command in [["report", "at-risk"], ["attendance", "report"]] {
      let unknown = try Beccaria.run(command + ["--course", "BQ-XX-1999-9"], database: fixture.database)
      #expect(unknown.status == 1 && unknown.stderr.contains("cohort BQ-XX-1999-9 does not exist"), "\(unknown.stderr)")
    }
    let madeUp = try Beccaria.run(["report", "at-risk", "--format", "json"], database: fixture.database)
    let remaining = try #require(try JSONSerialization.jsonObject(with: Data(madeUp.stdout.utf8)) as? [[String: Any]])
    #expect(!remaining.contains { $0["participant_id"] as? Int == id[1] && $0["module"] as? Int == 1 })

    // The matrix: shares over all planned UE.
    let matrix = try Beccaria.run(
      ["attendance", "report", "--course", AttendanceFixture.course, "--format", "json"], database: fixture.database)
    let report = try #require(try JSONSerialization.jsonObject(with: Data(matrix.stdout.utf8)) as? [String: Any])
    let lines = try #require(report["participants"] as? [[String: Any]])
    let exact = try #require(lines.first { $0["participant_id"] as? Int == id[2] })
    let module1 = try #require((exact["modules"] as? [[String: Any]])?.first { $0["module"] as? Int == 1 })
    #expect(module1["threshold_met"] as? Bool == true)
    #expect(module1["planned_ue"] as? Int == 32)
    let csv = try Beccaria.run(
      ["attendance", "report", "--course", AttendanceFixture.course, "--format", "csv"], database: fixture.database)
    #expect(csv.stdout.contains(",present:8,present:8,present:8,late:2,"))
    let text = try Beccaria.run(["attendance", "report", "--course", AttendanceFixture.course], database: fixture.database)
    #expect(text.stdout.contains("✓✓✓½"))
    // 81.25 % is shown half up, as a spreadsheet shows the same share.
    #expect(text.stdout.contains("26/32 81.3 % ✔"), "\(text.stdout)")
  }

  @Test func excusedAbsencesCountWhenTheProgrammeSaysSo() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    // Same fixture, but the cohort's programme version counts excused absences (a stored version
    // is frozen: the fixture changes it as its owner, behind the guard).
    try fixture.connection.transaction { db in
      try db.execute("ALTER TABLE programme_version DISABLE TRIGGER programme_version_frozen")
      try db.execute("UPDATE programme_version SET excused_counts = true")
      try db.execute("ALTER TABLE programme_version ENABLE TRIGGER programme_version_frozen")
    }
    let person = fixture.participants[0]
    for session in fixture.module1.prefix(3) { try fixture.record(session, person, .present) }
    try fixture.record(fixture.module1[3], person, .excused)
    let progress = try ParticipantStore(fixture.connection).progress(person)
    #expect(progress.first { $0.module == 1 }?.attendedUE == 32)
    #expect(progress.first { $0.module == 1 }?.thresholdMet == true)
    // Module 1 is met; module 2's two past days have no record, which the warning names.
    let findings = try ProgressReports(fixture.connection).atRisk(courseCode: nil)
    #expect(findings.map(\.module) == [2])
    #expect(findings.first?.pastUnrecordedSessions == 2)
  }
}
