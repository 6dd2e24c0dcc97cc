import Foundation
import Postgres
import TestSupport
import Testing

/// The wrapper against a real server: every supported type in and out, NULL included.
@Suite struct RoundTripTests {
  struct Profile: Codable, Equatable {
    var name: String
    var tags: [String]
    var score: Double?
  }

  @Test func everySupportedTypeRoundTrips() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    try db.execute(
      """
      CREATE TABLE sample (
        id serial PRIMARY KEY, i8 bigint, i4 integer, i2 smallint, b boolean, t text,
        f double precision, n numeric(12, 4), u uuid, bytes bytea, at timestamptz, d date, j jsonb)
      """)
    let uuid = UUID()
    let bytes = Data([0, 1, 0, 255, 0, 0, 39, 92, 0])
    let instant = Date(timeIntervalSince1970: 1_774_745_400.123456)  // 2026-03-29 00:50:00.123456 UTC
    let day = PostgresDate(year: 1984, month: 2, day: 29)
    let profile = Profile(name: "Hańža Šołćina", tags: ["Sorbisch", "Zoë"], score: nil)
    let name = "Měrćin Wjeńka – Zoë Łukasiewicz-Ünal – Nguyễn Thị Minh Khai – محمد"
    try db.execute(
      """
      INSERT INTO sample (i8, i4, i2, b, t, f, n, u, bytes, at, d, j)
      VALUES (\(Int64.max), \(Int32.min), \(Int16(-7)), \(true), \(name), \(2.5e-3),
              \(Decimal(string: "12345678.1234")), \(uuid), \(bytes), \(instant), \(day), \(JSONB(profile)))
      """)
    let nothing: String? = nil
    try db.execute(
      """
      INSERT INTO sample (i8, i4, i2, b, t, f, n, u, bytes, at, d, j)
      VALUES (\(Int64?.none), \(Int32?.none), \(Int16?.none), \(Bool?.none), \(nothing), \(Double?.none),
              \(Decimal?.none), \(UUID?.none), \(Data?.none), \(Date?.none), \(PostgresDate?.none), NULL)
      """)
    let rows = try db.query("SELECT * FROM sample ORDER BY id")
    #expect(rows.count == 2)
    let row = rows[0]
    #expect(try row.decode("i8", as: Int64.self) == Int64.max)
    #expect(try row.decode("i8", as: Int.self) == Int.max)
    #expect(try row.decode("i4", as: Int32.self) == Int32.min)
    #expect(try row.decode("i2", as: Int16.self) == -7)
    #expect(try row.decode("b", as: Bool.self) == true)
    #expect(try row.decode("t", as: String.self) == name)
    #expect(try row.decode("f", as: Double.self) == 2.5e-3)
    #expect(try row.decode("n", as: Decimal.self) == Decimal(string: "12345678.1234"))
    #expect(try row.decode("u", as: UUID.self) == uuid)
    #expect(try row.decode("bytes", as: Data.self) == bytes)
    let back = try row.decode("at", as: Date.self)
    #expect(abs(back.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
    #expect(try row.decode("d", as: PostgresDate.self) == day)
    #expect(try row.decodeJSON("j", as: Profile.self) == profile)

