import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// The programme office's week, run through the built binary.
@Suite struct AdministrationCommandTests {
  /// A migrated database with the programme loaded.
  func prepared() throws -> TestDatabase {
    let database = try TestDatabase.migrated()
    let load = try Beccaria.run(["programme", "load", Checkout.programmeFile], database: database)
    #expect(load.status == 0, "\(load.stderr)")
    return database
  }

  func file(_ text: String, bom: Bool = false) throws -> String {
    var data = Data(text.utf8)
    if bom { data.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0) }
    let url = FileManager.default.temporaryDirectory.appending(path: "beccaria-\(UUID().uuidString).csv")
    try data.write(to: url)
    return url.path
  }

  func json(_ result: CommandResult) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
  }

  func counts(_ database: TestDatabase) throws -> [String: Int] {
    let db = try database.connect()
    var result: [String: Int] = [:]
    for table in ["municipality", "participant", "enrolment", "course", "session", "trainer"] {
      result[table] = try db.queryOne("SELECT count(*) AS n FROM \(identifier: table)")?.decode("n", as: Int.self)
    }
    return result
  }

  @Test func municipalitiesImportAndList() throws {
    let database = try prepared()
    defer { database.drop() }
    let sample = Checkout.root().appending(path: "courses/sample/municipalities.csv").path
    let first = try Beccaria.run(["municipality", "import", sample], database: database)
    #expect(first.stdout == "Imported 11 municipalities: 11 new, 0 updated, 0 unchanged.\n", "\(first.stderr)")
    let update = try file("ags;name;district;asskomm_member_since\n14612000;Dresden;Dresden;2024-01-01\n")
    let second = try Beccaria.run(["municipality", "import", update], database: database)
    #expect(
      second.stdout
        == "Imported 1 municipality: 0 new, 1 updated, 0 unchanged.\n  updated 14612000 Dresden: ASSKomm member since – → 2024-01-01\n",
      "\(second.stdout)")
    let members = try json(try Beccaria.run(["municipality", "list", "--members", "--format", "json"], database: database))
    #expect(members.count == 10)
    #expect(members.contains { $0["name"] as? String == "Dresden" && $0["asskomm_member_since"] as? String == "2024-01-01" })
    let gorlitz = try Beccaria.run(["municipality", "list", "--district", "GORLITZ", "--format", "csv"], database: database)
    let lines = gorlitz.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
    #expect(
      lines == [
        "AGS,NAME,DISTRICT,ASSKOMM SINCE,PARTICIPANTS", "14626110,Görlitz,Görlitz,2019-02-06,0",
        "14626500,Seifhennersdorf,Görlitz,2021-05-05,0",
      ])
    let add = try Beccaria.run(["municipality", "add", "--ags", "1462", "--name", "X"], database: database)
    #expect(add.status != 0)
    #expect(add.stderr.contains("--ags \"1462\" is not an AGS: it has 4 digits, not 8"))
  }

  @Test(arguments: [
    (
      "ags,name,district\n14612000,Dresden,Dresden\n1461200X,Kaputt,Nirgendwo\n",
      "f:3: column \"ags\": \"1461200X\" is not an AGS: only the digits 0–9 are allowed"
    ),
    (
      "ags,name,district,asskomm_member_since\n14612000,Dresden,Dresden,2024-02-30\n",
      "f:2: column \"asskomm_member_since\": \"2024-02-30\" is no day of the calendar (check day and month)"
    ),
    ("ags,name\n14612000,Dresden\n", "f:1: column \"district\": is missing from the header"),
    ("ags,name,district\n14612000,\"Dresden,Dresden\n", "f:2: a quoted field opened on this line is never closed (missing \")"),
    ("ags,name,district\n14612000;Dresden;Dresden\n", "f:2: has 1 field, but the header has 3 columns"),
  ])
  func badMunicipalityFilesChangeNothing(content: String, expected: String) throws {
    let database = try prepared()
    defer { database.drop() }
    let before = try counts(database)
    let path = try file(content)
    let result = try Beccaria.run(["municipality", "import", path], database: database)
    #expect(result.status != 0)
    #expect(result.stderr.contains(expected.replacingOccurrences(of: "f:", with: "\(path):")), "\(result.stderr)")
    #expect(result.stderr.contains("Nothing was imported"))
    #expect(try counts(database) == before)
  }

  @Test func participantImportIsAllOrNothingWithLineMessages() throws {
    let database = try prepared()
    defer { database.drop() }
    _ = try Beccaria.run(
      ["municipality", "import", Checkout.root().appending(path: "courses/sample/municipalities.csv").path], database: database)
    let before = try counts(database)
    let path = try file(
      """
      family_name,given_names,birth_date,email,municipality
      Wjeńka,Měrćin,1984-07-12,m.wjenka@example.org,14625020
      Kowalski,Jan,1984-13-01,jan@example.org,14612000
      Nowak,Ewa,1990-01-01,ewa@example.org,09162000
      Schulz,Ina,1990-01-01,not-an-address,1461200
      Meier,,1990-01-01,meier@example.org,14612000
      """)
    let result = try Beccaria.run(["participant", "import", path], database: database)
    #expect(result.status != 0)
    let expected = [
      "\(path):3: column \"birth_date\": \"1984-13-01\" is no day of the calendar (check day and month)",
      "\(path):5: column \"email\": \"not-an-address\" is not an e-mail address",
      "\(path):5: column \"municipality\": \"1461200\" has 7 digits; an AGS has 8 (a spreadsheet may have dropped its leading zero: 01461200?)",
      "\(path):6: column \"given_names\": is required",
      "\(path):4: column \"municipality\": 09162000 is not in the municipality register",
    ]
    for line in expected { #expect(result.stderr.contains(line), "missing: \(line)\n\(result.stderr)") }
    #expect(try counts(database) == before)
  }

  @Test func aGermanSpreadsheetExportImportsExactly() throws {
    let database = try prepared()
    defer { database.drop() }
    _ = try Beccaria.run(
      ["municipality", "import", Checkout.root().appending(path: "courses/sample/municipalities.csv").path], database: database)
    let sample = Checkout.root().appending(path: "courses/sample/participants-2026.csv").path
    let dry = try Beccaria.run(["participant", "import", sample, "--dry-run"], database: database)
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(try counts(database)["participant"] == 0)
    let result = try Beccaria.run(["participant", "import", sample], database: database)
    #expect(result.status == 0, "\(result.stderr)")
    let people = try json(try Beccaria.run(["participant", "list", "--format", "json"], database: database))
    #expect(people.count == 30)
    let names = Set(people.map { "\($0["given_names"] as? String ?? "") \($0["family_name"] as? String ?? "")" })
    for name in ["Měrćin Wjeńka", "Hańža Šołćina", "Zoë Łukasiewicz-Ünal", "Thị Minh Khai Nguyễn", "Emre Yılmaz"] {
      #expect(names.contains(name), "missing \(name)")
    }
    let koenig = try #require(people.first { $0["family_name"] as? String == "König" })
    #expect(koenig["organisation"] as? String == "Universität Leipzig; Institut für Kriminologie")
    #expect(koenig["function"] as? String == "Forschung \"Sicherheit im Quartier\"")
    #expect(koenig["birth_date"] as? String == "1970-06-25")
    // Importing the same file again finds every row a likely duplicate and writes nothing.
    let again = try Beccaria.run(["participant", "import", sample], database: database)
    #expect(again.status != 0)
    #expect(again.stderr.contains("\(sample):2: likely duplicate: participant"))
    #expect(try counts(database)["participant"] == 30)
    // Accent- and case-insensitive search.
    let muller = try json(
      try Beccaria.run(["participant", "list", "--search", "MULLER", "--format", "json"], database: database))
    #expect(muller.map { $0["family_name"] as? String } == ["Müller"])
    let solcina = try json(
      try Beccaria.run(["participant", "list", "--search", "solcina", "--format", "json"], database: database))
    #expect(solcina.map { $0["family_name"] as? String } == ["Šołćina"])
  }

  @Test func duplicatesAreRefusedNamingTheExistingParticipant() throws {
    let database = try prepared()
    defer { database.drop() }
    _ = try Beccaria.run(
      ["municipality", "add", "--ags", "14612000", "--name", "Dresden", "--district", "Dresden"], database: database)
    let base = [
      "participant", "add", "--family-name", "Müller", "--given-names", "Anna", "--birth-date", "1975-09-05",
      "--email", "anna@example.org", "--municipality", "14612000",
    ]
    #expect(try Beccaria.run(base, database: database).status == 0)
    var sameName = base
    sameName[9] = "other@example.org"
    sameName[3] = "MÜLLER"
    let refused = try Beccaria.run(sameName, database: database)
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "likely duplicate: participant 1 Müller, Anna (born 1975-09-05, anna@example.org) has the same name and birth date; use --force"
      ))
    var sameMail = base
    sameMail[5] = "Berta"
    let refusedMail = try Beccaria.run(sameMail, database: database)
    #expect(refusedMail.stderr.contains("has the same e-mail"))
    #expect(try counts(database)["participant"] == 1)
    #expect(try Beccaria.run(sameName + ["--force"], database: database).status == 0)
    #expect(try counts(database)["participant"] == 2)
    let unknownPlace = try Beccaria.run(
      [
        "participant", "add", "--family-name", "X", "--given-names", "Y", "--birth-date", "1980-01-01",
        "--email", "x@example.org", "--municipality", "14625020",
      ], database: database)
    #expect(unknownPlace.stderr.contains("--municipality 14625020 is not in the register"))
  }

  @Test func renameKeepsTheOldNameInTheHistory() throws {
    let database = try prepared()
    defer { database.drop() }
    _ = try Beccaria.run(
      ["municipality", "add", "--ags", "14625020", "--name", "Bautzen", "--district", "Bautzen"], database: database)
    _ = try Beccaria.run(
      [
        "participant", "add", "--family-name", "Wjeńka", "--given-names", "Měrćin", "--birth-date", "1984-07-12",
        "--email", "m@example.org", "--municipality", "14625020",
      ], database: database)
    let noReason = try Beccaria.run(
      ["participant", "rename", "1", "--family-name", "Wjeńkowa", "--reason", " "], database: database)
    #expect(noReason.status != 0)
    let renamed = try Beccaria.run(
      ["participant", "rename", "1", "--family-name", "Wjeńkowa", "--reason", "Eheschließung"], database: database)
    #expect(renamed.stdout == "Renamed participant 1: Měrćin Wjeńka → Měrćin Wjeńkowa.\n", "\(renamed.stderr)")
    let show = try Beccaria.run(["participant", "show", "1", "--format", "json"], database: database)
    let details = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    let history = try #require(details["name_history"] as? [[String: Any]])
    #expect(history.first?["from"] as? String == "Měrćin Wjeńka")
    #expect(history.first?["reason"] as? String == "Eheschließung")
    #expect((details["participant"] as? [String: Any])?["family_name"] as? String == "Wjeńkowa")
    let text = try Beccaria.run(["participant", "show", "1"], database: database)
    #expect(text.stdout.contains("formerly Měrćin Wjeńka"))
  }

  @Test func cohortsSessionsAndTrainers() throws {
    let database = try prepared()
    defer { database.drop() }
    #expect(
      try Beccaria.run(
        ["trainer", "add", "--name", "Dr. Anna Schulz", "--email", "anna@example.org", "--login", "anna_schulz"],
        database: database
      ).status == 0)
    let dupTrainer = try Beccaria.run(["trainer", "add", "--name", "Anna", "--email", "ANNA@example.org"], database: database)
    #expect(dupTrainer.stderr.contains("a trainer with the e-mail ANNA@example.org is already registered"))
    let create = try Beccaria.run(
      ["course", "create", "--programme", "beccaria-fachkraft", "--code", "BQ-SN-2027-1", "--capacity", "20"], database: database)
    #expect(create.status == 0, "\(create.stderr)")
    #expect(
      try Beccaria.run(["course", "create", "--programme", "beccaria-fachkraft", "--code", "BQ-SN-2027-1"], database: database)
        .stderr.contains("a cohort with the code BQ-SN-2027-1 already exists"))
    #expect(
      try Beccaria.run(["course", "create", "--programme", "nope", "--code", "BQ-X"], database: database).stderr.contains(
        "programme nope does not exist"))

    let tooMuch = try Beccaria.run(
      [
        "session", "add", "--course", "BQ-SN-2027-1", "--module", "1", "--date", "2027-03-06",
        "--start", "09:00", "--end", "12:00", "--ue", "5",
      ], database: database)
    #expect(tooMuch.status != 0)
    #expect(tooMuch.stderr.contains("5 UE of 45 minutes need 225 minutes, but 09:00–12:00 has only 180"))
    let plan = try Beccaria.run(
      [
        "session", "plan", "--course", "BQ-SN-2027-1", "--module", "1", "--weekend", "2027-03-06",
        "--weekend", "2027-03-20", "--trainer", "anna@example.org",
      ], database: database)
    #expect(plan.status == 0, "\(plan.stderr)")
    #expect(plan.stdout.contains("Planned module 1 of BQ-SN-2027-1: 4 sessions, 32 UE."))
    let notSaturday = try Beccaria.run(
      [
        "session", "plan", "--course", "BQ-SN-2027-1", "--module", "2", "--weekend", "2027-04-01",
        "--weekend", "2027-04-17",
      ], database: database)
    #expect(notSaturday.stderr.contains("--weekend 2027-04-01 is not a Saturday"))
    // One cohort meets once at a time; a trainer teaches one session at a time, in any cohort.
    let sameCohort = try Beccaria.run(
      [
        "session", "add", "--course", "BQ-SN-2027-1", "--module", "2", "--date", "2027-03-06",
        "--start", "14:00", "--end", "17:00", "--ue", "2",
      ], database: database)
    #expect(sameCohort.status != 0)
    #expect(sameCohort.stderr.contains("cohort BQ-SN-2027-1 already has session 1 on 2027-03-06 09:00–15:45, which overlaps"))
    #expect(
      try Beccaria.run(
        ["course", "create", "--programme", "beccaria-fachkraft", "--code", "BQ-SN-2027-2", "--capacity", "20"],
        database: database
      ).status == 0)
    let overlap = try Beccaria.run(
      [
        "session", "add", "--course", "BQ-SN-2027-2", "--module", "2", "--date", "2027-03-06",
        "--start", "14:00", "--end", "17:00", "--ue", "2", "--trainer", "anna@example.org",
      ], database: database)
    #expect(overlap.status != 0)
    #expect(
      overlap.stderr.contains(
        "trainer anna@example.org already teaches session 1 of BQ-SN-2027-1 on 2027-03-06 09:00–15:45, which overlaps"))
    #expect(try counts(database)["session"] == 4)
    let sessions = try json(
      try Beccaria.run(["session", "list", "--course", "BQ-SN-2027-1", "--format", "json"], database: database))
    #expect(sessions.map { $0["day"] as? String } == ["2027-03-06", "2027-03-07", "2027-03-20", "2027-03-21"])
    #expect(sessions.allSatisfy { ($0["trainers"] as? [String]) == ["Dr. Anna Schulz"] && $0["ue"] as? Int == 8 })
    let courses = try json(try Beccaria.run(["course", "list", "--format", "json"], database: database))
    #expect(courses.first?["capacity"] as? Int == 20)
    #expect(courses.first?["sessions"] as? Int == 4)
    #expect(courses.count == 2)
    let trainers = try Beccaria.run(["trainer", "list", "--format", "csv"], database: database)
    #expect(trainers.stdout.contains("1,Dr. Anna Schulz,anna@example.org,anna_schulz,4"))
  }

  @Test func enrolmentWaitingListWithdrawalAndTransferFromTheShell() throws {
    let database = try prepared()
    defer { database.drop() }
    _ = try Beccaria.run(
      ["municipality", "add", "--ags", "14612000", "--name", "Dresden", "--district", "Dresden"], database: database)
    for code in ["BQ-SN-2026-1", "BQ-SN-2027-1"] {
      #expect(
        try Beccaria.run(
          ["course", "create", "--programme", "beccaria-fachkraft", "--code", code, "--capacity", "2"], database: database
        ).status == 0)
    }
    for (index, name) in ["Adam", "Berta", "Cäcilie", "Dörte"].enumerated() {
      let add = try Beccaria.run(
        [
          "participant", "add", "--family-name", name, "--given-names", "T", "--birth-date", "1980-01-0\(index + 1)",
          "--email", "\(index)@example.org", "--municipality", "14612000",
        ], database: database)
      #expect(add.status == 0, "\(add.stderr)")
    }
    for id in 1...4 {
      let result = try Beccaria.run(
        ["enrolment", "add", "--course", "BQ-SN-2026-1", "--participant", "\(id)"], database: database)
      #expect(result.status == 0, "\(result.stderr)")
      if id > 2 { #expect(result.stdout.contains("is number \(id - 2) on the waiting list")) }
    }
    let again = try Beccaria.run(["enrolment", "add", "--course", "BQ-SN-2026-1", "--participant", "1"], database: database)
    #expect(again.stderr.contains("participant 1 is already enrolled in cohort BQ-SN-2026-1"))
    let withdraw = try Beccaria.run(
      ["enrolment", "withdraw", "--course", "BQ-SN-2026-1", "--participant", "2", "--reason", "Umzug"], database: database)
    #expect(withdraw.stdout.contains("Moved up from the waiting list: T Cäcilie (3)."), "\(withdraw.stdout)\(withdraw.stderr)")
    let transfer = try Beccaria.run(
      ["enrolment", "transfer", "--participant", "1", "--course", "BQ-SN-2026-1", "--to-course", "BQ-SN-2027-1"],
      database: database)
    #expect(transfer.status == 0, "\(transfer.stderr)")
    #expect(transfer.stdout.contains("Credited modules: none"))
    let list = try json(
      try Beccaria.run(["enrolment", "list", "--course", "BQ-SN-2026-1", "--format", "json"], database: database))
    let status = Dictionary(uniqueKeysWithValues: list.map { ($0["participant_id"] as? Int ?? 0, $0["status"] as? String ?? "") })
    #expect(status == [1: "transferred", 2: "withdrawn", 3: "enrolled", 4: "enrolled"])
    let csv = try Beccaria.run(["enrolment", "list", "--course", "BQ-SN-2027-1", "--format", "csv"], database: database)
    #expect(csv.stdout.components(separatedBy: "\r\n")[1].hasPrefix("1,\"Adam, T\",enrolled,,programme,Dresden"))
    let show = try Beccaria.run(["course", "show", "BQ-SN-2026-1"], database: database)
    #expect(show.stdout.contains("Places: 2 of 2 taken, 0 free, 0 waiting"))
    let single = try Beccaria.run(
      ["enrolment", "add", "--course", "BQ-SN-2027-1", "--participant", "2", "--module", "2"], database: database)
    #expect(single.stdout.contains("for module 2"))
    // BQ-SN-2027-1 is full now (Adam, Berta): a transfer into it keeps the place in the old cohort
    // unless the office accepts the waiting list for it.
    let full = try Beccaria.run(
      ["enrolment", "transfer", "--participant", "3", "--from", "BQ-SN-2026-1", "--to", "BQ-SN-2027-1"], database: database)
    #expect(full.status != 0)
    #expect(
      full.stderr.contains("cohort BQ-SN-2027-1 is full (2 of 2 places taken); participant 3 keeps their place in BQ-SN-2026-1"))
    #expect(try Beccaria.run(["course", "show", "BQ-SN-2026-1"], database: database).stdout.contains("Places: 2 of 2 taken"))
    let queued = try Beccaria.run(
      ["enrolment", "transfer", "--participant", "3", "--from", "BQ-SN-2026-1", "--to", "BQ-SN-2027-1", "--onto-waiting-list"],
      database: database)
    #expect(queued.status == 0, "\(queued.stderr)")
    #expect(queued.stdout.contains("BQ-SN-2027-1 is full: the participant is number 1 on its waiting list."))
  }
}
