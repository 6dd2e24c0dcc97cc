import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// Attacks on the database made by its own logins, with psql or any libpq client: each must be
/// refused by PostgreSQL, or, where only the owner can do it (disabling a trigger), reported by
/// `audit verify` and by certificate verification. Each test fails when its fix is reverted.
@Suite(.serialized) struct DatabaseAttackTests {
  // MARK: The catalogue: what a future migration must not regress

  @Test func everyFunctionThatReadsTablesPinsItsSearchPathAndPublicExecutesNone() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    let functions = try db.query(
      """
      SELECT p.oid::regprocedure::text AS signature, p.prosecdef AS definer, l.lanname AS language,
             coalesce(array_to_string(p.proconfig, '|'), '') AS config,
             p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public_executes,
             'name'::regtype = ANY(p.proargtypes) AS takes_a_role_name
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
      WHERE p.pronamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
      """)
    #expect(functions.count > 40)
    // Pure functions read no table (they serve indexes and checks, and stay inlinable).
    let pure: Set = [
      "beccaria_today()", "beccaria_fold(text)", "beccaria_scrub(jsonb)", "beccaria_inert(text)",
      "audit_content_sha256(jsonb,jsonb,text)", "audit_row_sha256(audit_log)",
      "audit_link_sha256(bytea,bigint,xid8,bigint,bigint,integer,bytea)",
      "enrolment_covers_day(timestamp with time zone,date)", "participant_search_text(text,text,text)",
    ]
    var definers = 0
    for function in functions {
      let signature: String = try function.decode("signature")
      let definer: Bool = try function.decode("definer")
      let language: String = try function.decode("language")
      let config: String = try function.decode("config")
      if definer { definers += 1 }
      #expect(try function.decode("public_executes", as: Bool.self) == false, "PUBLIC may execute \(signature)")
      if definer {
        #expect(try function.decode("takes_a_role_name", as: Bool.self) == false, "\(signature) answers about any login")
      }
      guard definer || language == "plpgsql" || !pure.contains(signature) else { continue }
      let path = config.split(separator: "|").first { $0.hasPrefix("search_path=") }.map { $0.dropFirst("search_path=".count) }
      let schemas = path.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
      #expect(schemas == ["public", "pg_temp"], "\(signature) runs with search_path \(path ?? "of its caller")")
    }
    #expect(definers > 15)
    // No temporary tables for PUBLIC; identity values are nobody's to choose.
    let temporary = try db.queryOne(
      """
      SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) x
                     WHERE d.datname = current_database() AND x.grantee = 0 AND x.privilege_type = 'TEMPORARY') AS granted
      """)
    #expect(try temporary?.decode("granted", as: Bool.self) == false)
    let writable = try db.query(
      """
      SELECT r.rolname || ' ' || p.privilege || ' ' || c.relname || '.' || a.attname AS v
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid,
           unnest(ARRAY['beccaria_admin', 'beccaria_trainer', 'beccaria_issuer', 'beccaria_auditor']) r(rolname),
           unnest(ARRAY['INSERT', 'UPDATE']) p(privilege)
      WHERE c.relnamespace = 'public'::regnamespace AND a.attidentity <> '' AND NOT a.attisdropped
        AND has_column_privilege(r.rolname, c.oid, a.attname, p.privilege)
      """
    ).map { try $0.decode("v", as: String.self) }
    #expect(writable == [])
    // Every table whose rows are history refuses TRUNCATE (it skips row triggers).
    let truncatable = try db.query(
      """
      SELECT c.relname AS v FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
        AND c.relname NOT IN ('schema_migration', 'certificate_due', 'certificate_run', 'audit_pending', 'retention_policy',
                              'export_file')
        AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgtype & 32 <> 0)
      """
    ).map { try $0.decode("v", as: String.self) }
    #expect(truncatable == [])
  }

  @Test func aSchemaOwnerWithoutSuperuserMigratesAndKeepsNoMembership() throws {
    // The documented set-up: the schema owner may create roles, nothing more. It hands the
    // guarded functions to the NOLOGIN roles, keeps the right to call them, and is no member of
    // those roles afterwards (or it could take them and pass the guards).
    let admin = try Connection(try TestDatabase.adminURL())
    let suffix = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(8))
    let (owner, name) = ("own_\(suffix)", "owned_\(suffix)")
    try admin.execute("CREATE ROLE \(identifier: owner) LOGIN CREATEROLE")
    try admin.execute("CREATE DATABASE \(identifier: name) OWNER \(identifier: owner)")
    defer {
      _ = try? admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
      _ = try? admin.execute("DROP ROLE IF EXISTS \(identifier: owner)")
    }
    let url = try ConnectionString.replacing(["user": owner, "dbname": name], in: try TestDatabase.adminURL())
    let migrate = try Beccaria.run(["db", "migrate"], environment: ["DATABASE_URL": url])
    #expect(migrate.status == 0, "\(migrate.stderr)")
    let db = try Connection(url)
    let functions = try db.query(
      """
      SELECT p.proname || ' ' || pg_get_userbyid(p.proowner) || ' ' || has_function_privilege(current_user, p.oid, 'EXECUTE') AS v
      FROM pg_proc p WHERE p.proname IN ('certificate_take_serials', 'certificate_revoke', 'certificate_reissue', 'participant_erase')
      ORDER BY p.proname
      """
    ).map { try $0.decode("v", as: String.self) }
    #expect(
      functions == [
        "certificate_reissue beccaria_registrar true", "certificate_revoke beccaria_registrar true",
        "certificate_take_serials beccaria_registrar true", "participant_erase beccaria_eraser true",
      ])
    #expect(
      try db.queryOne(
        "SELECT count(*)::integer AS n FROM pg_auth_members WHERE member = current_user::regrole AND roleid::regrole::text IN ('beccaria_registrar', 'beccaria_eraser')"
      )?.decode("n", as: Int.self) == 0)
    #expect(
      try db.queryOne("SELECT has_database_privilege('beccaria_trainer', current_database(), 'TEMPORARY') AS v")?.decode(
        "v", as: Bool.self) == true)
  }

  // MARK: Temporary tables that shadow real ones

  @Test func aTrainersTemporaryTablesShadowNothing() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    // PUBLIC may create no temporary table; the issuer and the auditor may not.
    for login in [fixture.issuer, fixture.auditor] {
      let refused = try fixture.psql(login, "CREATE TEMP TABLE trainer (id bigint);")
      #expect(!refused.succeeded)
      #expect(refused.stderr.contains("permission denied"))
    }
    // Trainers may (schema 0025: they import their attendance lists), and shadows of every table
    // the definer functions read change nothing.
    let trainer = try fixture.connect(fixture.trainerA)
    try trainer.executeScript(
      unsafeSQL: """
        CREATE TEMP TABLE trainer (id bigint, name text, email text, db_login text, active boolean);
        INSERT INTO trainer VALUES (999, 'Mallory', 'm@example.org', session_user, true);
        CREATE TEMP TABLE session_trainer (session_id bigint, trainer_id bigint, during tsrange);
        INSERT INTO session_trainer SELECT g, 999, NULL FROM generate_series(1, 100) g;
        CREATE TEMP TABLE session (id bigint, course_id bigint, programme_version_id bigint, module_number integer, day date,
                                   starts_at time, ends_at time, ue integer, location text);
        INSERT INTO session SELECT g, 1, 1, 1, current_date - 30, '09:00', '17:00', 500, NULL FROM generate_series(1, 100) g;
        CREATE TEMP TABLE enrolment (id bigint, course_id bigint, participant_id bigint, status text, scope text,
                                     enrolled_at timestamptz, ended_at timestamptz);
        INSERT INTO enrolment SELECT g, g, g, 'enrolled', 'programme', now(), NULL FROM generate_series(1, 100) g;
        CREATE TEMP TABLE audit_log (actor text, reason text, table_name text, action text, row_key jsonb, participant_id bigint,
                                     old_values jsonb, new_values jsonb);
        CREATE TEMP TABLE audit_pending (xact xid8, first_id bigint);
        CREATE TEMP TABLE certificate_due (participant_id bigint, programme_id bigint, marked_at timestamptz);
        """)
    // The schedule of the cohort the trainer teaches in, and nothing else (schema 0025).
    let sessions = try trainer.query("SELECT id FROM public.session ORDER BY id").map { try $0.decode("id", as: Int64.self) }
    let cohortSessions = try fixture.owner.query(
      """
      SELECT id FROM session WHERE course_id IN (SELECT course_id FROM session WHERE id = \(fixture.ownSession)) ORDER BY id
      """
    ).map { try $0.decode("id", as: Int64.self) }
    #expect(sessions == cohortSessions && sessions.contains(fixture.ownSession))
    let roster = try trainer.query("SELECT id FROM public.participant ORDER BY id").map { try $0.decode("id", as: Int64.self) }
    #expect(roster == fixture.cohort.people.map(\.rawValue))
    let person = fixture.cohort.people[0].rawValue
    // Another trainer's session stays out of reach; 500 UE in an 8-UE session stay impossible.
    #expect(
      sqlState {
        try trainer.execute(
          """
          INSERT INTO public.attendance (session_id, participant_id, status, ue_attended)
          VALUES (\(fixture.foreignSession), \(person), 'present', 8)
          """)
      } == "42501")
    #expect(
      sqlState {
        try trainer.execute(
          """
          INSERT INTO public.attendance (session_id, participant_id, status, ue_attended)
          VALUES (\(fixture.ownSession), \(person), 'present', 500)
          """)
      } == "23514")
    // A good write lands in the real table, with its real audit row (not in the shadow log).
    try trainer.execute(
      """
      INSERT INTO public.attendance (session_id, participant_id, status, ue_attended)
      VALUES (\(fixture.ownSession), \(person), 'present', 8)
      """)
    #expect(try trainer.queryOne("SELECT count(*)::integer AS n FROM pg_temp.audit_log")?.decode("n", as: Int.self) == 0)
    #expect(
      try fixture.count(
        "SELECT count(*)::integer AS n FROM audit_log WHERE table_name = 'attendance' AND db_user = \(fixture.trainerA)") == 1)
    #expect(
      try fixture.count(
        "SELECT count(*)::integer AS n FROM certificate_due WHERE participant_id = \(person)") == 1)
    let verify = try fixture.auditVerify()
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
  }

  @Test func theOfficesTemporaryTablesShadowNothingEither() throws {
    // The office keeps TEMPORARY (its imports stage files in temporary tables). In one psql
    // session, every definer function it may call runs under shadows of the tables it reads,
    // their values chosen to change the outcome; the real data comes out as without them.
    let fixture = try SecurityFixture(people: 4)
    defer { fixture.drop() }
    let people = fixture.cohort.people.map(\.rawValue)
    let (target, replaced) = (fixture.valid[0], fixture.valid[1])
    // Every table of the schema gets its shadow: a copy where the office may read it, else a
    // table of the same name.
    let shadows = try fixture.owner.query(
      """
      SELECT CASE WHEN has_table_privilege(\(fixture.admin), c.oid, 'SELECT')
                  THEN format('CREATE TEMP TABLE %I AS SELECT * FROM public.%I;', c.relname, c.relname)
                  ELSE format('CREATE TEMP TABLE %I (junk integer);', c.relname) END AS v
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY c.relname
      """
    ).map { try $0.decode("v", as: String.self) }.joined(separator: "\n")
    #expect(shadows.contains("TEMP TABLE audit_log (junk integer)"))
    let session = try fixture.psql(
      fixture.admin,
      """
      SET beccaria.actor = 'Frau Richter';
      \(shadows)
      UPDATE certificate_serial_counter SET last_number = last_number + 5000;
      UPDATE certificate SET status = 'valid', revoked_at = NULL, revocation_reason = NULL, holder_erased_at = now();
      UPDATE participant SET erased_at = now(), erasure_reason = 'schon weg';
      UPDATE signing_key SET retired_at = now();
      UPDATE session SET ue = 500, day = current_date + 10;
      UPDATE course SET capacity = 1, seats_taken = 1, status = 'open';
      DELETE FROM audit_chain_head;
      SELECT certificate_revoke('\(target)', 'Plagiat');
      BEGIN;
      WITH taken AS (SELECT 'BQ-' || extract(year FROM beccaria_today()) || '-' || lpad(certificate_take_serials(1)::text, 6, '0') AS serial),
           document AS (SELECT serial, 'https://example.org/p?c=BQ1.e30.' || repeat('A', 86) AS qr,
                               convert_to('%PDF- /Keywords (' || serial || ' https://example.org/p?c=BQ1.e30.' || repeat('A', 86) || ')',
                                          'UTF8') AS pdf FROM taken)
      SELECT certificate_reissue('\(replaced)', d.serial, d.pdf, encode(sha256(d.pdf), 'hex'),
                                 c.snapshot || jsonb_build_object('serial', d.serial, 'holderName', p.given_names || ' ' || p.family_name,
                                                                  'issuedOn', to_char(beccaria_today(), 'YYYY-MM-DD'), 'qrPayload', d.qr),
                                 c.key_id, repeat('A', 86), 'Namensänderung')
      FROM document d, public.certificate c JOIN public.participant p ON p.id = c.participant_id WHERE c.serial = '\(replaced)';
      COMMIT;
      SELECT export_file_record('certificate', NULL, '\(target)', 'pc-office', '/srv/out/\(target).pdf', repeat('a', 64));
      SELECT participant_export(\(people[3]))->'participant'->>'erased_at' IS NULL;
      SELECT participant_erase(\(people[3]), 'Antrag vom 20.11.2026') IS NOT NULL;
      UPDATE public.attendance SET ue_attended = 6, status = 'late', correction_reason = 'verspätet'
       WHERE participant_id = \(people[0]) AND session_id = (SELECT min(session_id) FROM public.attendance);
      INSERT INTO public.enrolment (course_id, programme_version_id, participant_id, scope, status, enrolled_at)
      SELECT c.id, c.programme_version_id, \(people[1]), 'programme', 'enrolled', now() FROM public.course c WHERE c.code = 'BQ-OTHER-1';
      SELECT course_end_finished() >= 0;
      SELECT count(*) FROM pg_temp.audit_log;
      """)
    #expect(session.succeeded, "\(session.stderr)")
    #expect(session.stdout.split(separator: "\n").suffix(4) == ["t", "t", "t", "0"], "\(session.stdout)")

    // The real tables, as if there were no shadows.
    #expect(try fixture.value("SELECT status AS v FROM certificate WHERE serial = \(target)") == "revoked")
    #expect(try fixture.value("SELECT status AS v FROM certificate WHERE serial = \(replaced)") == "superseded")
    #expect(try fixture.count("SELECT max(last_number) AS n FROM certificate_serial_counter") == fixture.serials.count + 1)
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM participant WHERE erased_at IS NOT NULL") == 1)
    #expect(
      try fixture.count(
        "SELECT count(*)::integer AS n FROM audit_log WHERE scrubbed_at IS NOT NULL AND participant_id <> \(people[3])") == 0)
    #expect(try fixture.count("SELECT seats_taken AS n FROM course WHERE code = 'BQ-OTHER-1'") == 2)
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM export_file WHERE host = 'pc-office'") == 1)
    #expect(
      try fixture.count(
        "SELECT count(*)::integer AS n FROM attendance WHERE participant_id = \(people[0]) AND correction_reason = 'verspätet'")
        == 1)
    #expect(
      try fixture.count(
        "SELECT count(*)::integer AS n FROM audit_log WHERE db_user = \(fixture.admin) AND actor = 'Frau Richter'") > 5)
    let verify = try fixture.auditVerify()
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
  }

  // MARK: The maintenance switch is gone

  @Test func aSettingTurnsNothingOnForAnyRole() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let valid = fixture.valid[0]
    let attacks = [
      "UPDATE certificate SET status = 'valid', revoked_at = NULL, revocation_reason = NULL WHERE serial = '\(fixture.revoked)'",
      "DELETE FROM certificate WHERE serial = '\(valid)'",
      "UPDATE certificate SET snapshot = snapshot || '{\"holderName\": \"Mallory\"}' WHERE serial = '\(valid)'",
      "UPDATE certificate SET holder_erased_at = now() WHERE serial = '\(valid)'",
      "UPDATE audit_log SET actor = 'nobody'",
      "DELETE FROM audit_log",
      "DELETE FROM certificate_status_event",
      "UPDATE audit_chain_head SET seq = 0",
    ]
    for login in fixture.logins + [nil as String?] {
      for attack in attacks {
        let result = try fixture.psql(
          login, "BEGIN;\nSET LOCAL beccaria.maintenance = 'on';\n\(attack);\nCOMMIT;\n")
        #expect(!result.succeeded, "\(login ?? "owner"): \(attack) went through")
        #expect(
          result.stderr.contains("permission denied") || result.stderr.contains("append-only")
            || result.stderr.contains("frozen") || result.stderr.contains("only through")
            || result.stderr.contains("never deleted"),
          "\(login ?? "owner"): \(attack): \(result.stderr)")
      }
    }
    #expect(try fixture.value("SELECT status AS v FROM certificate WHERE serial = \(fixture.revoked)") == "revoked")
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM certificate WHERE holder_erased_at IS NOT NULL") == 0)
    let verify = try fixture.beccaria(nil, ["certificate", "verify", fixture.path(fixture.revoked)])
    #expect(verify.status == 3, "\(verify.stdout)")
  }

  // MARK: Decoy rows and the counter

  @Test func theIssuerCannotPlantDecoysMoveTheCounterOrCancelCohorts() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let genuine = fixture.valid[0]
    let copy = """
      SELECT serial, kind, participant_id, programme_id, programme_version_id, module_number, course_id, completed_on, run_id,
             pdf, pdf_sha256, snapshot, key_id, signature FROM certificate WHERE serial = '\(genuine)'
      """
    let attempts: [(String, String)] = [
      // A lower id, chosen: identity values are the database's.
      (
        """
        INSERT INTO certificate (id, serial, kind, participant_id, programme_id, programme_version_id, completed_on, pdf,
                                 pdf_sha256, snapshot, key_id, signature)
        OVERRIDING SYSTEM VALUE SELECT 0, serial, kind, participant_id, programme_id, programme_version_id, completed_on, pdf,
                                       pdf_sha256, snapshot, key_id, signature FROM certificate WHERE serial = '\(genuine)'
        """, "permission denied"
      ),
      // A second row with the genuine file's hash (and file), its snapshot naming its own serial.
      (
        """
        BEGIN;
        WITH taken AS (SELECT 'BQ-' || extract(year FROM beccaria_today()) || '-'
                              || lpad(certificate_take_serials(1)::text, 6, '0') AS serial)
        INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, module_number, course_id,
                                 completed_on, run_id, pdf, pdf_sha256, snapshot, key_id, signature)
        SELECT t.serial, 'teilnahmebescheinigung', participant_id, programme_id, programme_version_id, 1, course_id,
               completed_on, run_id, pdf, pdf_sha256, snapshot || jsonb_build_object('serial', t.serial), key_id, signature
        FROM (\(copy)) c, taken t;
        COMMIT;
        """, "certificate_pdf_carries_code"
      ),
      // A status of its choosing.
      (
        "INSERT INTO certificate (serial, kind, status, participant_id) VALUES ('BQ-2026-999999', 'zertifikat', 'revoked', 1)",
        "permission denied"
      ),
      ("UPDATE certificate SET status = 'revoked', revoked_at = now(), revocation_reason = 'erfunden'", "permission denied"),
      ("UPDATE certificate_serial_counter SET last_number = last_number + 10", "permission denied"),
      ("INSERT INTO certificate_serial_counter VALUES (2099, 5)", "permission denied"),
      ("BEGIN; SELECT certificate_take_serials(3); COMMIT;", "serials stay gapless"),
      ("SELECT certificate_take_serials(0)", "between 1 and 10000"),
      ("SELECT certificate_take_serials(100000)", "between 1 and 10000"),
      ("UPDATE course SET status = 'cancelled'", "permission denied"),
      ("SELECT certificate_revoke('\(genuine)', 'erfunden')", "permission denied"),
    ]
    for (attack, refusal) in attempts {
      let result = try fixture.psql(fixture.issuer, attack)
      #expect(!result.succeeded, "\(attack) went through")
      #expect(result.stderr.contains(refusal), "\(attack): \(result.stderr)")
    }
    // The owner's psql cannot move the counter either.
    for attack in [
      "UPDATE certificate_serial_counter SET last_number = last_number + 10",
      "UPDATE certificate_serial_counter SET last_number = 0", "DELETE FROM certificate_serial_counter",
    ] {
      #expect(!(try fixture.psql(nil, attack)).succeeded, "\(attack)")
    }
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM certificate") == fixture.serials.count)
    #expect(try fixture.count("SELECT max(last_number) AS n FROM certificate_serial_counter") == fixture.serials.count)
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM course WHERE status = 'cancelled'") == 0)
    // Verifying the genuine file and its serial agree, and the next run continues gaplessly.
    let byFile = try fixture.beccaria(nil, ["certificate", "verify", fixture.path(genuine)])
    let bySerial = try fixture.beccaria(nil, ["certificate", "verify", genuine])
    #expect(byFile.status == 0 && bySerial.status == 0, "\(byFile.stdout)\(bySerial.stdout)")
    try fixture.cohort.issueEarlier(2)
    try fixture.cohort.expectGapless(fixture.serials.count + 2)
  }

  @Test func aRowCarryingAnotherCertificatesSignatureIsForgedWhateverItsSerial() throws {
    // The owner (who may insert anything the constraints allow) plants a row that borrows a
    // genuine snapshot and signature under another serial: refused by the database; planted
    // with the guards off, verification compares the signed serial with the row's.
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let genuine = fixture.valid[0]
    let plant = """
      ALTER TABLE certificate DISABLE TRIGGER USER;
      ALTER TABLE certificate DROP CONSTRAINT certificate_snapshot_matches, DROP CONSTRAINT certificate_pdf_carries_code;
      INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, module_number, completed_on,
                               pdf, pdf_sha256, snapshot, key_id, signature)
      SELECT 'BQ-' || extract(year FROM beccaria_today()) || '-999999', 'teilnahmebescheinigung', participant_id, programme_id,
             programme_version_id, 3, completed_on, pdf, repeat('7', 64), snapshot, key_id, signature
      FROM certificate WHERE serial = '\(genuine)';
      ALTER TABLE certificate ENABLE TRIGGER USER;
      """
    let planted = try fixture.psql(nil, plant)
    #expect(planted.succeeded, "\(planted.stderr)")
    let year = CalendarDate.today().year
    let decoy = try fixture.beccaria(nil, ["certificate", "verify", "BQ-\(year)-999999"])
    #expect(decoy.status == 6, "\(decoy.stdout)")
    #expect(decoy.stdout.contains("does not match its signature"))
    #expect(try fixture.beccaria(nil, ["certificate", "verify", fixture.path(genuine)]).status == 0)
  }

  // MARK: Un-revocation, by every route the owner has

  @Test func anUnRevocationIsRefusedOrReported() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let head = try AuditChain(fixture.owner).head()
    let unrevoke =
      "UPDATE certificate SET status = 'valid', revoked_at = NULL, revocation_reason = NULL WHERE serial = '\(fixture.revoked)'"
    // Refused: every login, the owner's plain UPDATE, and the registrar's role itself.
    for login in fixture.logins + [nil as String?] {
      #expect(!(try fixture.psql(login, unrevoke)).succeeded, "\(login ?? "owner")")
    }
    #expect(!(try fixture.psql(nil, "BEGIN; SET LOCAL ROLE beccaria_registrar; \(unrevoke); COMMIT;")).succeeded)
    #expect(try fixture.auditVerify().status == 0)

    // The owner switches the certificate's guard off: the audit trigger still records it.
    let guardOff = try fixture.psql(
      nil,
      """
      BEGIN;
      ALTER TABLE certificate DISABLE TRIGGER certificate_frozen;
      \(unrevoke);
      ALTER TABLE certificate ENABLE TRIGGER certificate_frozen;
      COMMIT;
      """)
    #expect(guardOff.succeeded, "\(guardOff.stderr)")
    let verify = try fixture.beccaria(nil, ["certificate", "verify", fixture.path(fixture.revoked)])
    #expect(verify.status == 3, "\(verify.stdout)")
    #expect(verify.stdout.contains("not set by certificate revoke or reissue"))
    var audit = try fixture.auditVerify()
    #expect(audit.status == 3, "\(audit.stdout)")
    #expect(audit.stdout.contains("going back from revoked to valid"))
    #expect(audit.stdout.contains("its status history says revoked"))

    // Every user trigger off (no audit row at all): the status history and the last audit entry
    // still say revoked.
    let fixture2 = try SecurityFixture()
    defer { fixture2.drop() }
    let allOff = try fixture2.psql(
      nil,
      """
      BEGIN;
      ALTER TABLE certificate DISABLE TRIGGER USER;
      UPDATE certificate SET status = 'valid', revoked_at = NULL, revocation_reason = NULL WHERE serial = '\(fixture2.revoked)';
      ALTER TABLE certificate ENABLE TRIGGER USER;
      COMMIT;
      """)
    #expect(allOff.succeeded, "\(allOff.stderr)")
    #expect(try fixture2.beccaria(nil, ["certificate", "verify", fixture2.revoked]).status == 3)
    audit = try fixture2.auditVerify()
    #expect(audit.status == 3)
    #expect(audit.stdout.contains("was recorded as revoked, but its status now says valid"), "\(audit.stdout)")

    // The history removed too, behind every guard: the audit chain names the removed rows.
    let erased = try fixture2.psql(
      nil,
      """
      BEGIN;
      ALTER TABLE certificate_status_event DISABLE TRIGGER USER;
      ALTER TABLE audit_log DISABLE TRIGGER USER;
      DELETE FROM certificate_status_event;
      DELETE FROM audit_log WHERE table_name IN ('certificate', 'certificate_status_event') AND action = 'UPDATE';
      DELETE FROM audit_log WHERE table_name = 'certificate_status_event';
      ALTER TABLE certificate_status_event ENABLE TRIGGER USER;
      ALTER TABLE audit_log ENABLE TRIGGER USER;
      COMMIT;
      """)
    #expect(erased.succeeded, "\(erased.stderr)")
    audit = try fixture2.auditVerify()
    #expect(audit.status == 3)
    #expect(audit.stdout.contains("audit rows were removed"), "\(audit.stdout)")

    // A cut tail is consistent in itself; the head printed earlier shows it.
    let cut = try fixture.psql(
      nil,
      """
      BEGIN;
      ALTER TABLE audit_chain DISABLE TRIGGER USER;
      ALTER TABLE audit_chain_head DISABLE TRIGGER USER;
      ALTER TABLE audit_log DISABLE TRIGGER USER;
      DELETE FROM audit_log WHERE xact IN (SELECT xact FROM audit_chain WHERE seq > \(head.seq - 2));
      DELETE FROM audit_chain WHERE seq > \(head.seq - 2);
      UPDATE audit_chain_head SET seq = c.seq, sha256 = c.sha256 FROM audit_chain c WHERE c.seq = \(head.seq - 2);
      ALTER TABLE audit_chain ENABLE TRIGGER USER;
      ALTER TABLE audit_chain_head ENABLE TRIGGER USER;
      ALTER TABLE audit_log ENABLE TRIGGER USER;
      COMMIT;
      """)
    #expect(cut.succeeded, "\(cut.stderr)")
    audit = try fixture.auditVerify(["--head", head.description])
    #expect(audit.status == 3)
    #expect(audit.stdout.contains("the chain was cut"), "\(audit.stdout)")

    // Triggers off altogether, the status history deleted, and a harmless audited update
    // afterwards so that the last audit entry says valid: the revocation is still in the chain.
    let fixture3 = try SecurityFixture()
    defer { fixture3.drop() }
    let quiet = try fixture3.psql(
      nil,
      """
      BEGIN;
      SET session_replication_role = replica;
      UPDATE certificate SET status = 'valid', revoked_at = NULL, revocation_reason = NULL WHERE serial = '\(fixture3.revoked)';
      DELETE FROM certificate_status_event;
      SET session_replication_role = origin;
      COMMIT;
      ALTER TABLE certificate DISABLE TRIGGER certificate_frozen;
      UPDATE certificate SET revocation_reason = 'x' WHERE serial = '\(fixture3.revoked)';
      UPDATE certificate SET revocation_reason = NULL WHERE serial = '\(fixture3.revoked)';
      ALTER TABLE certificate ENABLE TRIGGER certificate_frozen;
      """)
    #expect(quiet.succeeded, "\(quiet.stderr)")
    audit = try fixture3.auditVerify()
    #expect(audit.status == 3)
    #expect(audit.stdout.contains("was recorded as revoked, but its status now says valid"), "\(audit.stdout)")
    #expect(audit.stdout.contains("the status event"), "\(audit.stdout)")
  }

  @Test func changesBehindTheTriggersAreFoundByReplayingTheRegister() throws {
    // With every trigger off (a superuser's replica mode) the owner swaps a PDF and its hash,
    // deletes a certificate, moves the counter back, edits a programme: no audit row is written,
    // and each change is still found, because the rows no longer match their audit history.
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    #expect(try fixture.auditVerify().status == 0)
    let (swapped, deleted) = (fixture.valid[0], fixture.valid[1])
    let tampered = try fixture.psql(
      nil,
      """
      SET session_replication_role = replica;
      UPDATE certificate SET pdf = pdf || '\\x0a'::bytea, pdf_sha256 = repeat('e', 64) WHERE serial = '\(swapped)';
      DELETE FROM certificate_status_event WHERE certificate_id = (SELECT id FROM certificate WHERE serial = '\(deleted)');
      DELETE FROM certificate WHERE serial = '\(deleted)';
      UPDATE certificate_serial_counter SET last_number = 1;
      UPDATE programme_version SET definition = jsonb_set(definition, '{documents,verificationURL}', '"https://phishing.example/pruefen"');
      """)
    #expect(tampered.succeeded, "\(tampered.stderr)")
    let audit = try fixture.auditVerify()
    #expect(audit.status == 3)
    for table in ["certificate", "certificate_serial_counter", "programme_version"] {
      #expect(audit.stdout.contains("the \(table) row"), "\(table): \(audit.stdout)")
    }
    #expect(audit.stdout.contains("is gone, but its audit history does not record its deletion"))
    #expect(audit.stdout.contains("changed behind the audit log"))
  }

  /// Issue 23, item 20: the run's record and its queue are audited, and an update that changes
  /// only a column the audit leaves out (a PDF's bytes) is recorded with its SHA-256.
  @Test func theQueueTheRunAndAPdfOnlyChangeAreOnRecord() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    // The fixture's run is on record, its start and its end.
    #expect(
      try fixture.count(
        "SELECT count(*)::integer AS n FROM audit_log WHERE table_name = 'certificate_run' AND action IN ('INSERT', 'UPDATE')")
        >= 2)
    // An issuer login that drops a due marker (a certificate never issued) is named by the log.
    let person = fixture.cohort.people[1].rawValue
    try fixture.owner.execute(
      "INSERT INTO certificate_due (participant_id, programme_id) VALUES (\(person), 1) ON CONFLICT DO NOTHING")
    let dropped = try fixture.psql(fixture.issuer, "DELETE FROM certificate_due WHERE participant_id = \(person);\n")
    #expect(dropped.succeeded, "\(dropped.stderr)")
    #expect(
      try fixture.value(
        """
        SELECT db_user AS v FROM audit_log WHERE table_name = 'certificate_due' AND action = 'DELETE'
        AND row_key = jsonb_build_object('participant_id', \(person), 'programme_id', 1) ORDER BY id DESC LIMIT 1
        """) == fixture.issuer)
    let verified = try fixture.auditVerify(["--all-tables"])
    #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    // The owner switches the register's guard off and changes nothing but a PDF's bytes: the
    // update is recorded with the old and new digests.
    let serial = fixture.valid[0]
    let swapped = try fixture.psql(
      nil,
      """
      ALTER TABLE certificate DISABLE TRIGGER certificate_frozen;
      UPDATE certificate SET pdf = pdf || '\\x0a'::bytea WHERE serial = '\(serial)';
      ALTER TABLE certificate ENABLE TRIGGER certificate_frozen;
      """)
    #expect(swapped.succeeded, "\(swapped.stderr)")
    let digests = try fixture.owner.queryOne(
      """
      SELECT old_values->>'pdf_digest' AS old, new_values->>'pdf_digest' AS new,
             (SELECT encode(sha256(pdf), 'hex') FROM certificate WHERE serial = \(serial)) AS now
      FROM audit_log WHERE table_name = 'certificate' AND action = 'UPDATE'
        AND row_key = jsonb_build_object('id', (SELECT id FROM certificate WHERE serial = \(serial)))
      ORDER BY id DESC LIMIT 1
      """)
    let (old, new, now) = (
      try digests?.decode("old", as: String?.self), try digests?.decode("new", as: String?.self),
      try digests?.decode("now", as: String?.self)
    )
    #expect(old != nil && new != nil && old != new && new == now, "\(String(describing: old)) \(String(describing: new))")
  }

  @Test func aForgedErasureRecordOrAReplacedCheckingFunctionIsFound() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    // The owner rewrites a revocation's audit row as if an erasure had scrubbed it, and adds a
    // matching erasure record in a sealed transaction of its own.
    let row = try #require(
      try fixture.owner.queryOne(
        "SELECT id FROM audit_log WHERE table_name = 'certificate' AND new_values->>'status' = 'revoked' ORDER BY id LIMIT 1"
      )?.decode("id", as: Int64.self))
    let forged = try fixture.psql(
      nil,
      """
      BEGIN;
      ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
      UPDATE audit_log SET content_sha256 = audit_content_sha256(old_values, new_values, reason), scrubbed_at = now(),
             new_values = old_values, reason = NULL WHERE id = \(row);
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
      COMMIT;
      BEGIN;
      INSERT INTO audit_log (table_name, action, row_key, participant_id, old_values, new_values)
      SELECT 'audit_log', 'UPDATE', jsonb_build_object('id', id), \(fixture.cohort.people[0].rawValue),
             jsonb_build_object('content_sha256', encode(content_sha256, 'hex')),
             jsonb_build_object('content_sha256', encode(audit_content_sha256(old_values, new_values, reason), 'hex'))
      FROM audit_log WHERE id = \(row);
      INSERT INTO audit_pending VALUES (pg_current_xact_id(), (SELECT max(id) FROM audit_log));
      COMMIT;
      """)
    #expect(forged.succeeded, "\(forged.stderr)")
    var audit = try fixture.auditVerify()
    #expect(audit.status == 3)
    #expect(audit.stdout.contains("not written by the erasure of an erased person"), "\(audit.stdout)")
    // The seal's own digest function replaced by one that hides nothing: verification does not
    // use it, and the links it seals from now on do not match what verification computes.
    let fixture2 = try SecurityFixture()
    defer { fixture2.drop() }
    let replaced = try fixture2.psql(
      nil,
      """
      CREATE OR REPLACE FUNCTION audit_row_sha256(a audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$ SELECT sha256('x') $$;
      UPDATE participant SET notes = 'nach dem Austausch' WHERE id = \(fixture2.cohort.people[0].rawValue);
      """)
    #expect(replaced.succeeded, "\(replaced.stderr)")
    audit = try fixture2.auditVerify()
    #expect(audit.status == 3)
    #expect(audit.stdout.contains("audit rows were changed"), "\(audit.stdout)")
  }

  @Test func theOfficeCannotMintCertificatesRewriteProgrammesOrAgeKeys() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let target = fixture.valid[0]
    // A re-issue that certifies something else, or for someone else, is refused.
    let mint = try fixture.psql(
      fixture.admin,
      """
      BEGIN;
      WITH taken AS (SELECT 'BQ-' || extract(year FROM beccaria_today()) || '-' || lpad(certificate_take_serials(1)::text, 6, '0') AS serial),
           document AS (SELECT t.serial, convert_to('PDF ' || t.serial, 'UTF8') AS pdf,
                               c.snapshot || jsonb_build_object('serial', t.serial, 'holderName', 'Mallory Fälscher',
                                                                'issuedOn', to_char(beccaria_today(), 'YYYY-MM-DD')) AS snapshot, c.key_id
                        FROM taken t, certificate c WHERE c.serial = '\(target)')
      SELECT certificate_reissue('\(target)', d.serial, d.pdf, encode(sha256(d.pdf), 'hex'), d.snapshot, d.key_id, repeat('A', 86),
                                 'Namensänderung')
      FROM document d;
      COMMIT;
      """)
    #expect(!mint.succeeded)
    #expect(mint.stderr.contains("must certify what it did"), "\(mint.stderr)")
    // A stored programme version does not change (the verification address of every future certificate).
    let programme = try fixture.psql(
      fixture.admin,
      "UPDATE programme_version SET definition = jsonb_set(definition, '{documents,verificationURL}', '\"https://phishing.example\"')"
    )
    #expect(!programme.succeeded && programme.stderr.contains("does not change"), "\(programme.stderr)")
    // Nor does it gain a module (sessions could then be planned for a module it never had).
    let module = try fixture.psql(
      fixture.admin,
      "INSERT INTO programme_module (programme_version_id, number, title, ue, blocks) VALUES (1, 5, 'Zusatz', 8, '[]')")
    #expect(!module.succeeded && module.stderr.contains("is stored already"), "\(module.stderr)")
    // A key's retirement is dated by the database: what it signed before stays valid.
    let aged = try fixture.psql(fixture.admin, "UPDATE signing_key SET retired_at = '2020-01-01'")
    #expect(aged.succeeded, "\(aged.stderr)")
    #expect(try fixture.beccaria(nil, ["certificate", "verify", fixture.path(target)]).status == 0)
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM signing_key WHERE retired_at < now() - interval '1 hour'") == 0)
    // The office reads no audit entries through the right of access; the auditor does.
    let person = String(fixture.cohort.people[1].rawValue)
    let office = try fixture.beccaria(fixture.admin, ["participant", "export", person])
    #expect(office.status == 0, "\(office.stderr)")
    #expect(office.stdout.contains("the auditor exports it"))
    let auditor = try fixture.beccaria(fixture.auditor, ["participant", "export", person])
    #expect(auditor.stdout.contains("\"table_name\""))
    // Both exports went to standard output; each is on record, and in the audit log.
    let given = try fixture.owner.query(
      "SELECT db_user, destination, with_audit_entries FROM participant_export_given WHERE participant_id = \(fixture.cohort.people[1].rawValue) ORDER BY id"
    ).map {
      "\(try $0.decode("db_user", as: String.self)) \(try $0.decode("destination", as: String.self)) \(try $0.decode("with_audit_entries", as: Bool.self))"
    }
    #expect(given == ["\(fixture.admin) standard output false", "\(fixture.auditor) standard output true"])
    #expect(try fixture.count("SELECT count(*)::integer AS n FROM audit_log WHERE table_name = 'participant_export_given'") == 2)
    #expect(!(try fixture.psql(fixture.admin, "DELETE FROM participant_export_given")).succeeded)
    #expect(
      !(try fixture.psql(
        fixture.admin,
        "SELECT participant_export_record(\(person), 'file', repeat('0', 64)); UPDATE participant_export_given SET destination = 'file'"
      )).succeeded)
    // A run's export folder does not move; trainers read no withdrawal reasons.
    #expect(!(try fixture.psql(fixture.admin, "UPDATE certificate_run SET export_directory = '/elsewhere'")).succeeded)
    #expect(sqlState { _ = try fixture.connect(fixture.trainerA).query("SELECT end_reason FROM enrolment") } == "42501")
    // No bidirectional override reaches the audit log's actor.
    let bidi = try fixture.psql(
      fixture.admin, "SET beccaria.actor = E'Anna \\u202EniamdA'; UPDATE participant SET notes = 'x' WHERE id = \(person);")
    #expect(bidi.succeeded, "\(bidi.stderr)")
    #expect(
      try fixture.value("SELECT actor AS v FROM audit_log WHERE db_user = \(fixture.admin) ORDER BY id DESC LIMIT 1")
        == "Anna niamdA")
  }

  @Test func aRegisterEntryAnswersOnlyForAFileThatCarriesItsOwnCode() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let (target, other) = (fixture.valid[0], fixture.valid[1])
    // The office re-issues a certificate with another holder's PDF (one byte more, for a hash of
    // its own): the database refuses a file that does not carry the new row's code.
    let swap = try fixture.psql(
      fixture.admin,
      """
      BEGIN;
      WITH taken AS (SELECT 'BQ-' || extract(year FROM beccaria_today()) || '-' || lpad(certificate_take_serials(1)::text, 6, '0') AS serial),
           document AS (SELECT t.serial, o.pdf || '\\x0a'::bytea AS pdf, c.key_id, c.signature,
                               c.snapshot || jsonb_build_object('serial', t.serial, 'issuedOn', to_char(beccaria_today(), 'YYYY-MM-DD')) AS snapshot
                        FROM taken t, certificate c, certificate o WHERE c.serial = '\(target)' AND o.serial = '\(other)')
      SELECT certificate_reissue('\(target)', d.serial, d.pdf, encode(sha256(d.pdf), 'hex'), d.snapshot, d.key_id, d.signature,
                                 'Namensänderung')
      FROM document d;
      COMMIT;
      """)
    #expect(!swap.succeeded)
    #expect(swap.stderr.contains("certificate_pdf_carries_code"), "\(swap.stderr)")
    #expect(try fixture.value("SELECT status AS v FROM certificate WHERE serial = \(target)") == "valid")
    // With the checks off, the owner files the other holder's PDF under the target's entry (its
    // hash): that file is not verified as the target's certificate, whose signature is genuine.
    let planted = try fixture.psql(
      nil,
      """
      SET session_replication_role = replica;
      UPDATE certificate SET pdf_sha256 = repeat('0', 64) WHERE serial = '\(target)';
      UPDATE certificate SET pdf_sha256 = (SELECT encode(sha256(pdf), 'hex') FROM certificate WHERE serial = '\(target)')
       WHERE serial = '\(other)';
      UPDATE certificate SET pdf_sha256 = (SELECT encode(sha256(pdf), 'hex') FROM certificate WHERE serial = '\(other)')
       WHERE serial = '\(target)';
      """)
    #expect(planted.succeeded, "\(planted.stderr)")
    let otherFile = try fixture.beccaria(nil, ["certificate", "verify", fixture.path(other)])
    #expect(otherFile.status == 6, "\(otherFile.stdout)")
    #expect(otherFile.stdout.contains("registered as certificate \(target), but it does not carry that certificate's code"))
    #expect(!otherFile.stdout.contains("VALID"))
    #expect(try fixture.beccaria(nil, ["certificate", "verify", fixture.path(target)]).status == 6)
  }

  @Test func retentionPeriodsChangeOnlyByAnAuditedUpdate() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let set = try fixture.beccaria(fixture.admin, ["retention", "set", "--attendance-years", "5", "--participant-years", "10"])
    #expect(set.status == 0, "\(set.stderr)")
    // Deleting and re-inserting the row (which left no audit entry and an old time) is refused.
    for attack in [
      "DELETE FROM retention_policy", "INSERT INTO retention_policy VALUES (true, 1, 1, '2020-01-01')",
      """
      BEGIN; CREATE TEMP TABLE keep AS SELECT * FROM retention_policy; DELETE FROM retention_policy;
      INSERT INTO retention_policy SELECT true, 1, 1, updated_at FROM keep; COMMIT;
      """,
    ] {
      let result = try fixture.psql(fixture.admin, attack)
      #expect(!result.succeeded && result.stderr.contains("only changed"), "\(attack): \(result.stderr)")
    }
    #expect(!(try fixture.psql(nil, "TRUNCATE retention_policy")).succeeded)
    // An UPDATE by hand is dated by the database and audited.
    let byHand = try fixture.psql(
      fixture.admin, "UPDATE retention_policy SET attendance_detail_years = 1, updated_at = '2020-01-01'")
    #expect(byHand.succeeded, "\(byHand.stderr)")
    #expect(
      try fixture.count("SELECT count(*)::integer AS n FROM retention_policy WHERE updated_at > now() - interval '1 hour'") == 1)
    #expect(
      try fixture.count(
        "SELECT count(*)::integer AS n FROM audit_log WHERE table_name = 'retention_policy' AND db_user = \(fixture.admin)") == 2)
    #expect(try fixture.auditVerify(["--all-tables"]).status == 0)
    // Behind the triggers, the change is found by comparing the row with its history.
    let hidden = try fixture.psql(
      nil, "SET session_replication_role = replica; UPDATE retention_policy SET participant_years = 1;")
    #expect(hidden.succeeded, "\(hidden.stderr)")
    let audit = try fixture.auditVerify(["--all-tables"])
    #expect(audit.status == 3)
    #expect(audit.stdout.contains("retention_policy"), "\(audit.stdout)")
  }

  @Test func aChangedAuditRowIsNamedByAuditVerify() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let row = try #require(
      try fixture.owner.queryOne("SELECT id FROM audit_log WHERE table_name = 'participant' ORDER BY id LIMIT 1")?.decode(
        "id", as: Int64.self))
    let edited = try fixture.psql(
      nil,
      """
      BEGIN;
      ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
      UPDATE audit_log SET new_values = new_values || '{"family_name": "Niemand"}' WHERE id = \(row);
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
      COMMIT;
      """)
    #expect(edited.succeeded, "\(edited.stderr)")
    let audit = try fixture.auditVerify(["--format", "json"])
    #expect(audit.status == 3)
    let result = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
    let first = try #require((result["problems"] as? [[String: Any]])?.first)
    #expect(first["row"] as? Int == Int(row))
    #expect(first["problem"] as? String == "audit rows were changed")
  }

  // MARK: Smaller leaks

  @Test func provenanceIsTheDatabasesAndHelpersAnswerOnlyForTheCaller() throws {
    let fixture = try SecurityFixture()
    defer { fixture.drop() }
    let person = fixture.cohort.people[0].rawValue
    // A trainer names another trainer: the database records who they are.
    let forged = try fixture.psql(
      fixture.trainerA,
      """
      SET beccaria.actor = 'Bert B';
      INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(fixture.ownSession), \(person), 'present', 8);
      """)
    #expect(forged.succeeded, "\(forged.stderr)")
    #expect(
      try fixture.value(
        "SELECT recorded_by AS v FROM attendance WHERE session_id = \(fixture.ownSession) AND participant_id = \(person)")
        == "Anna A")
    #expect(
      try fixture.value(
        "SELECT actor AS v FROM audit_log WHERE table_name = 'attendance' AND db_user = \(fixture.trainerA) ORDER BY id DESC LIMIT 1"
      )
        == "Anna A")
    for attack in [
      "INSERT INTO attendance (session_id, participant_id, status, ue_attended, recorded_by) VALUES (\(fixture.ownSession), \(fixture.cohort.people[1].rawValue), 'present', 8, 'Bert B')",
      "UPDATE attendance SET recorded_by = 'Bert B' WHERE session_id = \(fixture.ownSession)",
      "UPDATE attendance SET recorded_at = now() - interval '1 year' WHERE session_id = \(fixture.ownSession)",
      "UPDATE attendance SET participant_id = \(fixture.cohort.people[1].rawValue) WHERE session_id = \(fixture.ownSession)",
      "SELECT beccaria_teaches_session('\(fixture.trainerB)', \(fixture.foreignSession))",
    ] {
      let result = try fixture.psql(fixture.trainerA, attack)
      #expect(!result.succeeded, "\(attack)")
    }
    #expect(try fixture.psql(fixture.trainerA, "SELECT beccaria_teaches_session(\(fixture.foreignSession))").stdout.contains("f"))
    // holder_erased_at and erased_at are erasure's alone.
    for attack in [
      "UPDATE certificate SET holder_erased_at = now()",
      "UPDATE participant SET erased_at = now(), erasure_reason = 'x' WHERE id = \(person)",
    ] {
      #expect(!(try fixture.psql(fixture.admin, attack)).succeeded, "\(attack)")
      #expect(!(try fixture.psql(nil, attack)).succeeded, "owner: \(attack)")
    }
  }
}
