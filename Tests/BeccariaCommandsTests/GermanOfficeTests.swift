import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import TestSupport
import Testing

/// The same commands under LANG=de_DE.UTF-8 and LANG=C.UTF-8: German words, days as TT.MM.JJJJ,
/// decimal commas and Berlin time for a German reader, English and ISO otherwise, and the
/// machine formats (CSV, JSON) identical in both.
@Suite(.serialized) struct GermanOfficeTests {
  static let german = ["LANG": "de_DE.UTF-8"]
  static let english = ["LANG": "C.UTF-8"]

  /// A cohort whose first module has one late arrival (4.5 of 8 UE): 28.5 of 32 UE, 89.0625 %.
  func fixture() throws -> AttendanceFixture {
    let fixture = try AttendanceFixture(participants: 2)
    for session in fixture.module1 {
      try fixture.record(session, fixture.participants[0], .present)
      try fixture.record(
        session, fixture.participants[1], session == fixture.module1[0] ? .late : .present,
        ue: session == fixture.module1[0] ? Decimal(string: "4.5") : nil)
    }
    return fixture
  }

  func both(_ arguments: [String], _ database: TestDatabase? = nil, stdin: String? = nil) throws -> (
    de: CommandResult, en: CommandResult
  ) {
    (
      try Beccaria.run(arguments, database: database, stdin: stdin, environment: Self.german),
      try Beccaria.run(arguments, database: database, stdin: stdin, environment: Self.english)
    )
  }

  func file(_ text: String) throws -> String {
    try PDFTools.temporaryFile(Data(text.utf8), suffix: ".csv")
  }

