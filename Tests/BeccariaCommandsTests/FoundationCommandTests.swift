import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// `beccaria db` and `beccaria programme`, run as the built binary.
@Suite struct FoundationCommandTests {
  @Test(arguments: [
    ["db", "migrate"], ["db", "status"], ["programme", "load"], ["programme", "list"], ["programme", "show"],
  ])
  func everyCommandsHelpShowsAnExample(command: [String]) throws {
    let result = try Beccaria.run(command + ["--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Example"), "no example in help of \(command)")
    #expect(result.stdout.contains("USAGE: beccaria \(command.joined(separator: " "))"))
  }

  @Test func migrateThenStatusOnAFreshDatabase() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let before = try Beccaria.run(["programme", "list"], database: database)
    #expect(before.status != 0)
    #expect(before.stderr.contains("run `beccaria db migrate` first"))
    let first = try Beccaria.run(["db", "migrate"], database: database)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("applied 0001_domain.sql"))
    let second = try Beccaria.run(["db", "migrate"], database: database)
    #expect(second.stdout == "The schema is up to date; nothing to apply.\n")
    let status = try Beccaria.run(["db", "status", "--format", "json"], database: database)
    #expect(status.status == 0)
    let items = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]]
    #expect(items?.count ?? 0 >= 2)
    #expect(items?.allSatisfy { $0["status"] as? String == "applied" && $0["applied_at"] != nil } == true)
  }

  @Test func concurrentMigrateProcessesEndWithOneSchema() async throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
      for _ in 0..<3 { group.addTask { try Beccaria.run(["db", "migrate"], database: database) } }
      return try await group.reduce(into: [CommandResult]()) { $0.append($1) }
    }
    #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
    #expect(results.filter { $0.stdout.contains("applied 0001_domain.sql") }.count == 1)
    let db = try database.connect()
    let applied = try db.queryOne("SELECT count(*) AS n FROM schema_migration")?.decode("n", as: Int.self)
    let status = try Beccaria.run(["db", "status", "--format", "csv"], database: database)
    #expect(applied == status.stdout.components(separatedBy: "\r\n").filter { $0.contains(",applied,") }.count)
  }

  @Test func programmeLoadListAndShow() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let load = try Beccaria.run(["programme", "load", Checkout.programmeFile], database: database)
    #expect(load.status == 0, "\(load.stderr)")
    #expect(load.stdout.contains("Stored programme beccaria-fachkraft version 1"))
    let again = try Beccaria.run(["programme", "load", Checkout.programmeFile], database: database)
    #expect(again.stdout.contains("already stored unchanged"))

    let json = try Beccaria.run(["programme", "list", "--format", "json"], database: database)
    let list = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
    #expect(list?.first?["code"] as? String == "beccaria-fachkraft")
    #expect(list?.first?["total_ue"] as? Int == 128)
    let csv = try Beccaria.run(["programme", "list", "--format", "csv"], database: database)
    let lines = csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
    #expect(lines.count == 2)
    #expect(lines[0].hasPrefix("CODE,TITLE,VERSION"))
    #expect(lines[1].hasPrefix("beccaria-fachkraft,Fachkraft für Kriminalprävention,1,4,128"))

    let show = try Beccaria.run(["programme", "show", "beccaria-fachkraft"], database: database)
    #expect(show.status == 0)
    for module in ["1  Kriminologie — 32 UE", "2  Kriminalprävention", "3  Projektmanagement", "4  Projektbegleitung"] {
      #expect(show.stdout.contains(module))
    }
    let showJSON = try Beccaria.run(["programme", "show", "beccaria-fachkraft", "--format", "json"], database: database)
    let definition = try JSONSerialization.jsonObject(with: Data(showJSON.stdout.utf8)) as? [String: Any]
    #expect((definition?["modules"] as? [Any])?.count == 4)
    let missing = try Beccaria.run(["programme", "show", "nope"], database: database)
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("programme nope does not exist"))
  }

  @Test func aBadProgrammeFileIsRefusedWithPathsAndStoresNothing() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let text = try String(contentsOfFile: Checkout.programmeFile, encoding: .utf8)
      .replacingOccurrences(of: "    title: Projektmanagement\n", with: "")
      .replacingOccurrences(of: "version: 1", with: "version: 1\nfoo: bar")
    let file = FileManager.default.temporaryDirectory.appending(path: "bad-\(UUID().uuidString).yaml")
    try Data(text.utf8).write(to: file)
    let result = try Beccaria.run(["programme", "load", file.path], database: database)
    #expect(result.status != 0)
    #expect(result.stderr.contains("modules[2].title: is missing"))
    #expect(result.stderr.contains("foo: is not a known key"))
    #expect(result.stdout.isEmpty)
    let db = try database.connect()
    #expect(try db.queryOne("SELECT count(*) AS n FROM programme")?.decode("n", as: Int.self) == 0)
    let dry = try Beccaria.run(["programme", "load", "--dry-run", Checkout.programmeFile], database: database)
    #expect(dry.stdout.contains("is valid"))
    #expect(try db.queryOne("SELECT count(*) AS n FROM programme")?.decode("n", as: Int.self) == 0)
  }

  @Test func anUnreachableDatabaseIsOneClearSentence() throws {
    let result = try Beccaria.run(["programme", "list", "--database", "host=/nonexistent port=1 dbname=x connect_timeout=2"])
    #expect(result.status != 0)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1)
    #expect(result.stderr.contains("could not connect to PostgreSQL"))
    #expect(!result.stderr.contains("password"))
  }
}
