import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import TestSupport
import Testing

/// German names typed without umlauts find the names written with them, both ways, in search and
/// in the likely-duplicate checks (schema 0026).
@Suite struct GermanSearchTests {
  func database(with names: [(String, String)]) throws -> (TestDatabase, Connection) {
    let database = try TestDatabase.migrated()
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    _ = try ParticipantStore(db).add(
      try names.enumerated().map { index, name in
        ParticipantDraft(
          familyName: name.0, givenNames: name.1,
          birthDate: try #require(CalendarDate(year: 1980, month: 1, day: 1 + index)),
          email: "p\(index)@example.org", municipality: Fixtures.dresden, organisation: nil, function: nil)
      }, force: true)
    return (database, db)
  }

  func found(_ search: String, in database: TestDatabase) throws -> [String] {
    let result = try Beccaria.run(["participant", "list", "--search", search, "--format", "json"], database: database)
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    return rows.compactMap { $0["family_name"] as? String }.sorted()
  }

  @Test func umlautsAndTheirSpellingsFindEachOtherBothWays() throws {
    let (database, _) = try database(with: [
      ("Müller", "Anna"), ("Mueller", "Bernd"), ("Muller", "Carla"), ("Köhler", "Dieter"), ("Koehler", "Erika"),
      ("Hochstraße", "Fritz"), ("Hochstrasse", "Gisela"), ("Schmidt", "Hans"),
    ])
    defer { database.drop() }
    let millers = ["Mueller", "Muller", "Müller"]
    for search in ["Mueller", "Muller", "Müller", "müller", "MUELLER"] {
      #expect(try found(search, in: database) == millers, "search \(search)")
    }
    for search in ["Koehler", "Köhler", "kohler"] {
      #expect(try found(search, in: database) == ["Koehler", "Köhler"], "search \(search)")
    }
    for search in ["Strasse", "Straße", "hochstrasse"] {
      #expect(try found(search, in: database) == ["Hochstrasse", "Hochstraße"], "search \(search)")
    }
    #expect(try found("Schmitt", in: database).isEmpty)
  }

  @Test func aNameWithoutUmlautsBornTheSameDayIsALikelyDuplicate() throws {
    let (database, _) = try database(with: [("Kühn", "Käthe")])
    defer { database.drop() }
    // Kühn, Käthe was born on 1 January 1980 (the first row above).
    let file = try PDFTools.temporaryFile(
      Data("Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde\nKuehn;Kaethe;01.01.1980;k.kuehn@example.org;14612000\n".utf8),
      suffix: ".csv")
    let refused = try Beccaria.run(["participant", "import", file], database: database)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("likely duplicate: participant 1 (Käthe Kühn, born 1980-01-01"), "\(refused.stderr)")
    #expect(refused.stderr.contains("has the same name and birth date"))
    let added = try Beccaria.run(
      [
        "participant", "add", "--family-name", "Kuehn", "--given-names", "Kaethe", "--birth-date", "1980-01-01", "--email",
        "k.kuehn@example.org", "--municipality", "14612000",
      ], database: database)
    #expect(added.status != 0)
    #expect(added.stderr.contains("likely duplicate"), "\(added.stderr)")
  }
}