  @Test func tablesWriteDaysNumbersAndWordsAsTheReaderReads() throws {
    let fixture = try fixture()
    defer { fixture.database.drop() }
    let report = try both(["attendance", "report", "--course", AttendanceFixture.course], fixture.database)
    #expect(report.de.stdout.contains("28,5/32 89,1 %"), "\(report.de.stdout)")
    #expect(report.en.stdout.contains("28.5/32 89.1 %"), "\(report.en.stdout)")
    #expect(report.de.stdout.contains("Schwelle 80 % der geplanten UE jedes Moduls"))
    #expect(report.de.stdout.contains("✓ anwesend  ½ verspätet/teilweise"))
    #expect(report.en.stdout.contains("✓ present  ½ late/partial"))

    let session = String(fixture.module1[0].rawValue)
    let roster = try both(["attendance", "roster", "--session", session], fixture.database)
    #expect(roster.de.stdout.contains("NR.") && roster.de.stdout.contains("verspätet") && roster.de.stdout.contains("4,5"))
    #expect(roster.en.stdout.contains("ID") && roster.en.stdout.contains("late") && roster.en.stdout.contains("4.5"))
    #expect(!roster.de.stdout.contains(" late "))

    let day = try #require(
      try fixture.connection.queryOne("SELECT day FROM session WHERE id = \(fixture.module1[0].rawValue)")?.decode(
        "day", as: CalendarDate.self))
    let sessions = try both(["session", "list", "--course", AttendanceFixture.course], fixture.database)
    #expect(sessions.de.stdout.contains(day.german) && !sessions.de.stdout.contains(day.description))
    #expect(sessions.en.stdout.contains(day.description) && !sessions.en.stdout.contains(day.german))
    #expect(sessions.de.stdout.hasPrefix("NR.  DATUM"))
    #expect(sessions.en.stdout.hasPrefix("ID  DATE"))
  }

  @Test func machineFormatsAreTheSameInEveryLanguage() throws {
    let fixture = try fixture()
    defer { fixture.database.drop() }
    let session = String(fixture.module1[0].rawValue)
    for arguments in [
      ["participant", "list"], ["session", "list", "--course", AttendanceFixture.course],
      ["attendance", "roster", "--session", session], ["enrolment", "list", "--course", AttendanceFixture.course],
      ["attendance", "report", "--course", AttendanceFixture.course], ["report", "municipalities"],
      ["report", "at-risk", "--course", AttendanceFixture.course], ["course", "list"], ["trainer", "list"],
    ] {
      for format in ["csv", "json"] {
        let run = try both(arguments + ["--format", format], fixture.database)
        #expect(run.de.status == 0 && run.de.stdout == run.en.stdout, "\(arguments) \(format) differs by language")
      }
    }
    let csv = try Beccaria.run(
      ["session", "list", "--course", AttendanceFixture.course, "--format", "csv"], database: fixture.database,
      environment: Self.german)
    // ISO days and English keys: the interface for scripts.
    #expect(csv.stdout.hasPrefix("ID,DATE,TIME,MODULE,UE,TRAINERS,LOCATION\r\n"), "\(csv.stdout)")
    #expect(csv.stdout.range(of: #",\d{4}-\d{2}-\d{2},"#, options: .regularExpression) != nil)
    let roster = try Beccaria.run(
      ["attendance", "roster", "--session", session, "--format", "csv"], database: fixture.database, environment: Self.german)
    #expect(roster.stdout.contains(",late,4.5,"), "\(roster.stdout)")
  }

  /// JSON that carries sentences (a verifier's explanation, what a participant still needs, the
  /// audit chain's verdict) carries them in English in every language; a table has the reader's.
  @Test func sentencesInsideJSONAreTheSameInEveryLanguage() throws {
    let fixture = try fixture()
    defer { fixture.database.drop() }
    let participant = String(fixture.participants[1].rawValue)
    for arguments in [
      ["participant", "show", participant], ["audit", "verify"], ["certificate", "verify", "BQ-2026-999999"],
      ["retention", "apply", "--dry-run"],
    ] {
      let run = try both(arguments + ["--format", "json"], fixture.database)
      #expect(run.de.stdout == run.en.stdout && !run.en.stdout.isEmpty, "\(arguments): JSON differs by language")
      #expect(run.de.status == run.en.status, "\(arguments)")
    }
    let unknown = try both(["certificate", "verify", "BQ-2026-999999", "--format", "json"], fixture.database)
    #expect(unknown.de.status == 5 && unknown.de.stdout.contains("no certificate"), "\(unknown.de.stdout)")
    let table = try both(["certificate", "verify", "BQ-2026-999999"], fixture.database)
    #expect(table.en.stdout.contains("no certificate") && !table.de.stdout.contains("no certificate"), "\(table.de.stdout)")
  }

  /// A rule the schema enforces (a trigger's RAISE) refuses in the reader's language, its values
  /// kept and its days written as the reader writes them.
  @Test func theDatabasesRefusalsReachAGermanReaderInGerman() throws {
    let fixture = try fixture()
    defer { fixture.database.drop() }
    let first = try #require(fixture.module1.first)
    let sessions = try Beccaria.run(
      ["session", "list", "--course", AttendanceFixture.course, "--format", "csv"], database: fixture.database)
    let row = try #require(sessions.stdout.split(separator: "\r\n").first { $0.hasPrefix("\(first.rawValue),") })
    let day = try #require(CalendarDate(iso: row.split(separator: ",")[1]))
    let refused = try both(["course", "update", AttendanceFixture.course, "--ends", day.description], fixture.database)
    #expect(refused.en.status != 0 && refused.de.status == refused.en.status)
    #expect(
      refused.en.stderr.contains("session(s) outside") && refused.en.stderr.contains(day.description), "\(refused.en.stderr)")
    #expect(
      refused.de.stderr.hasPrefix("Fehler: ") && !refused.de.stderr.contains("outside") && refused.de.stderr.contains(day.german)
        && !refused.de.stderr.contains(day.description), "\(refused.de.stderr)")
  }

  @Test func importsAnswerInTheReadersLanguageNamingTheFilesOwnHeader() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    let bad = try file("Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde\nKühn;Käthe;31.02.1984;k@example.org;Bautzen\n")
    let refused = try both(["participant", "import", bad], database)
    #expect(
      refused.de.stderr
        == "Fehler: \(bad):2: Spalte „Geburtsdatum“: „31.02.1984“ ist kein Tag des Kalenders (Tag und Monat prüfen)\n"
        + "Nichts wurde importiert (1 Problem).\n", "\(refused.de.stderr)")
    #expect(
      refused.en.stderr
        == "Error: \(bad):2: column \"Geburtsdatum\": \"31.02.1984\" is no day of the calendar (check day and month)\n"
        + "Nothing was imported (1 problem).\n", "\(refused.en.stderr)")
    let good = try file("Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde\nKühn;Käthe;28.02.1984;k@example.org;Bautzen\n")
    let done = try Beccaria.run(["participant", "import", good], database: database, environment: Self.german)
    #expect(done.stdout.hasPrefix("\(good) importiert: 1 neue Person (Nummer "), "\(done.stdout)")
    let date = try Beccaria.run(
      [
        "participant", "add", "--family-name", "A", "--given-names", "B", "--birth-date", "13.1984", "--email",
        "a@example.org",
        "--municipality", "14625020",
      ], database: database, environment: Self.german)
    #expect(date.stderr.contains("„13.1984“ ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT verwenden)"), "\(date.stderr)")
  }

  @Test func logLinesCarryTheReadersLocalTime() throws {
    let fixture = try fixture()
    defer { fixture.database.drop() }
    let path = try file(
      "session;participant;status\n\(fixture.module2[0].rawValue);\(fixture.participants[0].rawValue);present\n")
    var berlin = Calendar(identifier: .gregorian)
    berlin.timeZone = .berlin
    let before = String(format: "%02d", berlin.component(.hour, from: Date()))
    let run = try both(["attendance", "import", path], fixture.database)
    let after = String(format: "%02d", berlin.component(.hour, from: Date()))
    let germanLine = try #require(run.de.stderr.split(separator: "\n").first.map(String.init))
    let englishLine = try #require(run.en.stderr.split(separator: "\n").first.map(String.init))
    #expect(
      germanLine.range(of: #"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2} Import von .*: begonnen$"#, options: .regularExpression)
        != nil,
      "\(germanLine)")
    #expect(
      englishLine.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} importing .*: started$"#, options: .regularExpression) != nil,
      "\(englishLine)")
    // Berlin time, not UTC: the hour a German reader's clock shows.
    let hour = String(germanLine.dropFirst(11).prefix(2))
    #expect(hour == before || hour == after, "\(germanLine) (Berlin: \(before)…\(after))")
    #expect(run.de.stdout == "1 Zeile für 1 Termin importiert: 1 neu, 0 berichtigt, 0 unverändert.\n", "\(run.de.stdout)")
  }

  @Test func helpAndTheParsersOwnWordsAreGerman() throws {
    let root = try both(["--help"])
    #expect(root.de.stdout.contains("ÜBERSICHT: Verwaltung von Qualifizierung und Zertifikaten des Beccaria-Programms"))
    #expect(root.de.stdout.contains("UNTERBEFEHLE:") && root.de.stdout.contains("OPTIONEN:"))
    #expect(root.en.stdout.contains("OVERVIEW: Training and certification manager") && root.en.stdout.contains("SUBCOMMANDS:"))
    let wrong = try both(["participant", "list", "--no-such-option"])
    #expect(wrong.de.stderr.hasPrefix("Fehler: Unbekannte Option '--no-such-option'"), "\(wrong.de.stderr)")
    #expect(wrong.en.stderr.hasPrefix("Error: Unknown option '--no-such-option'"), "\(wrong.en.stderr)")
    let xlsx = try both(["participant", "list", "--format", "xlsx"])
    #expect(xlsx.de.stderr.contains("--format xlsx schreibt eine Arbeitsmappe: bitte --output DATEI.xlsx angeben."))
    #expect(xlsx.en.stderr.contains("--format xlsx writes a workbook: give --output FILE.xlsx."))
  }

  @Test func everyCommandsHelpIsGermanForAGermanReader() throws {
    let commands = try HelpAndConventionsTests.leafCommands()
    #expect(commands.count > 60)
    for command in commands {
      let help = try both(command + ["--help"])
      let german = help.de.stdout.split(separator: "\n").first.map(String.init) ?? ""
      let english = help.en.stdout.split(separator: "\n").first.map(String.init) ?? ""
      #expect(german.hasPrefix("ÜBERSICHT: ") && english.hasPrefix("OVERVIEW: "), "\(command)")
      #expect(german.dropFirst(11) != english.dropFirst(10), "\(command): \(german)")
      #expect(help.de.stdout.contains("OPTIONEN:") && help.de.stdout.contains("Hilfe anzeigen."), "\(command)")
      // And the rest of it: no English sentence of the help (an option's help, the discussion)
      // is left in the German one. Example command lines are the same in both.
      // An option's line is compared by its help, after the gap that follows the option's name.
      func prose(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
          let line = raw.trimmingCharacters(in: .whitespaces)
          guard line.hasPrefix("-") else { return line }
          return line.range(of: "  ").map { line[$0.upperBound...].trimmingCharacters(in: .whitespaces) }
        }
      }
      let germanLines = Set(prose(help.de.stdout))
      // A sentence has English's little words; a list of values ("sent, failed, bounced") or a
      // path is the same in both languages, and so is an example's command line.
      let little: Set<Substring> = [
        "the", "a", "an", "of", "to", "is", "are", "and", "or", "in", "for", "with", "not", "by", "on", "it",
      ]
      // An example's lines (after "Example:", up to the next blank line) are commands.
      var inExample = false
      let described = prose(help.en.stdout).filter { line in
        if line.hasPrefix("Example") { inExample = true } else if line.isEmpty { inExample = false }
        return !inExample
      }
      let untranslated = described.filter { line in
        let words = line.lowercased().split(whereSeparator: { !$0.isLetter })
        return words.count >= 3 && words.contains(where: little.contains) && !line.contains("beccaria ")
          && !line.hasSuffix("\\") && germanLines.contains(line)
      }
      #expect(untranslated.isEmpty, "\(command): English in the German help:\n\(untranslated.joined(separator: "\n"))")
    }
  }

  @Test func gettextsVariablesDecideAsTheyDoForPsql() throws {
    // LANGUAGE wins over LANG, but not in the C locale; LC_ALL wins over LANG.
    let cases: [([String: String], Bool)] = [
      (["LANG": "en_US.UTF-8", "LANGUAGE": "de"], true), (["LANG": "C.UTF-8", "LANGUAGE": "de"], false),
      (["LANG": "de_DE.UTF-8", "LC_ALL": "C.UTF-8"], false), (["LANG": "C.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"], true),
    ]
    for (environment, german) in cases {
      let run = try Beccaria.run(["participant", "list", "--format", "xlsx"], environment: environment)
      #expect(run.stderr.contains("schreibt eine Arbeitsmappe") == german, "\(environment): \(run.stderr)")
    }
  }
}
