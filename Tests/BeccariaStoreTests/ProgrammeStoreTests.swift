import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import ProgrammeLoader
import TestSupport
import Testing

@Suite struct ProgrammeStoreTests {
  @Test func loadingStoresNewVersionsOnlyWhenContentChanges() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.connect()
    let store = ProgrammeStore(db)
    var definition = try ProgrammeFile.load(path: Checkout.programmeFile)
    #expect(try store.load(definition) == .created(version: 1))
    #expect(try store.load(definition) == .unchanged(version: 1))

    definition.completion.attendanceThreshold = Decimal(string: "0.75") ?? 0
    let conflict = #expect(throws: StoreError.self) { try store.load(definition) }
    #expect(conflict?.description.contains("version: 2") == true)

    definition.version = 2
    #expect(try store.load(definition) == .created(version: 2))
    let latest = try store.find(code: definition.code)
    #expect(latest.definition == definition)
    #expect(try store.find(code: definition.code, version: 1).definition.completion.attendanceThreshold == Decimal(string: "0.8"))
    let listed = try store.list()
    #expect(listed.count == 1)
    #expect(listed.first?.version == 2)
    #expect(listed.first?.versions == 2)
    #expect(listed.first?.totalUE == 128)
    let modules = try db.query(
      "SELECT m.number, m.title, m.ue FROM programme_module m JOIN programme_version v ON v.id = m.programme_version_id WHERE v.version = 2 ORDER BY number"
    )
    #expect(
      try modules.map { try $0.decode("title", as: String.self) } == [
        "Kriminologie", "Kriminalprävention", "Projektmanagement", "Projektbegleitung",
      ])
    #expect(throws: StoreError.notFound("programme nope")) { try store.find(code: "nope") }
  }
}