    let empty = rows[1]
    #expect(try empty.decode("i8", as: Int64?.self) == nil)
    #expect(try empty.decode("t", as: String?.self) == nil)
    #expect(try empty.decode("bytes", as: Data?.self) == nil)
    #expect(try empty.decode("at", as: Date?.self) == nil)
    #expect(try empty.decode("d", as: PostgresDate?.self) == nil)
    #expect(try empty.decode("j", as: JSONB<Profile>?.self) == nil)
    #expect(try empty.isNull("u"))
  }

  @Test(arguments: [
    "2026-03-29 00:59:59.999999+00",  // just before the spring-forward gap in Berlin
    "2026-03-29 01:00:00+00",  // 03:00 CEST, just after it
    "2026-10-25 00:30:00+00",  // 02:30 CEST, first pass through the repeated hour
    "2026-10-25 01:30:00+00",  // 02:30 CET, second pass
    "1969-12-31 23:59:59.5+00",
  ])
  func timestampsSurviveDaylightSavingChanges(utc: String) throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    // The server prints Berlin offsets (+01/+02); the decoder must read them as instants.
    try db.execute("SET TimeZone = 'Europe/Berlin'")
    let row = try #require(try db.queryOne("SELECT \(utc)::timestamptz AS at, (\(utc)::timestamptz)::text AS shown"))
    let decoded = try row.decode("at", as: Date.self)
    let echoed = try #require(try db.queryOne("SELECT \(decoded) = \(utc)::timestamptz AS same"))
    #expect(try echoed.decode("same", as: Bool.self))
    let shown = try row.decode("shown", as: String.self)
    #expect(shown.hasSuffix("+01") || shown.hasSuffix("+02"))
  }

  @Test func injectionTextIsStoredLiterally() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    try db.execute("CREATE TABLE participants (name text)")
    let hostile = "Robert'); DROP TABLE participants;--"
    try db.execute("INSERT INTO participants (name) VALUES (\(hostile))")
    let stored = try db.queryOne("SELECT name FROM participants")?.decode("name", as: String.self)
    #expect(stored == hostile)
    #expect(try db.queryOne("SELECT count(*) AS n FROM participants")?.decode("n", as: Int.self) == 1)
  }

  @Test func wrongTypesAndNullsAreErrorsNamingTheColumn() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let row = try #require(try db.queryOne("SELECT 42 AS answer, NULL::text AS missing, 'x'::text AS word"))
    let wrongType = #expect(throws: PostgresError.self) { try row.decode("answer", as: Date.self) }
    #expect(wrongType?.kind == .decoding)
    #expect(wrongType?.message.contains("\"answer\"") == true)
    let null = #expect(throws: PostgresError.self) { try row.decode("missing", as: String.self) }
    #expect(null?.message.contains("\"missing\"") == true)
    #expect(throws: PostgresError.self) { try row.decode("word", as: Int.self) }
    #expect(throws: PostgresError.self) { try row.decode("nonexistent", as: Int.self) }
    #expect(try row.decode(0, as: Int.self) == 42)
  }

  @Test func arraysBindAsOneParameter() throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let ids: [Int] = [3, 1, 2]
    let names = ["a\"b", "c,d", "e\\f"]
    let sum = try db.queryOne("SELECT sum(x)::bigint AS s FROM unnest(\(PostgresArray(ids))) AS x")?.decode("s", as: Int.self)
    #expect(sum == 6)
    let joined = try db.queryOne("SELECT string_agg(x, '|') AS s FROM unnest(\(PostgresArray(names))) AS x")?
      .decode("s", as: String.self)
    #expect(joined == names.joined(separator: "|"))
    // Text arrays with NULLs, JSON and non-ASCII text; bytea arrays (binary format) with zero
    // bytes, an empty value and a NULL, each element back byte for byte.
    let optional: [String?] = ["{\"n\": \"Zoë \\\"Ł\\\"\"}", nil, "NULL", ""]
    let texts = try db.query(
      "SELECT x IS NULL AS missing, coalesce(x, '') AS x FROM unnest(\(PostgresArray(optional))) WITH ORDINALITY AS t (x, n) ORDER BY n"
    ).map { try $0.decode("missing", as: Bool.self) ? nil : $0.decode("x", as: String.self) }
    #expect(texts == optional)
    let documents: [Data?] = [Data([0, 1, 0, 255]), nil, Data(), Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })]
    let back = try db.query(
      """
      SELECT x IS NULL AS missing, coalesce(x, '') AS x, cardinality(\(PostgresArray(documents))) AS n
      FROM unnest(\(PostgresArray(documents))) WITH ORDINALITY AS t (x, i) ORDER BY i
      """
    ).map { try $0.decode("missing", as: Bool.self) ? nil : $0.decode("x", as: Data.self) }
    #expect(back == documents)
  }
}
