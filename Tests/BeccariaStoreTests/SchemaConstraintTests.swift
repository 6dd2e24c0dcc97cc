import BeccariaStore
import Foundation
import Postgres
import TestSupport
import Testing

/// The database itself refuses wrong states, whoever writes (here: plain SQL, as psql would).
@Suite struct SchemaConstraintTests {
  /// A migrated database with a programme, a cohort of capacity 2, a past session of 8 UE and one
  /// enrolled participant.
  func seeded() throws -> (TestDatabase, Connection) {
    let database = try TestDatabase.migrated()
    let db = try database.connect()
    try db.executeScript(
      unsafeSQL: """
        INSERT INTO municipality (ags, name, district) VALUES ('14612000', 'Dresden', 'Dresden');
        INSERT INTO programme (code) VALUES ('beccaria-fachkraft');
        INSERT INTO programme_version (programme_id, version, title, attendance_threshold, excused_counts,
                                       project_required, definition, definition_sha256)
          VALUES (1, 1, 'Fachkraft', 0.8, false, true, '{}', repeat('a', 64));
        INSERT INTO programme_module (programme_version_id, number, title, ue, blocks)
          VALUES (1, 1, 'Kriminologie', 32, '[]'), (1, 2, 'Kriminalprävention', 32, '[]');
        INSERT INTO course (code, programme_version_id, title, capacity) VALUES ('BQ-SN-2027-1', 1, 'Durchgang 2027', 2);
        INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue)
          VALUES (1, 1, 1, '2026-03-07', '09:00', '16:00', 8);
        INSERT INTO participant (family_name, given_names, birth_date, municipality_ags)
          VALUES ('Wjeńka', 'Měrćin', '1980-05-01', '14612000');
        INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, enrolled_at)
          VALUES (1, 1, 1, 'programme', 'enrolled', now());
        """)
    return (database, db)
  }

