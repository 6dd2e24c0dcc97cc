import BeccariaStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct MigrationTests {
  @Test func freshApplyThenReapplyIsANoOp() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let shipped = try EmbeddedMigrations.all()
    #expect(shipped.count >= 2)
    #expect(shipped.map(\.version) == shipped.map(\.version).sorted())
    let migrator = Migrator(connection: db, migrations: shipped)
    #expect(try migrator.status().allSatisfy { $0.status == .pending })
    let applied = try migrator.migrate()
    #expect(applied.map(\.name) == shipped.map(\.name))
    #expect(try migrator.migrate().isEmpty)
    let states = try migrator.status()
    #expect(states.count == shipped.count)
    #expect(states.allSatisfy { $0.status == .applied && $0.appliedAt != nil })
    let recorded = try db.query("SELECT name, checksum FROM schema_migration ORDER BY version")
    #expect(try recorded.map { try $0.decode("checksum", as: String.self) } == shipped.map(\.checksum))
  }

  @Test func anAppliedFileThatChangedIsRefused() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    var shipped = try EmbeddedMigrations.all()
    let first = shipped[0]
    shipped[0] = try Migration(name: first.name, bytes: Data((first.sql + "\n-- edited afterwards\n").utf8))
    let migrator = Migrator(connection: db, migrations: shipped)
    let error = #expect(throws: MigrationError.self) { try migrator.migrate() }
    guard case .changedAfterApply(let name, _, _) = error else {
      Issue.record("expected changedAfterApply, got \(String(describing: error))")
      return
    }
    #expect(name == first.name)
    #expect(try migrator.status().first?.status == .changed)
  }

  @Test func aMigrationUnknownToThisBuildIsRefused() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    try db.execute(
      "INSERT INTO schema_migration (version, name, checksum) VALUES (9999, '9999_future.sql', \(String(repeating: "a", count: 64)))"
    )
    let migrator = Migrator(connection: db, migrations: try EmbeddedMigrations.all())
    #expect(throws: MigrationError.unknownApplied(name: "9999_future.sql")) { try migrator.migrate() }
  }

  @Test func aFailingMigrationLeavesNoTrace() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let broken = [
      try Migration(name: "0001_ok.sql", bytes: Data("CREATE TABLE ok (id integer);".utf8)),
      try Migration(name: "0002_broken.sql", bytes: Data("CREATE TABLE half (id integer); SELECT 1/0;".utf8)),
    ]
    #expect(throws: PostgresError.self) { try Migrator(connection: db, migrations: broken).migrate() }
    #expect(try db.queryOne("SELECT to_regclass('half') IS NULL AS gone")?.decode("gone", as: Bool.self) == true)
    #expect(try db.queryOne("SELECT count(*) AS n FROM schema_migration")?.decode("n", as: Int.self) == 1)
  }

  @Test func concurrentMigratorsEndWithOneSchema() async throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let shipped = try EmbeddedMigrations.all()
    let appliedCounts = try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<4 {
        group.addTask {
          let db = try database.connect()
          return try Migrator(connection: db, migrations: shipped).migrate().count
        }
      }
      return try await group.reduce(into: [Int]()) { $0.append($1) }
    }
    #expect(appliedCounts.sorted() == [0, 0, 0, shipped.count])
    let db = try database.connect()
    #expect(try db.queryOne("SELECT count(*) AS n FROM schema_migration")?.decode("n", as: Int.self) == shipped.count)
  }

  @Test func migrationFileNamesAreChecked() {
    #expect(throws: MigrationError.badName("1_x.sql")) { try Migration(name: "1_x.sql", bytes: Data()) }
    #expect(throws: MigrationError.badName("0003_x.txt")) { try Migration(name: "0003_x.txt", bytes: Data()) }
  }

  @Test func aFileMarkedToRunOutsideATransactionBuildsAnIndexConcurrently() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let table = try Migration(
      name: "0001_t.sql", bytes: Data("CREATE TABLE t (id integer); INSERT INTO t SELECT generate_series(1, 1000);".utf8))
    let inTransaction = try Migration(name: "0002_i.sql", bytes: Data("CREATE INDEX CONCURRENTLY t_id ON t (id);".utf8))
    let refused = #expect(throws: PostgresError.self) {
      try Migrator(connection: db, migrations: [table, inTransaction]).migrate()
    }
    #expect(refused?.message.contains("cannot run inside a transaction block") == true, "\(refused?.message ?? "")")
    let outside = try Migration(
      name: "0002_i.sql",
      bytes: Data(
        """
        -- beccaria: no transaction
        -- A stopped build leaves an invalid index behind: drop it first, so that this runs again.
        DROP INDEX CONCURRENTLY IF EXISTS t_id;
        CREATE INDEX CONCURRENTLY t_id
          ON t (id);
        """.utf8))
    #expect(outside.outsideTransaction)
    #expect(outside.statements.count == 2)
    #expect(try Migrator(connection: db, migrations: [table, outside]).migrate().map(\.name) == ["0002_i.sql"])
    #expect(
      try db.queryOne("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass")?.decode("indisvalid", as: Bool.self)
        == true)
    #expect(throws: MigrationError.dollarQuotedOutsideTransaction("0003_f.sql")) {
      try Migration(
        name: "0003_f.sql",
        bytes: Data("-- beccaria: no transaction\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;".utf8))
    }
  }

  @Test func aMigrationThatWaitedTooLongForALockIsTriedAgain() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let table = try Migration(name: "0001_t.sql", bytes: Data("CREATE TABLE t (id integer);".utf8))
    try Migrator(connection: db, migrations: [table]).migrate()
    // A long reader holds the table for 1.6 s; the ALTER waits 1 s, gives up, and is tried again.
    let (holding, released) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
    Thread.detachNewThread {
      if let reader = try? database.connect() {
        try? reader.execute("BEGIN")
        try? reader.execute("SELECT count(*) FROM t")
        holding.signal()
        Thread.sleep(forTimeInterval: 1.6)
        try? reader.execute("COMMIT")
      } else {
        holding.signal()
      }
      released.signal()
    }
    holding.wait()
    let alter = try Migration(name: "0002_a.sql", bytes: Data("ALTER TABLE t ADD COLUMN name text;".utf8))
    let applied = try Migrator(connection: db, migrations: [table, alter], lockTimeout: 1, attempts: 3, retryPause: 0.5).migrate()
    released.wait()
    #expect(applied.map(\.name) == ["0002_a.sql"])
    // With a single attempt the same wait ends in a clear error naming the lock.
    let reader = try database.connect()
    try reader.execute("BEGIN")
    try reader.execute("SELECT count(*) FROM t")
    defer { _ = try? reader.execute("COMMIT") }
    let again = try Migration(name: "0003_b.sql", bytes: Data("ALTER TABLE t ADD COLUMN note text;".utf8))
    let error = #expect(throws: MigrationError.self) {
      try Migrator(connection: db, migrations: [table, alter, again], lockTimeout: 1, attempts: 1).migrate()
    }
    #expect(
      "\(error.map { "\($0)" } ?? "")".contains("waited 1 s for a lock on a table that migration 0003_b.sql reads or changes"))
  }

  /// What an office has after using a database at one schema version: a programme, a cohort,
  /// people enrolled and waiting, attendance, an assessment, and a certificate as that version
  /// issued it (unsigned before 0005; through the serial function from 0015).
  static let population = """
      INSERT INTO municipality (ags, name, district) VALUES ('14612000', 'Dresden', 'Dresden');
      INSERT INTO programme (code) VALUES ('beccaria-fachkraft');
      INSERT INTO programme_version (programme_id, version, title, attendance_threshold, excused_counts, project_required, definition, definition_sha256)
        VALUES (1, 1, 'Fachkraft', 0.8, false, true, '{}', repeat('a', 64));
      INSERT INTO programme_module (programme_version_id, number, title, ue, blocks) VALUES (1, 1, 'Kriminologie', 16, '[]'), (1, 2, 'Prävention', 16, '[]');
      INSERT INTO course (code, programme_version_id, title, capacity, starts_on) VALUES ('BQ-SN-2025-1', 1, 'Durchgang 2025', 2, '2025-01-01');
      INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue)
        VALUES (1, 1, 1, '2025-03-01', '09:00', '16:00', 8), (1, 1, 1, '2025-03-02', '09:00', '16:00', 8),
               (1, 1, 2, '2025-03-08', '09:00', '16:00', 8), (1, 1, 2, '2025-03-09', '09:00', '16:00', 8);
      INSERT INTO participant (family_name, given_names, birth_date, municipality_ags, email)
        VALUES ('Wjeńka', 'Měrćin', '1980-05-01', '14612000', 'm@example.org'), ('Schulz', 'Anna', '1975-01-01', '14612000', NULL),
               ('Öztürk', 'Ayşe', '1990-02-02', '14612000', NULL);
      INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, enrolled_at)
        VALUES (1, 1, 1, 'programme', 'enrolled', now()), (1, 1, 2, 'programme', 'enrolled', now());
      INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, queue_number)
        VALUES (1, 1, 3, 'programme', 'waiting', 1);
      INSERT INTO attendance (session_id, participant_id, status, ue_attended)
        SELECT s.id, 1, 'present', 8 FROM session s;
      INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (1, 2, 'absent', 0);
      INSERT INTO assessment (participant_id, programme_id, course_id, result, title, assessed_on) VALUES (1, 1, 1, 'passed', 'Projekt', '2025-03-10');
    """
  static func certificate(atVersion version: Int) -> String {
    if version < 5 {
      return """
        INSERT INTO certificate_serial_counter (year, last_number) VALUES (2025, 1);
        INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, completed_on, pdf, pdf_sha256, snapshot)
        VALUES ('BQ-2025-000001', 'zertifikat', 1, 1, 1, '2025-03-10', '\\x255044462d', repeat('c', 64), '{"serial": "BQ-2025-000001"}');
        """
    } else if version < 15 {
      return """
        INSERT INTO signing_key (key_id, public_key, label) VALUES ('k-00000000000000aa', decode(repeat('ab', 32), 'hex'), 'alt');
        INSERT INTO certificate_serial_counter (year, last_number) VALUES (2025, 1);
        INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, completed_on, pdf, pdf_sha256, snapshot, key_id, signature)
        VALUES ('BQ-2025-000001', 'zertifikat', 1, 1, 1, '2025-03-10',
                convert_to('%PDF- /Keywords (BQ-2025-000001 https://example.org/p?c=BQ1.e30.' || repeat('A', 86) || ')', 'UTF8'), repeat('c', 64),
                jsonb_build_object('serial', 'BQ-2025-000001', 'keyID', 'k-00000000000000aa', 'qrPayload', 'https://example.org/p?c=BQ1.e30.' || repeat('A', 86)),
                'k-00000000000000aa', repeat('A', 86));
        """
    }
    return """
      INSERT INTO signing_key (key_id, public_key, label) VALUES ('k-00000000000000aa', decode(repeat('ab', 32), 'hex'), 'alt');
      INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, completed_on, pdf, pdf_sha256, snapshot, key_id, signature)
      SELECT s, 'zertifikat', 1, 1, 1, '2025-03-10',
              convert_to('%PDF- /Keywords (' || s || ' https://example.org/p?c=BQ1.e30.' || repeat('A', 86) || ')', 'UTF8'), repeat('c', 64),
              jsonb_build_object('serial', s, 'keyID', 'k-00000000000000aa', 'qrPayload', 'https://example.org/p?c=BQ1.e30.' || repeat('A', 86)),
              'k-00000000000000aa', repeat('A', 86)
      FROM (SELECT 'BQ-' || extract(year FROM now() AT TIME ZONE 'Europe/Berlin')::int || '-' || lpad(certificate_take_serials(1)::text, 6, '0') AS s) t;
      """
  }

  @Test func aPopulatedDatabaseMigratesFromEveryEarlierVersion() throws {
    let shipped = try EmbeddedMigrations.all()
    for applied in 1..<shipped.count {
      let database = try TestDatabase.empty()
      defer { database.drop() }
      let db = try database.connect()
      try Migrator(connection: db, migrations: Array(shipped.prefix(applied))).migrate()
      try db.executeScript(unsafeSQL: "BEGIN;\n" + Self.population + Self.certificate(atVersion: applied) + "\nCOMMIT;")
      let now = try Migrator(connection: db, migrations: shipped).migrate()
      #expect(now.count == shipped.count - applied, "from version \(applied)")
      let counts = try db.queryOne(
        """
        SELECT (SELECT count(*) FROM participant)::integer AS people, (SELECT count(*) FROM attendance)::integer AS records,
               (SELECT count(*) FROM certificate)::integer AS certificates, (SELECT count(*) FROM enrolment WHERE status = 'waiting')::integer AS waiting
        """)
      #expect(try counts?.decode("people", as: Int.self) == 3, "from version \(applied)")
      #expect(try counts?.decode("records", as: Int.self) == 5, "from version \(applied)")
      #expect(try counts?.decode("certificates", as: Int.self) == 1, "from version \(applied)")
      #expect(try counts?.decode("waiting", as: Int.self) == 1, "from version \(applied)")
      #expect(try Migrator(connection: db, migrations: shipped).status().allSatisfy { $0.status == .applied })
      // A certificate issued before signatures stays unsigned and can still be revoked; after
      // that, every certificate names its key (NOT NULL where none was ever unsigned).
      let keyRequired = try db.queryOne(
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'certificate'::regclass AND attname = 'key_id'"
      )?.decode("attnotnull", as: Bool.self)
      #expect(keyRequired == (applied >= 5), "from version \(applied)")
      let serial = try db.queryOne("SELECT serial FROM certificate")?.decode("serial", as: String.self) ?? ""
      try db.execute("SELECT certificate_revoke(\(serial), 'Test nach der Migration')")
      let unsigned = #expect(throws: PostgresError.self, "from version \(applied)") {
        try db.transaction { tx in
          let number: Int = try tx.queryOne("SELECT certificate_take_serials(1) AS n")?.decode("n") ?? 0
          try tx.execute(
            """
            INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, module_number, completed_on,
                                     pdf, pdf_sha256, snapshot)
            SELECT s, 'teilnahmebescheinigung', 1, 1, 1, 1, '2025-03-10', '\\x00', repeat('d', 64), jsonb_build_object('serial', s)
            FROM (SELECT 'BQ-' || extract(year FROM beccaria_today())::int || '-' || lpad(\(number)::text, 6, '0') AS s) t
            """)
        }
      }
      // Any of the register's checks may be the first to refuse it (NOT NULL, or where the
      // column stays nullable the signature checks).
      #expect(
        unsigned?.sqlState == "23502"
          || ["certificate_signed", "certificate_signature_kept", "certificate_pdf_carries_code"].contains(
            unsigned?.constraint ?? ""),
        "from version \(applied): \(unsigned.map { "\($0)" } ?? "")")
      let bound = try db.queryOne(
        "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'certificate_signed'")?.decode(
          "def", as: String.self)
      #expect(bound == (applied >= 5 ? nil : "CHECK (((key_id IS NOT NULL) OR (id <= 1)))"), "from version \(applied)")
    }
  }

  @Test func aFileRewrittenAfterReleaseIsAcceptedInItsEarlierText() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    let former = try #require(Migration.rewritten["0006_access.sql"]?.first)
    try db.execute("UPDATE schema_migration SET checksum = \(former) WHERE name = '0006_access.sql'")
    #expect(try Migrator(connection: db, migrations: try EmbeddedMigrations.all()).migrate().isEmpty)
    try db.execute("UPDATE schema_migration SET checksum = repeat('0', 64) WHERE name = '0006_access.sql'")
    #expect(throws: MigrationError.self) { try Migrator(connection: db, migrations: try EmbeddedMigrations.all()).migrate() }
  }
}
