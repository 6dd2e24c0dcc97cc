import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct CopyTests {
  @Test func copyLoadsOneHundredThousandRows() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    try db.execute("CREATE TABLE bulk (n integer, label text, note text)")
    let loaded = try db.copyIn("COPY bulk (n, label, note) FROM STDIN") { writer in
      for n in 0..<100_000 {
        try writer.writeRow([String(n), "Zeile \(n)\twith tab", n % 10 == 0 ? nil : "Ł\\\n\(n)"])
      }
    }
    #expect(loaded == 100_000)
    let summary = try #require(
      try db.queryOne(
        "SELECT count(*) AS rows, sum(n) AS total, count(note) AS notes FROM bulk"))
    #expect(try summary.decode("rows", as: Int.self) == 100_000)
    #expect(try summary.decode("total", as: Int.self) == 4_999_950_000)
    #expect(try summary.decode("notes", as: Int.self) == 90_000)
    let sample = try #require(try db.queryOne("SELECT label, note FROM bulk WHERE n = 7"))
    #expect(try sample.decode("label", as: String.self) == "Zeile 7\twith tab")
    #expect(try sample.decode("note", as: String.self) == "Ł\\\n7")
  }

  @Test func aFailingFeedLoadsNothing() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    try db.execute("CREATE TABLE bulk (n integer)")
    struct Stop: Error {}
    #expect(throws: Stop.self) {
      try db.copyIn("COPY bulk (n) FROM STDIN") { writer in
        for n in 0..<1000 { try writer.writeRow([String(n)]) }
        throw Stop()
      }
    }
    #expect(try db.queryOne("SELECT count(*) AS n FROM bulk")?.decode("n", as: Int.self) == 0)
    // Bad data is the server's error, and the connection stays usable.
    let bad = #expect(throws: PostgresError.self) {
      try db.copyIn("COPY bulk (n) FROM STDIN") { writer in try writer.writeRow(["not a number"]) }
    }
    #expect(bad?.sqlState == "22P02")
    #expect(try db.queryOne("SELECT count(*) AS n FROM bulk")?.decode("n", as: Int.self) == 0)
    #expect(throws: PostgresError.self) {
      try db.copyIn("COPY bulk (n) FROM STDIN WHERE n > \(1)") { _ in }
    }
  }
}