  @Test(arguments: ["1461200", "146120000", "14A12000", "", "14 12000"])
  func aBadAGSIsRejected(ags: String) throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    let error = #expect(throws: PostgresError.self) {
      try db.execute("INSERT INTO municipality (ags, name) VALUES (\(ags), 'Nirgendwo')")
    }
    #expect(error?.sqlState == "23514")
    #expect(error?.constraint == "municipality_ags_format")
  }

  @Test func attendanceAboveTheSessionsUEIsRejected() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    let error = #expect(throws: PostgresError.self) {
      try db.execute("INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (1, 1, 'present', 9)")
    }
    #expect(error?.sqlState == "23514")
    #expect(error?.constraint == "attendance_ue_within_session")
    try db.execute("INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (1, 1, 'present', 8)")
    // Nor can the session shrink below what was recorded.
    let shrink = #expect(throws: PostgresError.self) { try db.execute("UPDATE session SET ue = 6 WHERE id = 1") }
    #expect(shrink?.constraint == "attendance_ue_within_session")
    // Absent with UE, present without.
    #expect(throws: PostgresError.self) {
      try db.execute("UPDATE attendance SET status = 'absent' WHERE session_id = 1")
    }
  }

  @Test func attendanceNeedsAPastSessionAnEnrolmentAndAReasonToCorrectLate() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    try db.executeScript(
      unsafeSQL: """
        INSERT INTO participant (family_name, given_names) VALUES ('Nicht', 'Angemeldet');
        INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue)
          VALUES (1, 1, 2, beccaria_today() + 7, '09:00', '16:00', 8);
        """)
    let future = #expect(throws: PostgresError.self) {
      try db.execute("INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (2, 1, 'present', 8)")
    }
    #expect(future?.constraint == "attendance_not_in_future")
    let stranger = #expect(throws: PostgresError.self) {
      try db.execute("INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (1, 2, 'present', 8)")
    }
    #expect(stranger?.constraint == "attendance_participant_enrolled")
    try db.execute("INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (1, 1, 'present', 8)")
    let silent = #expect(throws: PostgresError.self) {
      try db.execute("UPDATE attendance SET status = 'late', ue_attended = 6 WHERE session_id = 1")
    }
    #expect(silent?.constraint == "attendance_correction_has_reason")
    try db.execute(
      "UPDATE attendance SET status = 'late', ue_attended = 6, correction_reason = 'Liste falsch gelesen' WHERE session_id = 1")
    let history = try db.query(
      "SELECT action, old_values->>'ue_attended' AS old, new_values->>'ue_attended' AS new FROM audit_log WHERE table_name = 'attendance' ORDER BY id"
    )
    #expect(try history.map { try $0.decode("action", as: String.self) } == ["INSERT", "UPDATE"])
    #expect(try history[1].decode("old", as: String.self) == "8.00")
    #expect(try history[1].decode("new", as: String.self) == "6.00")
  }

  @Test func aSessionsUEMustFitItsTime() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    // 09:00–12:00 is 180 minutes: 4 UE of 45 minutes fit, 5 do not.
    try db.execute(
      "INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue) VALUES (1, 1, 2, '2027-04-01', '09:00', '12:00', 4)"
    )
    let error = #expect(throws: PostgresError.self) {
      try db.execute(
        "INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue) VALUES (1, 1, 2, '2027-04-02', '09:00', '12:00', 5)"
      )
    }
    #expect(error?.constraint == "session_ue_fits_time")
    let module = #expect(throws: PostgresError.self) {
      try db.execute(
        "INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue) VALUES (1, 1, 7, '2027-04-02', '09:00', '12:00', 1)"
      )
    }
    #expect(module?.sqlState == "23503")
  }

  /// The serial of `number` in the German year of today (what certificate_take_serials hands out).
  func serial(_ db: Connection, _ number: Int) throws -> String {
    let year = try db.queryOne("SELECT extract(year FROM beccaria_today())::integer AS y")?.decode("y", as: Int.self) ?? 0
    return "BQ-\(year)-" + String(repeating: "0", count: 6 - String(number).count) + String(number)
  }

  /// Stores a certificate row as psql would: its serial taken from the counter's function in the
  /// same transaction, a snapshot naming its serial and key.
  func issue(
    _ db: Connection, module: Int? = nil, participant: Int64 = 1, key: String = "k-0000000000000000", hash: String,
    supersedes: String? = nil, takeSerial: Bool = true, extra: String = ""
  ) throws -> String {
    try db.transaction { tx in
      let number: Int =
        takeSerial
        ? try tx.queryOne("SELECT certificate_take_serials(1) AS n")?.decode("n") ?? 0
        : (try tx.queryOne("SELECT coalesce(max(last_number), 0) + 1 AS n FROM certificate_serial_counter")?.decode("n") ?? 0)
      let serial = try serial(tx, number)
      try tx.execute(
        """
        INSERT INTO certificate (serial, kind, module_number, participant_id, programme_id, programme_version_id, completed_on,
                                 pdf, pdf_sha256, snapshot, key_id, signature, supersedes, reissue_reason)
        SELECT \(serial), \(module == nil ? "zertifikat" : "teilnahmebescheinigung"), \(module), \(participant), 1, 1, '2025-12-01',
               convert_to('%PDF- /Keywords (' || \(serial) || ' https://example.org/p?c=BQ1.e30.' || repeat('A', 86) || ')', 'UTF8'),
               \(hash),
               jsonb_build_object('serial', \(serial)::text, 'keyID', \(key)::text,
                                  'qrPayload', 'https://example.org/p?c=BQ1.e30.' || repeat('A', 86)) || \(extra.isEmpty ? "{}" : extra)::jsonb,
               \(key), repeat('A', 86), (SELECT id FROM certificate WHERE serial = \(supersedes)), \(supersedes == nil ? nil : "Namensänderung")
        """)
      return serial
    }
  }

  @Test func aSecondValidCertificateOfTheSameKindIsRejected() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    try db.execute("INSERT INTO signing_key (key_id, public_key) VALUES ('k-0000000000000000', decode(repeat('00', 32), 'hex'))")
    let first = try issue(db, hash: String(repeating: "b", count: 64))
    let error = #expect(throws: PostgresError.self) { try issue(db, hash: String(repeating: "c", count: 64)) }
    #expect(error?.sqlState == "23505")
    #expect(error?.constraint == "certificate_one_valid")
    // The number taken for it went back with the rollback: the next one is 2.
    #expect(try db.queryOne("SELECT last_number AS n FROM certificate_serial_counter")?.decode("n", as: Int.self) == 1)
    // A serial the counter never handed out is refused too.
    try db.execute("SELECT certificate_revoke(\(first), 'Test')")
    // A revoked certificate blocks a new one of its kind until it is reopened (schema 0019).
    let blocked = #expect(throws: PostgresError.self) { try issue(db, hash: String(repeating: "c", count: 64)) }
    #expect(blocked?.constraint == "certificate_not_blocked")
    try db.execute("SELECT certificate_reopen(\(first), 'neue Projektarbeit')")
    let unassigned = #expect(throws: PostgresError.self) {
      try issue(db, hash: String(repeating: "c", count: 64), takeSerial: false)
    }
    #expect(unassigned?.constraint == "certificate_serial_from_counter")
    // Numbers taken and not used are refused at commit: serials stay gapless.
    let gap = #expect(throws: PostgresError.self) { try db.execute("SELECT certificate_take_serials(3)") }
    #expect(gap?.constraint == "certificate_serials_gapless")
    let second = try issue(db, hash: String(repeating: "c", count: 64))
    #expect(second == (try serial(db, 2)))
    // One row per PDF: a copy of a certificate's hash is refused.
    let copy = #expect(throws: PostgresError.self) { try issue(db, module: 1, hash: String(repeating: "c", count: 64)) }
    #expect(copy?.constraint == "certificate_sha256_unique")
    // A snapshot names its own serial.
    let borrowed = #expect(throws: PostgresError.self) {
      try issue(db, module: 1, hash: String(repeating: "9", count: 64), extra: "{\"serial\": \"\(first)\"}")
    }
    #expect(borrowed?.constraint == "certificate_snapshot_matches")
    // The stored PDF carries the row's own code: a QR payload with another signature is refused.
    let elsewhere = #expect(throws: PostgresError.self) {
      try issue(
        db, module: 1, hash: String(repeating: "8", count: 64), extra: "{\"qrPayload\": \"https://example.org/p?c=BQ1.e30.BBBB\"}"
      )
    }
    #expect(elsewhere?.constraint == "certificate_pdf_carries_code")
    // Unsigned certificates do not exist.
    let unsigned = #expect(throws: PostgresError.self) {
      try db.transaction { tx in
        let serial = try serial(tx, try tx.queryOne("SELECT certificate_take_serials(1) AS n")?.decode("n") ?? 0)
        try tx.execute(
          """
          INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, module_number, completed_on,
                                   pdf, pdf_sha256, snapshot)
          VALUES (\(serial), 'teilnahmebescheinigung', 1, 1, 1, 1, '2025-12-01', '\\x00', repeat('d', 64),
                  jsonb_build_object('serial', \(serial)::text))
          """)
      }
    }
    // key_id is NOT NULL on a database that never had unsigned certificates (schema 0021).
    #expect(unsigned?.sqlState == "23502" && unsigned?.message.contains("key_id") == true, "\(unsigned.map { "\($0)" } ?? "")")
    #expect(
      try db.queryOne("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'certificate'::regclass AND attname = 'key_id'")?
        .decode("attnotnull", as: Bool.self) == true)
    // A serial's year is the German year of issue: a certificate with this year's serial whose
    // row says it was issued in another year is refused.
    let backdated = #expect(throws: PostgresError.self) {
      try db.transaction { tx in
        let serial = try serial(tx, try tx.queryOne("SELECT certificate_take_serials(1) AS n")?.decode("n") ?? 0)
        try tx.execute(
          """
          INSERT INTO certificate (serial, kind, module_number, participant_id, programme_id, programme_version_id, completed_on,
                                   issued_at, pdf, pdf_sha256, snapshot, key_id, signature)
          SELECT \(serial), 'teilnahmebescheinigung', 1, 1, 1, 1, '2024-12-01', '2024-12-31 22:30+00',
                 convert_to('%PDF- /Keywords (' || \(serial) || ' https://example.org/p?c=BQ1.e30.' || repeat('A', 86) || ')', 'UTF8'),
                 repeat('7', 64), jsonb_build_object('serial', \(serial)::text, 'keyID', 'k-0000000000000000',
                 'qrPayload', 'https://example.org/p?c=BQ1.e30.' || repeat('A', 86)), 'k-0000000000000000', repeat('A', 86)
          """)
      }
    }
    #expect(backdated?.constraint == "certificate_serial_year_of_issue", "\(backdated.map { "\($0)" } ?? "")")
    // The German year decides, at the turn of the year: 23:30 UTC on 31 December is already the
    // new year in Germany, 22:30 UTC is not (tried with the register's triggers off, on the check
    // alone, and rolled back).
    let year = Int(first.dropFirst(3).prefix(4)) ?? 0
    try db.execute("BEGIN")
    try db.execute("SET LOCAL session_replication_role = replica")
    try db.execute(
      SQL.unsafeRaw("UPDATE certificate SET issued_at = timestamptz '\(year - 1)-12-31 23:30+00' WHERE serial = '\(first)'"))
    let lastDayBefore = #expect(throws: PostgresError.self) {
      try db.execute(
        SQL.unsafeRaw("UPDATE certificate SET issued_at = timestamptz '\(year - 1)-12-31 22:30+00' WHERE serial = '\(first)'"))
    }
    #expect(lastDayBefore?.constraint == "certificate_serial_year_of_issue")
    try db.execute("ROLLBACK")
    // Statuses change through revoke and reissue only; even the role those functions run as
    // cannot mark a certificate superseded without a successor that names it (checked at commit).
    let byHand = #expect(throws: PostgresError.self) {
      try db.execute(
        "UPDATE certificate SET status = 'superseded', superseded_at = now(), superseded_by = 1 WHERE serial = \(second)")
    }
    #expect(byHand?.sqlState == "42501")
    let dangling = #expect(throws: PostgresError.self) {
      try db.transaction { tx in
        try tx.execute("SET LOCAL ROLE beccaria_registrar")
        try tx.execute(
          """
          UPDATE certificate SET status = 'superseded', superseded_at = now(),
                 superseded_by = (SELECT id FROM certificate WHERE serial = \(first))
          WHERE serial = \(second)
          """)
      }
    }
    #expect(dangling?.constraint == "certificate_supersession_linked")
    // A replacement is for the same holder, programme and kind: not for another participant.
    try db.execute(
      """
      INSERT INTO participant (family_name, given_names, email, municipality_ags)
      SELECT 'Andere', 'Person', 'andere@example.org', municipality_ags FROM participant WHERE id = 1
      """)
    let other = #expect(throws: PostgresError.self) {
      try issue(db, participant: 2, hash: String(repeating: "e", count: 64), supersedes: second)
    }
    #expect(other?.constraint == "certificate_replacement_matches")
    // A retired key signs nothing new, whoever inserts.
    try db.execute("UPDATE signing_key SET retired_at = now() WHERE key_id = 'k-0000000000000000'")
    let retired = #expect(throws: PostgresError.self) { try issue(db, module: 2, hash: String(repeating: "f", count: 64)) }
    #expect(retired?.constraint == "certificate_key_not_retired")
    #expect(try db.queryOne("SELECT count(*)::integer AS n FROM certificate")?.decode("n", as: Int.self) == 2)
    #expect(try db.queryOne("SELECT last_number AS n FROM certificate_serial_counter")?.decode("n", as: Int.self) == 2)
  }

  @Test func issuedContentIsFrozenAndNeverDeleted() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    try db.execute("INSERT INTO signing_key (key_id, public_key) VALUES ('k-0000000000000000', decode(repeat('00', 32), 'hex'))")
    let serial = try issue(db, hash: String(repeating: "c", count: 64), extra: "{\"name\": \"Měrćin Wjeńka\"}")
    let edit = #expect(throws: PostgresError.self) {
      try db.execute("UPDATE certificate SET snapshot = snapshot || '{\"name\": \"Someone Else\"}'")
    }
    #expect(edit?.sqlState == "42501")
    let delete = #expect(throws: PostgresError.self) { try db.execute("DELETE FROM certificate") }
    #expect(delete?.sqlState == "42501")
    let truncate = #expect(throws: PostgresError.self) { try db.execute("TRUNCATE certificate CASCADE") }
    #expect(truncate?.sqlState == "42501")
    // Revocation by hand is refused, through its function it is recorded, and it is final.
    let byHand = #expect(throws: PostgresError.self) {
      try db.execute("UPDATE certificate SET status = 'revoked', revoked_at = now(), revocation_reason = 'Fehler'")
    }
    #expect(byHand?.sqlState == "42501")
    try db.execute("SELECT certificate_revoke(\(serial), 'Fehler')")
    #expect(try db.queryOne("SELECT status AS v FROM certificate_status_event")?.decode("v", as: String.self) == "revoked")
    let back = #expect(throws: PostgresError.self) {
      try db.execute("UPDATE certificate SET status = 'valid', revoked_at = NULL, revocation_reason = NULL")
    }
    #expect(back?.sqlState == "42501")
    let backAsRegistrar = #expect(throws: PostgresError.self) {
      try db.transaction { tx in
        try tx.execute("SET LOCAL ROLE beccaria_registrar")
        try tx.execute("UPDATE certificate SET status = 'valid', revoked_at = NULL, revocation_reason = NULL")
      }
    }
    #expect(backAsRegistrar?.constraint == "certificate_status_forward")
    let again = #expect(throws: PostgresError.self) { try db.execute("SELECT certificate_revoke(\(serial), 'nochmal')") }
    #expect(again?.constraint == "certificate_status_forward")
  }

  /// Schema 0022: a programme's events lie in 2000 to 2099, whoever writes them.
  @Test func eventDaysLieInTheProgrammesEra() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    for (statement, constraint) in [
      (
        """
        INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue)
        VALUES (1, 1, 1, '0001-01-06', '09:00', '10:30', 2)
        """,
        "session_day_in_era"
      ),
      ("UPDATE course SET starts_on = '1899-12-31' WHERE id = 1", "course_dates_in_era"),
      (
        "INSERT INTO assessment (participant_id, programme_id, course_id, result, title, assessed_on) VALUES (1, 1, 1, 'passed', 'x', '0001-03-01')",
        "assessment_day_in_era"
      ),
    ] {
      let refused = #expect(throws: PostgresError.self, "\(statement)") { try db.execute(SQL.unsafeRaw(statement)) }
      #expect(refused?.constraint == constraint, "\(statement): \(refused.map { "\($0)" } ?? "")")
    }
  }

  @Test func capacityCannotBeExceededEvenByHand() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    try db.executeScript(
      unsafeSQL: """
        INSERT INTO participant (family_name, given_names) VALUES ('B', 'B'), ('C', 'C');
        INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, enrolled_at)
          VALUES (1, 1, 2, 'programme', 'enrolled', now());
        """)
    let error = #expect(throws: PostgresError.self) {
      try db.execute(
        "INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, enrolled_at) VALUES (1, 1, 3, 'programme', 'enrolled', now())"
      )
    }
    #expect(error?.constraint == "course_within_capacity")
    #expect(try db.queryOne("SELECT seats_taken FROM course")?.decode("seats_taken", as: Int.self) == 2)
  }

  @Test func theAuditLogRecordsChangesAndCannotBeRewritten() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    try db.execute("SELECT set_config('beccaria.actor', 'Frau Kühn', false)")
    try db.execute("UPDATE participant SET family_name = 'Wjeńkowa' WHERE id = 1")
    let row = try #require(
      try db.queryOne(
        "SELECT actor, action, old_values->>'family_name' AS old, new_values->>'family_name' AS new, participant_id FROM audit_log WHERE table_name = 'participant' AND action = 'UPDATE'"
      ))
    #expect(try row.decode("actor", as: String.self) == "Frau Kühn")
    #expect(try row.decode("old", as: String.self) == "Wjeńka")
    #expect(try row.decode("new", as: String.self) == "Wjeńkowa")
    #expect(try row.decode("participant_id", as: Int.self) == 1)
    for statement: SQL in ["UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
      let error = #expect(throws: PostgresError.self) { try db.execute(statement) }
      #expect(error?.sqlState == "42501")
    }
  }

  @Test func overlappingSessionsOfOneTrainerAreRefused() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    try db.executeScript(
      unsafeSQL: """
        INSERT INTO trainer (name, email) VALUES ('Dr. Anna Schulz', 'anna.schulz@example.org');
        INSERT INTO course (code, programme_version_id, title, capacity)
          VALUES ('BQ-SN-2027-2', 1, 'Durchgang 2027/2', 2), ('BQ-SN-2027-3', 1, 'Durchgang 2027/3', 2);
        INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue)
          VALUES (2, 1, 1, '2026-03-07', '15:00', '17:00', 2), (3, 1, 1, '2026-03-07', '16:00', '17:30', 2);
        INSERT INTO session_trainer (session_id, trainer_id) VALUES (1, 1);
        """)
    let error = #expect(throws: PostgresError.self) {
      try db.execute("INSERT INTO session_trainer (session_id, trainer_id) VALUES (2, 1)")
    }
    #expect(error?.sqlState == "23P01")
    #expect(error?.constraint == "session_trainer_no_overlap")
    try db.execute("INSERT INTO session_trainer (session_id, trainer_id) VALUES (3, 1)")
    // Moving a session onto another of the same trainer is refused as well: the trainer's copy
    // of the times follows the session (foreign key ON UPDATE CASCADE) and meets the constraint.
    let moved = #expect(throws: PostgresError.self) {
      try db.execute("UPDATE session SET starts_at = '14:00', ends_at = '16:00' WHERE id = 3")
    }
    #expect(moved?.constraint == "session_trainer_no_overlap")
    try db.execute("UPDATE session SET starts_at = '17:00', ends_at = '18:30' WHERE id = 3")
    #expect(
      try db.queryOne("SELECT during::text AS d FROM session_trainer WHERE session_id = 3")?.decode("d", as: String.self)
        == "[\"2026-03-07 17:00:00\",\"2026-03-07 18:30:00\")")
    // The copy cannot be set apart from its session, and one cohort meets once at a time.
    let stale = #expect(throws: PostgresError.self) {
      try db.execute("UPDATE session_trainer SET during = tsrange('2026-03-07 06:00', '2026-03-07 07:00') WHERE session_id = 3")
    }
    #expect(stale?.constraint == "session_trainer_follows_session")
    let twice = #expect(throws: PostgresError.self) {
      try db.execute(
        "INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue) VALUES (3, 1, 2, '2026-03-07', '18:00', '19:30', 2)"
      )
    }
    #expect(twice?.constraint == "session_no_overlap_in_course")
  }

  @Test func aSessionHoldsItsUEInTheMinutesItsProgrammeGivesThem() throws {
    let (database, db) = try seeded()
    defer { database.drop() }
    // The seeded version gives no UE minutes: 45, as the Beccaria programme's. A second programme
    // has UE of 60 minutes.
    try db.executeScript(
      unsafeSQL: """
        INSERT INTO programme (code) VALUES ('sechzig');
        INSERT INTO programme_version (programme_id, version, title, attendance_threshold, excused_counts,
                                       project_required, definition, definition_sha256)
          VALUES (2, 1, 'Sechzig', 0.8, false, false, '{"ueMinutes": 60}', repeat('b', 64));
        INSERT INTO programme_module (programme_version_id, number, title, ue, blocks) VALUES (2, 1, 'Eins', 8, '[]');
        INSERT INTO course (code, programme_version_id, title, capacity) VALUES ('SX-1', 2, 'Sechzig 1', 5);
        INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue)
          VALUES (1, 1, 1, '2026-03-08', '09:00', '11:15', 3), (2, 2, 1, '2026-03-08', '09:00', '11:00', 2);
        """)
    let tooMany = #expect(throws: PostgresError.self) {
      try db.execute(
        "INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue) VALUES (2, 2, 1, '2026-03-09', '09:00', '11:15', 3)"
      )
    }
    #expect(tooMany?.constraint == "session_ue_fits_time")
    #expect(
      tooMany?.message.contains("3 UE of 60 minutes need 180 minutes, but 09:00–11:15 has only 135") == true,
      "\(tooMany?.message ?? "")")
    let shortened = #expect(throws: PostgresError.self) {
      try db.execute("UPDATE session SET ends_at = '11:00' WHERE course_id = 1 AND day = '2026-03-08'")
    }
    #expect(shortened?.constraint == "session_ue_fits_time")
  }
}
