import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// A corpus of malformed CSV files for every import: each is refused with a line-level message
/// and nothing is written.
@Suite struct BadInputTests {
  enum Import: String, CaseIterable {
    case municipality, participant, attendance

    var header: String {
      switch self {
      case .municipality: "ags,name,district"
      case .participant: "family_name,given_names,birth_date,email,municipality,organisation"
      case .attendance: "session,participant,status,ue"
      }
    }
    /// A good row, with `text` in a free-text column.
    func row(_ text: String, session: Int64 = 1, person: Int64 = 1) -> String {
      switch self {
      case .municipality: "14999001,\(text),Irgendwo"
      case .participant: "\(text),Anna,1980-02-03,anna.bad@example.org,14612000,Stadt"
      case .attendance: "\(session),\(text.isEmpty ? String(person) : text),present,8"
      }
    }
    var arguments: [String] { [rawValue, "import"] }
  }

  /// name → file bytes (header included).
  static func corpus(for kind: Import, session: Int64, person: Int64) -> [(String, Data)] {
    let good = kind.row(kind == .attendance ? "" : "Müller", session: session, person: person)
    var latin1 = Data("\(kind.header)\n".utf8)
    latin1.append(
      kind.row("M\u{FC}ller", session: session, person: person).data(using: .isoLatin1) ?? Data())
    latin1.append(Data("\n".utf8))
    return [
      ("latin1", latin1),
      ("nul", Data("\(kind.header)\n".utf8) + Data([0]) + Data("\(good)\n".utf8)),
      (
        "huge-field",
        Data("\(kind.header)\n\(kind.row(String(repeating: "x", count: 1 << 20), session: session, person: person))\n".utf8)
      ),
      ("missing-column", Data("\(kind.header.split(separator: ",").dropLast().joined(separator: ","))\n\(good)\n".utf8)),
      ("extra-field", Data("\(kind.header)\n\(good),surplus\n".utf8)),
      ("extra-column", Data("\(kind.header),surplus\n\(good),x\n".utf8)),
      ("duplicate-header", Data("\(kind.header),\(kind.header.split(separator: ",")[1])\n\(good),x\n".utf8)),
      (
        "formula",
        Data(
          "\(kind.header)\n\(good)\n\(kind.row("\"=HYPERLINK(\"\"http://evil.example\"\",\"\"klick\"\")\"", session: session, person: person))\n"
            .utf8)
      ),
      ("unterminated-quote", Data("\(kind.header)\n\(good)\n\"\(good)\n".utf8)),
    ]
  }

  @Test(arguments: Import.allCases) func everyMalformedFileIsRefusedByLineAndChangesNothing(kind: Import) throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let session = try #require(try cohort.connection.queryOne("SELECT min(id) AS id FROM session")?.decode("id", as: Int64.self))
    let person = try #require(cohort.people.first).rawValue
    let counts: SQL = """
      SELECT (SELECT count(*) FROM municipality) || '/' || (SELECT count(*) FROM participant) || '/'
             || (SELECT count(*) FROM attendance) || '/' || (SELECT count(*) FROM audit_log) AS n
      """
    let before: String = try #require(try cohort.connection.queryOne(counts)?.decode("n"))
    let folder = FileManager.default.temporaryDirectory.appending(path: "bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for (name, data) in Self.corpus(for: kind, session: session, person: person) {
      let path = folder.appending(path: "\(kind.rawValue)-\(name).csv").path
      try data.write(to: URL(fileURLWithPath: path))
      let result = try Beccaria.run(kind.arguments + [path], database: cohort.database)
      #expect(result.status == 1, "\(kind) \(name): \(result.stdout)\(result.stderr)")
      #expect(result.stderr.range(of: "\(path):[0-9]+", options: .regularExpression) != nil, "\(kind) \(name): \(result.stderr)")
      #expect(result.stderr.count < 5_000, "\(kind) \(name): the message echoes the input")
      #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
      #expect(try cohort.connection.queryOne(counts)?.decode("n", as: String.self) == before, "\(kind) \(name) wrote something")
    }
  }

  @Test func formulasAreNeutralisedInEveryCSVExport() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    // Values a spreadsheet would run, stored by a client other than the CLI.
    try cohort.connection.execute("UPDATE participant SET family_name = '=HYPERLINK(\"http://evil\")', organisation = '@SUM(A1)'")
    for arguments in [
      ["participant", "list", "--format", "csv"], ["enrolment", "list", "--course", CertifiedCohort.course, "--format", "csv"],
    ] {
      let list = try Beccaria.run(arguments, database: cohort.database)
      #expect(list.status == 0, "\(list.stderr)")
      #expect(list.stdout.contains("'=HYPERLINK"), "\(arguments): \(list.stdout)")
      // No cell starts with a formula character.
      for line in list.stdout.split(separator: "\r\n") {
        for cell in line.split(separator: ",", omittingEmptySubsequences: false) {
          let value = cell.hasPrefix("\"") ? cell.dropFirst() : cell
          #expect(!(value.first.map { "=+@".contains($0) } ?? false), "\(arguments): \(line)")
        }
      }
    }
  }
}
