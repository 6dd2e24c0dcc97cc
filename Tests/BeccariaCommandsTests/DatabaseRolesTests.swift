import BeccariaStore
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// Separate duties (issue 23, items 2 and 3): a DBA creates the roles once (scripts/dba-roles.sql);
/// the owner migrates and gives logins their roles without SUPERUSER or CREATEROLE; only
/// beccaria's roles connect.
@Suite(.serialized) struct DatabaseRolesTests {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appending(path: "scripts/dba-roles.sql").path

  @Test func anOwnerWithoutCreateroleMigratesAndGrantsThroughTheSteward() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let suffix = String(database.name.suffix(8))
    let (owner, clerk, stranger) = ("owner_\(suffix)", "clerk_\(suffix)", "stranger_\(suffix)")
    let admin = try Connection(try TestDatabase.adminURL())
    defer {
      database.drop()  // first: the owner cannot be dropped while it owns the database
      for role in [clerk, stranger, owner] {
        _ = try? admin.execute("DROP OWNED BY \(identifier: role) CASCADE")
        _ = try? admin.execute("DROP ROLE IF EXISTS \(identifier: role)")
      }
    }
    // The DBA: the owner (no CREATEROLE), two logins, the roles, the database's ownership.
    try admin.execute("CREATE ROLE \(identifier: owner) LOGIN NOCREATEROLE NOSUPERUSER")
    try admin.execute("CREATE ROLE \(identifier: clerk) LOGIN")
    try admin.execute("CREATE ROLE \(identifier: stranger) LOGIN")
    let missingOwner = try Psql.run(try TestDatabase.adminURL(), "\\i \(Self.script)\n")
    #expect(!missingOwner.succeeded)
    #expect(missingOwner.stdout.contains("give the owner"), "\(missingOwner.stdout)\(missingOwner.stderr)")
    let missingDatabase = try Psql.run(try TestDatabase.adminURL(), "\\set owner \(owner)\n\\i \(Self.script)\n")
    #expect(!missingDatabase.succeeded)
    #expect(missingDatabase.stdout.contains("give the beccaria database"), "\(missingDatabase.stdout)\(missingDatabase.stderr)")
    // A test cluster shares its roles among its databases, as the DBA says explicitly.
    let dba = try Psql.run(
      try TestDatabase.adminURL(), "\\set owner \(owner)\n\\set database '*'\n\\i \(Self.script)\n\\i \(Self.script)\n")
    #expect(dba.succeeded, "\(dba.stderr)")
    try admin.execute("ALTER DATABASE \(identifier: database.name) OWNER TO \(identifier: owner)")
    try database.connect().execute("ALTER SCHEMA public OWNER TO \(identifier: owner)")

