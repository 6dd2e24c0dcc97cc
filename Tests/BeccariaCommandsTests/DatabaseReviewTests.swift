import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// Findings of the database review (issue 23) settled by schema 0020: German order, German days,
/// an indexed participant search.
@Suite struct DatabaseReviewTests {
  @Test func namesSortAsGermanReadersExpectAndIdentifiersByCode() throws {
    let fixture = try AttendanceFixture(participants: 0)
    defer { fixture.database.drop() }
    let db = fixture.connection
    for (ags, name) in [("14524330", "Zwickau"), ("14521480", "Ölsnitz/Erzgeb."), ("14522080", "Oederan")] {
      let add = try Beccaria.run(
        ["municipality", "add", "--ags", ags, "--name", name, "--district", "Erzgebirgskreis"], database: fixture.database)
      #expect(add.status == 0, "\(add.stderr)")
    }
    let list = try Beccaria.run(["municipality", "list", "--format", "csv"], database: fixture.database)
    let names = list.stdout.split(whereSeparator: \.isNewline).map(String.init).filter {
      $0.contains("Zwickau") || $0.contains("Ölsnitz") || $0.contains("Oederan")
    }
    // DIN 5007-1: Ö sorts with O (Oederan, Ölsnitz), both before Z; byte order put Ö after Z.
    #expect(names.count == 3, "\(list.stdout)")
    #expect(names.firstIndex { $0.contains("Oederan") } == 0)
    #expect(names.firstIndex { $0.contains("Ölsnitz") } == 1)
    #expect(names.firstIndex { $0.contains("Zwickau") } == 2)

    // The attendance matrix: Müller before Müllerová before Zeh.
    var people: [ParticipantID] = []
    for family in ["Zeh", "Müllerová", "Müller"] {
      let row = try db.queryOne(
        """
        INSERT INTO participant (family_name, given_names, birth_date, municipality_ags)
        VALUES (\(family), 'Eva', '1980-01-01', '14612000') RETURNING id
        """)
      people.append(ParticipantID(try #require(row).decode("id")))
    }
    for person in people {
      _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: person, modules: nil)
    }
    let matrix = try ProgressReports(db).matrix(courseCode: AttendanceFixture.course)
    #expect(matrix.participants.map(\.name) == ["Müller, Eva", "Müllerová, Eva", "Zeh, Eva"])
    let listed = try ParticipantStore(db).list(.init(municipality: nil, course: AttendanceFixture.course, search: nil, limit: 10))
    #expect(listed.map(\.familyName) == ["Müller", "Müllerová", "Zeh"])
  }

  @Test func anEnrolmentEndedOnAGermanDayCoversThatDayInEveryTimeZone() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    // Ended at 00:30 on 10 March in Germany, which is 23:30 on 9 March in UTC.
    var answers: [String: Bool] = [:]
    for zone in ["UTC", "Europe/Berlin", "America/New_York"] {
      let db = try database.connect()
      try db.execute("SELECT set_config('TimeZone', \(zone), false)")
      answers[zone] = try db.queryOne(
        "SELECT enrolment_covers_day('2026-03-09 23:30:00+00', '2026-03-10') AS covered")?.decode("covered", as: Bool.self)
      #expect(
        try db.queryOne("SELECT enrolment_covers_day('2026-03-09 22:30:00+00', '2026-03-10') AS covered")?.decode(
          "covered", as: Bool.self) == false, "\(zone)")
    }
    #expect(answers == ["UTC": true, "Europe/Berlin": true, "America/New_York": true])
  }

  @Test func participantSearchUsesTheTrigramIndexAndFindsEitherNameOrder() throws {
    let fixture = try AttendanceFixture(participants: 0)
    defer { fixture.database.drop() }
    let db = fixture.connection
    try db.execute(
      """
      INSERT INTO participant (family_name, given_names, birth_date, email, municipality_ags)
      SELECT 'Name' || i, 'Vorname' || i, '1980-01-01'::date + i % 9000, 'p' || i || '@example.org', '14612000'
      FROM generate_series(1, 20000) i
      """)
    try db.execute(
      """
      INSERT INTO participant (family_name, given_names, birth_date, email, municipality_ags)
      VALUES ('Müller-Lüdenscheidt', 'Anna', '1975-04-01', 'anna.ml@example.org', '14612000')
      """)
    try db.execute("ANALYZE participant")
    let store = ParticipantStore(db)
    for search in [
      "lüdensch", "LUDENSCH", "anna müller", "Müller-Lüdenscheidt, Anna".replacingOccurrences(of: ",", with: ""), "anna.ml@",
    ] {
      let found = try store.list(.init(municipality: nil, course: nil, search: search, limit: 10))
      #expect(found.map(\.familyName) == ["Müller-Lüdenscheidt"], "\(search)")
    }
    // The store's condition, planned by PostgreSQL: the trigram index serves a pattern with a
    // leading %, where the old text_pattern_ops index could not.
    let plan = try db.query(
      """
      EXPLAIN SELECT id FROM participant p
      WHERE participant_search_text(p.family_name, p.given_names, p.email) LIKE beccaria_fold('%lüdensch%')
      ORDER BY (p.family_name || '') COLLATE german, p.given_names COLLATE german, p.id LIMIT 50
      """
    ).map { try $0.decode("QUERY PLAN", as: String.self) }.joined(separator: "\n")
    #expect(plan.contains("participant_search_trgm"), "\(plan)")
    #expect(!plan.contains("Seq Scan"), "\(plan)")
  }

  @Test func attendanceRetentionAloneLeavesAnAuditLogThatVerifies() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    try Fixtures.programmeAndMunicipalities(db)
    try Fixtures.course(db, code: "BQ-OLD-2", starts: "2019-01-05")
    let session = try SessionStore(db).add([
      NewSession(
        courseCode: "BQ-OLD-2", module: 1, day: CalendarDate(year: 2019, month: 1, day: 5)!, start: 540, end: 720, ue: 4,
        location: nil, trainerEmails: [])
    ])[0]
    let person = try Fixtures.participants(db, count: 1, prefix: "Alt")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-OLD-2", participant: person, modules: nil)
    try db.execute(
      "INSERT INTO attendance (session_id, participant_id, status, ue_attended, note) VALUES (\(session.rawValue), \(person.rawValue), 'late', 3, 'Zug verpasst')"
    )
    try db.execute("UPDATE course SET status = 'ended'")
    // Attendance detail only: no erasure in the same transaction vouches for the scrub.
    #expect(try Beccaria.run(["retention", "set", "--attendance-years", "5"], database: database).status == 0)
    let apply = try Beccaria.run(["retention", "apply"], database: database)
    #expect(apply.status == 0, "\(apply.stderr)")
    #expect(apply.stdout.contains("their 2 audit entries now keep only the session and the person"), "\(apply.stdout)")
    let verify = try Beccaria.run(["audit", "verify", "--all-tables"], database: database)
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    #expect(
      try db.queryOne(
        "SELECT count(*)::integer AS n FROM audit_log WHERE table_name = 'attendance' AND (new_values::text LIKE '%Zug%' OR old_values::text LIKE '%Zug%')"
      )?.decode("n", as: Int.self) == 0)
  }

  @Test func anEndedEnrolmentStaysEndedAndHistoryIsNotDeleted() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let db = fixture.connection
    let (gone, stays) = (fixture.participants[0], fixture.participants[1])
    _ = try EnrolmentStore(db).withdraw(courseCode: AttendanceFixture.course, participant: gone, reason: "Umzug")
    let id = try #require(
      try db.queryOne("SELECT id FROM enrolment WHERE participant_id = \(gone.rawValue)")?.decode("id", as: Int64.self))
    for change in ["status = 'enrolled', end_reason = NULL", "status = 'transferred', transferred_to = \(id)"] {
      let refused = #expect(throws: PostgresError.self, "\(change)") {
        try db.execute("UPDATE enrolment SET \(unsafeRaw: change) WHERE id = \(id)")
      }
      #expect(refused?.constraint == "enrolment_end_final", "\(change): \(refused?.message ?? "")")
    }
    // An ended cohort's enrolments are history, records or not.
    try db.execute("UPDATE course SET status = 'ended'")
    let deleted = #expect(throws: PostgresError.self) {
      try db.execute("DELETE FROM enrolment WHERE participant_id = \(stays.rawValue)")
    }
    #expect(deleted?.constraint == "enrolment_history_kept")
  }

  @Test func aBookingOfSingleModulesBooksAtLeastOne() throws {
    let fixture = try AttendanceFixture(participants: 0)
    defer { fixture.database.drop() }
    let db = fixture.connection
    let people = try Fixtures.participants(db, count: 2, prefix: "Modul")
    let empty = #expect(throws: PostgresError.self) {
      try db.execute(
        """
        INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status)
        SELECT id, programme_version_id, \(people[0].rawValue), 'modules', 'enrolled' FROM course
        """)
    }
    #expect(empty?.constraint == "enrolment_books_a_module", "\(empty?.message ?? "accepted")")
    #expect(try db.queryOne("SELECT seats_taken FROM course")?.decode("seats_taken", as: Int.self) == 0)
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: people[1], modules: [2])
    let last = #expect(throws: PostgresError.self) {
      try db.execute(
        "DELETE FROM enrolment_module WHERE enrolment_id = (SELECT id FROM enrolment WHERE participant_id = \(people[1].rawValue))"
      )
    }
    #expect(last?.constraint == "enrolment_books_a_module", "\(last?.message ?? "deleted")")
  }
}
