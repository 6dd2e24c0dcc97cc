import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Every import reads what a German office's spreadsheet saves as CSV: German headers, rows of
/// only delimiters, empty unnamed columns at the end, Alt+Enter line breaks inside one-line cells,
/// an AGS whose leading zero the spreadsheet dropped, municipalities by name. Problems name the
/// file's own header.
@Suite(.serialized) struct ExcelInputTests {
  func file(_ text: String) throws -> String {
    // Excel writes CRLF and a byte order mark.
    try PDFTools.temporaryFile(
      Data([0xEF, 0xBB, 0xBF]) + Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8), suffix: ".csv")
  }

  func count(_ connection: Connection, _ sql: SQL) throws -> Int {
    try connection.queryOne(sql)?.decode("n", as: Int.self) ?? -1
  }

  @Test func municipalitiesFromASpreadsheet() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    let bad = try file(
      """
      Gemeindeschlüssel;Gemeinde;Landkreis;;
      14612000;Dresden;Dresden;;
      ;;;;
      1461200;Dresden;Dresden;;

      """)
    let refused = try Beccaria.run(["municipality", "import", bad], database: database)
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "\(bad):4: column \"Gemeindeschlüssel\": \"1461200\" has 7 digits; an AGS has 8 (a spreadsheet may have dropped its leading zero: 01461200?)"
      ), "\(refused.stderr)")
    #expect(refused.stderr.contains("Nothing was imported (1 problem)."), "\(refused.stderr)")
    // An unnamed column is ignored only while it is empty.
    let stray = try file("Gemeindeschlüssel;Gemeinde;Landkreis;;\n14625020;Bautzen;Bautzen;;x\n")
    let strayRefused = try Beccaria.run(["municipality", "import", stray], database: database)
    #expect(
      strayRefused.stderr.contains("\(stray):2: has a value after the last named column (3 columns in the header)"),
      "\(strayRefused.stderr)")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM municipality") == 0)

    let good = try file(
      """
      Gemeindeschlüssel;Gemeinde;Landkreis;;
      14612000;Dresden;Dresden;;
      ;;;;
      14625020;"Bautzen
      Budyšin";Bautzen;;

      """)
    let done = try Beccaria.run(["municipality", "import", good], database: database)
    #expect(done.status == 0, "\(done.stderr)")
    #expect(done.stdout.hasPrefix("Imported 2 municipalities: 2 new"), "\(done.stdout)")
    let name = try db.queryOne("SELECT name FROM municipality WHERE ags = '14625020'")?.decode("name", as: String.self)
    #expect(name == "Bautzen Budyšin")
  }

  @Test func participantsFromASpreadsheetByMunicipalityName() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    // Two municipalities of one name (there are such in Germany): a name alone is ambiguous.
    _ = try MunicipalityStore(db).upsert(
      [
        Municipality(
          ags: try #require(AGS("14628000")), name: "Neustadt", district: "Sächsische Schweiz-Osterzgebirge",
          asskommMemberSince: nil),
        Municipality(
          ags: try #require(AGS("14523000")), name: "Neustadt", district: "Vogtlandkreis", asskommMemberSince: nil),
      ], given: [.district])
    let bad = try file(
      """
      Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde;Dienststelle;;
      Wjeńka;Měrćin;12.07.1984;m.wjenka@example.org;Bautzen;;;
      ;;;;;;;
      Kowalski;Jan;31.02.1984;jan@example.org;Dresden;;;
      Nowak;Ewa;01.01.1990;ewa@example.org;Neustadt;;;
      Schulz;Ina;01.01.1990;ina@example.org;1461200;;;
      Meier;Uta;01.01.1990;uta@example.org;Gibtsnicht;;;

      """)
    let refused = try Beccaria.run(["participant", "import", bad], database: database)
    #expect(refused.status != 0)
    let expected = [
      "\(bad):4: column \"Geburtsdatum\": \"31.02.1984\" is no day of the calendar (check day and month)",
      "\(bad):5: column \"Gemeinde\": 2 municipalities are called Neustadt: Neustadt (14523000, Vogtlandkreis), "
        + "Neustadt (14628000, Sächsische Schweiz-Osterzgebirge); give the AGS",
      "\(bad):6: column \"Gemeinde\": \"1461200\" has 7 digits; an AGS has 8 (a spreadsheet may have dropped its leading zero: 01461200?)",
      "\(bad):7: column \"Gemeinde\": \"Gibtsnicht\" is not the name of a municipality in the register; give its AGS",
      "Nothing was imported (4 problems).",
    ]
    for line in expected { #expect(refused.stderr.contains(line), "missing: \(line)\n\(refused.stderr)") }
    #expect(try count(db, "SELECT count(*)::integer AS n FROM participant") == 0)

    let good = try file(
      """
      Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde;Dienststelle;;
      Wjeńka;Měrćin;12.07.1984;m.wjenka@example.org;bautzen;"Stadtverwaltung
      Bautzen";;
      ;;;;;;;
      Kowalski;Jan;28.02.1984;jan@example.org;14612000;;;

      """)
    let done = try Beccaria.run(["participant", "import", good], database: database)
    #expect(done.status == 0, "\(done.stderr)")
    #expect(done.stdout.hasPrefix("Imported \(good): 2 new participants"), "\(done.stdout)")
    let row = try #require(
      try db.queryOne(
        "SELECT municipality_ags, organisation, birth_date::text AS born FROM participant WHERE email = 'm.wjenka@example.org'"))
    #expect(try row.decode("municipality_ags", as: String.self) == "14625020")
    #expect(try row.decode("organisation", as: String.self) == "Stadtverwaltung Bautzen")
    #expect(try row.decode("born", as: String.self) == "1984-07-12")

    // One person at a time takes a name too.
    let person = ["participant", "add", "--given-names", "Ina", "--birth-date", "01.01.1990"]
    let added = try Beccaria.run(
      person + ["--family-name", "Schulz", "--email", "ina@example.org", "--municipality", "Bautzen"], database: database)
    #expect(added.status == 0, "\(added.stderr)")
    let ambiguous = try Beccaria.run(
      person + ["--family-name", "Schulze", "--email", "ina2@example.org", "--municipality", "neustadt"], database: database)
    #expect(ambiguous.stderr.contains("2 municipalities are called neustadt"), "\(ambiguous.stderr)")
    #expect(
      try db.queryOne("SELECT municipality_ags FROM participant WHERE email = 'ina@example.org'")?.decode(
        "municipality_ags", as: String.self) == "14625020")
  }

  @Test func enrolmentsFromASpreadsheet() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    try Fixtures.course(db, code: "BQ-XL-1")
    let p = try Fixtures.participants(db, count: 3).map { String($0.rawValue) }
    let bad = try file(
      """
      Teilnehmer-Nr.;Durchgang;Module;;
      \(p[0]);BQ-XL-1;;;
      ;;;;
      \(p[1]);BQ-XL-1;9;;

      """)
    let refused = try Beccaria.run(["enrolment", "import", bad], database: database)
    #expect(
      refused.stderr.contains("\(bad):4: column \"Module\": the programme of cohort BQ-XL-1 has no module 9"),
      "\(refused.stderr)")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM enrolment") == 0)
    // An office list names people twice (number and e-mail): one column, said so.
    let twice = try file("Teilnehmer;E-Mail;Durchgang\n\(p[0]);person0@example.org;BQ-XL-1\n")
    let refusedTwice = try Beccaria.run(["enrolment", "import", twice], database: database)
    #expect(
      refusedTwice.stderr.contains(
        "\(twice):1: column \"E-Mail\": means the same column as \"Teilnehmer\" (participant); keep one of them"),
      "\(refusedTwice.stderr)")
    let good = try file(
      """
      Teilnehmer-Nr.;Durchgang;Module;;
      \(p[0]);BQ-XL-1;;;
      ;;;;
      \(p[1]);BQ-XL-1;"1
      3";;
      person2@example.org;BQ-XL-1;2;;

      """)
    let done = try Beccaria.run(["enrolment", "import", good], database: database)
    #expect(done.status == 0, "\(done.stderr)")
    let modules = try db.queryOne(
      """
      SELECT string_agg(module_number::text, ' ' ORDER BY module_number) AS m FROM enrolment_module em
        JOIN enrolment e ON e.id = em.enrolment_id WHERE e.participant_id = \(Int64(p[1]) ?? 0)
      """)?.decode("m", as: String.self)
    #expect(modules == "1 3")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM enrolment") == 3)
  }

  @Test func resultsFromASpreadsheet() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let p = fixture.participants.map { String($0.rawValue) }
    let bad = try file(
      """
      Teilnehmer;Ergebnis;Projekttitel;Datum;Bemerkung;;
      \(p[0]);bestanden;Sicher im Quartier;24.10.2026;;;
      ;;;;;;
      \(p[1]);vielleicht;;;;;

      """)
    let refused = try Beccaria.run(
      ["assessment", "import", bad, "--course", AttendanceFixture.course], database: fixture.database)
    #expect(
      refused.stderr.contains("\(bad):4: column \"Ergebnis\": \"vielleicht\" is not passed or failed"), "\(refused.stderr)")
    let good = try file(
      """
      Teilnehmer;Ergebnis;Projekttitel;Datum;Bemerkung;;
      \(p[0]);bestanden;"Sicher im
      Quartier";24.10.2026;"Präsentation gut.
      Schriftlicher Teil knapp.";;
      ;;;;;;
      \(p[1]);nicht bestanden;;24.10.2026;;;

      """)
    let done = try Beccaria.run(
      ["assessment", "import", good, "--course", AttendanceFixture.course], database: fixture.database)
    #expect(done.status == 0, "\(done.stderr)\(done.stdout)")
    let row = try #require(
      try fixture.connection.queryOne(
        "SELECT title, note FROM assessment WHERE participant_id = \(fixture.participants[0].rawValue)"))
    #expect(try row.decode("title", as: String.self) == "Sicher im Quartier")
    #expect(try row.decode("note", as: String.self) == "Präsentation gut. Schriftlicher Teil knapp.")
  }

  @Test func attendanceFromASpreadsheet() throws {
    let fixture = try AttendanceFixture(participants: 3)
    defer { fixture.database.drop() }
    let p = fixture.participants.map { String($0.rawValue) }
    let s = fixture.module1.map { String($0.rawValue) }
    let bad = try file(
      """
      Termin;Teilnehmer-Nr.;Anwesenheit;UE;Bemerkung;;
      \(s[0]);\(p[0]);anwesend;;;;
      ;;;;;;
      \(s[0]);\(p[1]);vielleicht;;;;

      """)
    let refused = try Beccaria.run(["attendance", "import", bad], database: fixture.database)
    #expect(
      refused.stderr.contains(
        "\(bad):4: column \"Anwesenheit\": \"vielleicht\" is not one of present, late, excused, absent"),
      "\(refused.stderr)")
    #expect(try count(fixture.connection, "SELECT count(*)::integer AS n FROM attendance") == 0)
    let good = try file(
      """
      Termin;Teilnehmer-Nr.;Anwesenheit;UE;Bemerkung;;
      \(s[0]);\(p[0]);anwesend;;;;
      ;;;;;;
      \(s[0]);\(p[1]);verspätet;5,5;"Zug
      verspätet";;
      \(s[0]);"\(p[2])
      ";entschuldigt;;;;

      """)
    let done = try Beccaria.run(["attendance", "import", good], database: fixture.database)
    #expect(done.status == 0, "\(done.stderr)\(done.stdout)")
    #expect(done.stdout == "Imported 3 rows for 1 session: 3 new, 0 corrected, 0 unchanged.\n", "\(done.stdout)")
    let late = try #require(
      try fixture.connection.queryOne(
        "SELECT status, (ue_attended = 5.5) AS ue, note FROM attendance WHERE participant_id = \(fixture.participants[1].rawValue)"
      )
    )
    #expect(try late.decode("status", as: String.self) == "late")
    #expect(try late.decode("ue", as: Bool.self))
    #expect(try late.decode("note", as: String.self) == "Zug verspätet")
  }
}