    // The owner migrates a fresh database, every file, and gives the clerk the office's role.
    let ownerURL = try ConnectionString.replacing(["user": owner], in: database.conninfo)
    let db = try Connection(ownerURL)
    #expect(
      try db.queryOne("SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user")?.decode("rolcreaterole", as: Bool.self)
        == false)
    let applied = try Migrator(connection: db, migrations: try EmbeddedMigrations.all()).migrate()
    #expect(applied.count == (try EmbeddedMigrations.all()).count)
    #expect(try AccessStore(db).grant(login: clerk, role: .admin, trainerEmail: nil) == false)
    let missing = #expect(throws: StoreError.self) {
      try AccessStore(db).grant(login: "nobody_\(suffix)", role: .admin, trainerEmail: nil)
    }
    #expect("\(missing.map { "\($0)" } ?? "")".contains("a DBA creates logins"))
    #expect(try AccessStore(db).list().map(\.login).contains(clerk))
    #expect(!(try AccessStore(db).list().map(\.login).contains("beccaria_steward")))
    // Every right the four roles have on a database migrated by a superuser, they have here:
    // a grant made by an owner that no longer owns the object would be skipped with a warning.
    let rights = """
      SELECT string_agg(r.role || ' ' || f.oid::regprocedure::text, E'\n' ORDER BY 1) AS rights
      FROM pg_proc f CROSS JOIN unnest(ARRAY['beccaria_admin', 'beccaria_trainer', 'beccaria_issuer', 'beccaria_auditor']) r(role)
      WHERE f.pronamespace = 'public'::regnamespace AND has_function_privilege(r.role, f.oid, 'EXECUTE')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = f.oid AND d.deptype = 'e')
      UNION ALL
      SELECT string_agg(r.role || ' ' || p.privilege || ' ' || c.relname, E'\n' ORDER BY 1)
      FROM pg_class c CROSS JOIN unnest(ARRAY['beccaria_admin', 'beccaria_trainer', 'beccaria_issuer', 'beccaria_auditor']) r(role)
      CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p(privilege)
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v') AND has_table_privilege(r.role, c.oid, p.privilege)
      """
    let reference = try TestDatabase.migrated()
    defer { reference.drop() }
    let lines = { (connection: Connection) in
      Set(
        try connection.query(SQL.unsafeRaw(rights)).flatMap {
          (try $0.decode("rights", as: String?.self) ?? "").split(separator: "\n")
        })
    }
    let (expected, granted) = (try lines(try reference.connect()), try lines(db))
    #expect(
      granted == expected, "missing: \(expected.subtracting(granted).sorted()); extra: \(granted.subtracting(expected).sorted())")
    // Handing functions over left the owner no membership of the registrar of its own.
    #expect(
      try db.queryOne(
        "SELECT count(*)::integer AS n FROM pg_auth_members WHERE member = current_user::regrole AND roleid = 'beccaria_registrar'::regrole"
      )?.decode("n", as: Int.self) == 0)

    // The clerk connects and works; a login of the cluster without a beccaria role cannot connect.
    let clerkDB = try Connection(try ConnectionString.replacing(["user": clerk], in: database.conninfo))
    #expect(try clerkDB.queryOne("SELECT count(*)::integer AS n FROM municipality")?.decode("n", as: Int.self) == 0)
    let refused = #expect(throws: PostgresError.self) {
      _ = try Connection(try ConnectionString.replacing(["user": stranger], in: database.conninfo))
    }
    #expect(refused?.message.contains("permission denied for database") == true, "\(refused?.message ?? "")")

    // The owner could make itself a member of the registrar (it holds ADMIN OPTION through the
    // steward): db status names it.
    try db.execute("SET ROLE beccaria_steward")
    try db.execute("GRANT beccaria_registrar TO \(identifier: owner)")
    try db.execute("RESET ROLE")
    let status = try Beccaria.run(["db", "status"], environment: ["DATABASE_URL": ownerURL])
    #expect(status.status == 0, "\(status.stderr)")
    #expect(
      status.stderr.contains("warning: \(owner) is a member of beccaria_registrar"), "\(status.stderr)")
    try db.execute("SET ROLE beccaria_steward")
    try db.execute("REVOKE beccaria_registrar FROM \(identifier: owner)")
    try db.execute("RESET ROLE")
    #expect(!(try Beccaria.run(["db", "status"], environment: ["DATABASE_URL": ownerURL])).stderr.contains("is a member of"))

    // With the DBA's DDL log installed, the owner (no superuser) still takes a whole backup.
    let ddlScript = Self.script.replacingOccurrences(of: "dba-roles.sql", with: "dba-ddl-log.sql")
    let ddl = try Psql.run(database.conninfo, "\\i \(ddlScript)\n")
    #expect(ddl.succeeded, "\(ddl.stderr)")
    let dump = FileManager.default.temporaryDirectory.appending(path: "owner-\(suffix).dump").path
    defer { try? FileManager.default.removeItem(atPath: dump) }
    let dumped = try BackupRestoreTests.run("pg_dump", ["-Fc", "-f", dump, ownerURL])
    #expect(dumped.status == 0, "\(dumped.errors)")
    #expect(((try? FileManager.default.attributesOfItem(atPath: dump)[.size] as? Int) ?? 0) > 10_000)
  }

  /// Item 3: the roles belong to one database of the cluster. Tried in transactions that are
  /// rolled back, since the test cluster's roles are shared by every test database.
  @Test func rolesBoundToOneDatabaseRefuseEveryOther() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let owner = "binding_owner_\(database.name.suffix(8))"
    let admin = try Connection(try TestDatabase.adminURL())
    try admin.execute("CREATE ROLE \(identifier: owner) LOGIN")
    // The test cluster's roles as the other test leaves them: shared by its databases.
    let shared = try Psql.run(
      try TestDatabase.adminURL(), "\\set owner \(owner)\n\\set database '*'\n\\i \(Self.script)\n")
    #expect(shared.succeeded, "\(shared.stderr)")
    #expect(try RoleBinding.read(admin) == .shared)
    defer {
      _ = try? admin.execute("DROP OWNED BY \(identifier: owner) CASCADE")
      _ = try? admin.execute("DROP ROLE IF EXISTS \(identifier: owner)")
    }
    // The script binds unbound roles to the database it is given, and refuses another binding.
    let bind = try Psql.run(
      try TestDatabase.adminURL(),
      """
      BEGIN;
      COMMENT ON ROLE beccaria_steward IS NULL;
      \\set owner \(owner)
      \\set database \(database.name)
      \\i \(Self.script)
      SELECT 'bound: ' || shobj_description('beccaria_steward'::regrole, 'pg_authid');
      \\set database elsewhere
      \\i \(Self.script)
      ROLLBACK;

      """)
    #expect(bind.stdout.contains("bound: beccaria database: \(database.name)"), "\(bind.stdout)\(bind.stderr)")
    #expect(!bind.succeeded)
    #expect(
      bind.stderr.contains("belong to \"\(database.name)\" already, not to \"elsewhere\""), "\(bind.stdout)\(bind.stderr)")

    // db migrate refuses a database whose cluster's roles belong to another one, and accepts
    // their own.
    let db = try database.connect()
    try db.execute("BEGIN")
    try db.execute("COMMENT ON ROLE beccaria_steward IS 'beccaria database: elsewhere'")
    #expect(try RoleBinding.read(db) == .database("elsewhere"))
    let refused = #expect(throws: MigrationError.self) {
      try Migrator(connection: db, migrations: try EmbeddedMigrations.all()).migrate()
    }
    #expect(refused == .rolesBoundElsewhere(bound: "elsewhere", this: database.name))
    #expect("\(refused.map { "\($0)" } ?? "")".contains("Give \"\(database.name)\" a cluster of its own"))
    try db.execute(SQL.unsafeRaw("COMMENT ON ROLE beccaria_steward IS 'beccaria database: \(database.name)'"))
    #expect(try Migrator(connection: db, migrations: try EmbeddedMigrations.all()).migrate().isEmpty)
    try db.execute("ROLLBACK")
  }

  @Test func schemaChangesAreRecordedWhereTheOfficeCannotEditThem() throws {
    let fixture = try SecurityFixture(people: 1)
    defer { fixture.drop() }
    let ddlScript = Self.script.replacingOccurrences(of: "dba-roles.sql", with: "dba-ddl-log.sql")
    // The DBA installs it (twice: the second run changes nothing); the tests' owner is a superuser.
    let dba = try fixture.psql(nil, "\\i \(ddlScript)\n\\i \(ddlScript)\n")
    #expect(dba.succeeded, "\(dba.stderr)")
    try fixture.owner.execute("ALTER TABLE certificate DISABLE TRIGGER certificate_frozen")
    try fixture.owner.execute("ALTER TABLE certificate ENABLE TRIGGER certificate_frozen")
    try fixture.owner.execute("CREATE TABLE scratch (x integer)")
    try fixture.owner.execute("DROP TABLE scratch")
    let auditor = try fixture.connect(fixture.auditor)
    let rows = try auditor.query(
      """
      SELECT command_tag, object_identity FROM beccaria_dba.ddl_log
      WHERE object_identity IN ('public.certificate', 'public.scratch') ORDER BY id
      """
    ).map {
      "\(try $0.decode("command_tag", as: String.self)) \(try $0.decode("object_identity", as: String?.self) ?? "")"
    }
    #expect(
      rows == [
        "ALTER TABLE public.certificate", "ALTER TABLE public.certificate", "CREATE TABLE public.scratch",
        "DROP TABLE public.scratch",
      ])
    // The office neither reads nor edits it, nor switches it off.
    let office = try fixture.connect(fixture.admin)
    for attempt in [
      "DELETE FROM beccaria_dba.ddl_log", "SELECT count(*) FROM beccaria_dba.ddl_log",
      "ALTER EVENT TRIGGER beccaria_record_ddl DISABLE",
    ] {
      let refused = #expect(throws: PostgresError.self, "\(attempt)") { try office.executeScript(unsafeSQL: attempt) }
      #expect(refused?.sqlState == "42501", "\(attempt): \(refused?.message ?? "")")
    }
  }
}
