import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Issuance
import Postgres
import Signing
import Testing

/// A cohort with one past 8-UE session per module, people who attended everything, and passed
/// projects: every one of them is due a Zertifikat.
public struct CertifiedCohort {
  public let database: TestDatabase
  public let connection: Connection
  public let people: [ParticipantID]
  /// The issuing key, registered in the database and written to `keyPath` (mode 0600).
  public let signer: SigningKey
  public let keyPath: String
  public static let course = "BQ-SN-2026-1"

  public init(count: Int, names: [(String, String)] = []) throws {
    database = try TestDatabase.migrated()
    connection = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(connection)
    try Fixtures.course(connection, code: Self.course, capacity: 500)
    var ids = try Fixtures.participants(connection, count: count)
    for (index, name) in names.enumerated() {
      ids += try ParticipantStore(connection).add(
        [
          ParticipantDraft(
            familyName: name.0, givenNames: name.1,
            birthDate: try #require(CalendarDate(year: 1980, month: 1 + index % 12, day: 9)),
            email: "named\(index)@example.org", municipality: Fixtures.bautzen, organisation: nil, function: nil)
        ], force: true)
    }
    people = ids
    signer = SigningKey.generate()
    try SigningKeyStore(connection).register(signer.publicKey, label: "test")
    keyPath = FileManager.default.temporaryDirectory.appending(path: "signing-\(UUID().uuidString).pem").path
    try signer.write(to: keyPath)
    for person in people { _ = try EnrolmentStore(connection).enrol(courseCode: Self.course, participant: person, modules: nil) }
    let today = CalendarDate.today()
    let sessions = try SessionStore(connection).add(
      (1...4).map { module in
        NewSession(
          courseCode: Self.course, module: module, day: today.adding(days: -40 + module * 7), start: 540, end: 945, ue: 8,
          location: nil, trainerEmails: [])
      })
    try connection.execute(
      """
      INSERT INTO attendance (session_id, participant_id, status, ue_attended)
      SELECT s, p, 'present', 8 FROM unnest(\(PostgresArray(sessions.map(\.rawValue)))) s, unnest(\(PostgresArray(people.map(\.rawValue)))) p
      """)
    for person in people {
      try CertificateStore(connection).recordAssessment(
        participant: person, programmeCode: "beccaria-fachkraft", kind: .project, result: .passed, title: "Projekt",
        assessedOn: today.adding(days: -5), courseCode: Self.course, note: nil)
    }
  }

  /// A run as `certificate run` makes it (batches printed together), or with `renderer` for
  /// every certificate when a test injects one.
  public func run(
    workers: Int = 2, output: String? = nil, renderer: (@Sendable (SealedCertificate) throws -> Data)? = nil,
    claimEncoding: CertificateClaim.Encoding = .current
  ) throws -> CertificateRunSummary {
    var signer = signer
    signer.claimEncoding = claimEncoding
    return try CertificateRun(
      database: database.database(), options: CertificateRunOptions(workers: workers, outputDirectory: output, batchSize: 5),
      signer: signer, printer: renderer.map { RenderingEach($0) } ?? CertificatePrinter()
    ).execute()
  }

  /// Environment for `beccaria` processes: the database and the signing key.
  public var environment: [String: String] { ["BECCARIA_SIGNING_KEY": keyPath] }

  /// Certificates an earlier run issued to `count` other people this year: their numbers are
  /// taken from the counter, as every serial is.
  public func issueEarlier(_ count: Int) throws {
    let others = try Fixtures.participants(connection, count: count, prefix: "Frueher")
    try connection.transaction { tx in
      let first: Int = try tx.queryOne("SELECT certificate_take_serials(\(count)::integer) AS n")?.decode("n") ?? 0
      let year = try tx.queryOne("SELECT extract(year FROM beccaria_today())::integer AS y")?.decode("y", as: Int.self) ?? 0
      for (index, person) in others.enumerated() {
        let serial = SerialNumber.make(year: year, number: first + index)
        try tx.execute(
          """
          INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, completed_on, pdf,
                                   pdf_sha256, snapshot, key_id, signature)
          VALUES (\(serial), 'zertifikat', \(person.rawValue), 1, 1, beccaria_today(),
                  convert_to('%PDF- /Keywords (' || \(serial) || ' https://example.org/p?c=BQ1.e30.' || repeat('A', 86) || ')', 'UTF8'),
                  encode(sha256(\(serial)::bytea), 'hex'),
                  jsonb_build_object('serial', \(serial), 'keyID', \(signer.keyID),
                                     'qrPayload', 'https://example.org/p?c=BQ1.e30.' || repeat('A', 86)),
                  \(signer.keyID), repeat('A', 86))
          """)
      }
    }
  }

  public func serials() throws -> [String] {
    try connection.query("SELECT serial FROM certificate ORDER BY serial").map { try $0.decode("serial", as: String.self) }
  }

  /// Serials of the year are exactly 1…n: gapless and unique.
  public func expectGapless(_ count: Int) throws {
    let numbers = try serials().compactMap { SerialNumber.parse($0)?.number }
    #expect(numbers == Array(1...max(count, 1)).prefix(count).map { $0 })
    let counter = try connection.queryOne("SELECT coalesce(max(last_number), 0) AS n FROM certificate_serial_counter")?.decode(
      "n", as: Int.self)
    #expect(counter == count)
  }
}

/// A printer that renders every certificate whole with `render`, in a batch too: tests inject
/// failures, probes and counts through it.
public struct RenderingEach: CertificatePrinting {
  let body: @Sendable (SealedCertificate) throws -> Data

  public init(_ render: @escaping @Sendable (SealedCertificate) throws -> Data) { body = render }

  public func prepare(_ drafts: [CertificateDraft]) throws -> any PreparedBatch { Batch(body: body) }

  public func render(_ certificate: SealedCertificate) throws -> Data { try body(certificate) }

  struct Batch: PreparedBatch {
    let body: @Sendable (SealedCertificate) throws -> Data
    func finish(_ sealed: [SealedCertificate]) throws -> [Data] { try sealed.map(body) }
  }
}
