import BeccariaCore
import BeccariaStore
import Crypto
import Documents
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

@Suite struct CertificateRunTests {
  static let names: [(String, String)] = [
    ("Wjeńka", "Měrćin"), ("Šołćina", "Hańža"), ("Łukasiewicz-Ünal", "Zoë"), ("Nguyễn", "Thị Minh Khai"),
    ("von Hohenstein-Łukasiewicz-Wjeńka", "Maximiliane Alexandra Konstanze"), ("الحسن", "محمد"),
  ]

  @Test func issuedCertificatesReadBackExactly() throws {
    let cohort = try CertifiedCohort(count: 0, names: Self.names)
    defer { cohort.database.drop() }
    let directory = FileManager.default.temporaryDirectory.appending(path: "certs-\(UUID().uuidString)").path
    let summary = try cohort.run(output: directory)
    #expect(summary.issued.count == Self.names.count)
    #expect(summary.failures.isEmpty)
    try cohort.expectGapless(Self.names.count)
    let store = CertificateStore(cohort.connection)
    for certificate in summary.issued {
      let stored = try store.find(serial: certificate.serial)
      #expect(SHA256.hash(data: stored.pdf).map { String(format: "%02x", $0) }.joined() == stored.listing.sha256)
      let path = "\(directory)/\(certificate.year)/\(certificate.serial).pdf"
      #expect(FileManager.default.contents(atPath: path) == stored.pdf, "export differs from the stored bytes")
      #expect(try PDFTools.run("qpdf", ["--check", path]).contains("No syntax or stream encoding errors"))
      #expect(try PDFTools.fontsEmbedded(path))
      let info = try PDFTools.run("pdfinfo", [path])
      #expect(info.contains("Pages:           1"))
      let text = try PDFTools.run("pdftotext", ["-enc", "UTF-8", path, "-"])
      let snapshot = stored.snapshot
      if !snapshot.holderName.unicodeScalars.contains(where: {
        $0.properties.generalCategory == .otherLetter && $0.value >= 0x600 && $0.value < 0x700
      }) {
        #expect(
          text.replacingOccurrences(of: "\n", with: " ").contains(snapshot.holderName),
          "name not printed as stored: \(snapshot.holderName)")
      } else {
        // Arabic runs right to left: pdftotext gives the words in visual order.
        for word in snapshot.holderName.split(separator: " ") { #expect(text.contains(word), "missing \(word)") }
      }
      // Rendered in one batch with the others, the file still holds only its own holder.
      for other in summary.issued where other.serial != certificate.serial {
        #expect(!text.contains(other.serial), "\(other.serial) appears on \(certificate.serial)")
        if other.holderName.unicodeScalars.allSatisfy({ $0.value < 0x600 }) {
          #expect(!text.contains(other.holderName), "\(other.holderName) appears on \(certificate.serial)")
        }
      }
      #expect(info.contains("Keywords:        \(certificate.serial) \(snapshot.qrPayload)"))
      for field in [
        "Zertifikat", certificate.serial, "geboren am \(snapshot.birthDate?.german ?? "")", "Kriminologie", "Projektbegleitung",
        "Dresden, den \(snapshot.issuedOn.german)", "Fachkraft für Kriminalprävention", "Landespräventionsrat Sachsen",
      ] {
        #expect(text.contains(field), "missing \(field) on \(certificate.serial)")
      }
      #expect(try PDFTools.qrCodes(path, page: 1, dpi: 300) == [snapshot.qrPayload])
      #expect(snapshot.verificationURL.hasSuffix("?nr=\(certificate.serial)"))
      #expect(text.contains(snapshot.verificationURL))
      // The QR code carries the signed claim: it verifies with the registered public key.
      let payload = try VerificationPayload.parse(snapshot.qrPayload)
      #expect(cohort.signer.publicKey.isValidSignature(payload.signature, for: payload.claimBytes))
      #expect(try payload.claim() == CertificateClaim(snapshot: snapshot, keyID: cohort.signer.keyID))
      // Audited with serial and hash; PDF and snapshot stay in the certificate row only.
      let entry = try #require(
        try cohort.connection.queryOne(
          """
          SELECT new_values->>'serial' AS serial, new_values->>'pdf_sha256' AS sha256, new_values ? 'pdf' AS pdf,
                 new_values ? 'snapshot' AS snapshot, participant_id
          FROM audit_log WHERE table_name = 'certificate' AND action = 'INSERT' AND row_key->>'id' = \(certificate.id.description)
          """))
      #expect(try entry.decode("serial", as: String.self) == certificate.serial)
      #expect(try entry.decode("sha256", as: String.self) == certificate.sha256)
      #expect(try entry.decode("pdf", as: Bool.self) == false)
      #expect(try entry.decode("snapshot", as: Bool.self) == false)
      #expect(try entry.decode("participant_id", as: ParticipantID.self) == certificate.participantID)
    }
    // The 60-character name did not overflow: it is printed whole on one page.
    #expect(Self.names[4].1.count + Self.names[4].0.count + 1 >= 60)
    // A second run issues nothing; the run table shows both.
    #expect(try cohort.run().issued.isEmpty)
    let runs = try cohort.connection.query("SELECT status, issued FROM certificate_run ORDER BY id")
    #expect(try runs.map { try $0.decode("status", as: String.self) } == ["succeeded", "succeeded"])
    #expect(try runs.map { try $0.decode("issued", as: Int.self) } == [Self.names.count, 0])
  }

  @Test func twoRunsStartedTogetherIssueEachCertificateOnce() async throws {
    let cohort = try CertifiedCohort(count: 40)
    defer { cohort.database.drop() }
    let database = cohort.database
    let signer = cohort.signer
    let summaries = try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<2 {
        group.addTask {
          try CertificateRun(
            database: database.database(), options: CertificateRunOptions(workers: 2, batchSize: 5),
            signer: signer
          ).execute().issued.count
        }
      }
      return try await group.reduce(into: [Int]()) { $0.append($1) }
    }
    #expect(summaries.reduce(0, +) == 40)
    let rows = try cohort.connection.query(
      "SELECT participant_id, count(*)::integer AS n FROM certificate GROUP BY participant_id")
    #expect(rows.count == 40)
    #expect(try rows.allSatisfy { try $0.decode("n", as: Int.self) == 1 })
    try cohort.expectGapless(40)
  }

  @Test func aSingleModuleBookingGetsItsTeilnahmebescheinigungInTheSameRun() throws {
    // Stored with its module: the run inserts Zertifikate (no module) and
    // Teilnahmebescheinigungen (a module) in one statement per batch.
    let cohort = try CertifiedCohort(count: 2)
    defer { cohort.database.drop() }
    let single = try ParticipantStore(cohort.connection).add(
      [
        ParticipantDraft(
          familyName: "Jankowa", givenNames: "Lejna", birthDate: try #require(CalendarDate(year: 1991, month: 4, day: 12)),
          email: "lejna.jankowa@example.org", municipality: Fixtures.bautzen, organisation: nil, function: nil)
      ], force: true)[0]
    _ = try EnrolmentStore(cohort.connection).enrol(courseCode: CertifiedCohort.course, participant: single, modules: [2])
    try cohort.connection.execute(
      """
      INSERT INTO attendance (session_id, participant_id, status, ue_attended)
      SELECT id, \(single.rawValue), 'present', 8 FROM session WHERE module_number = 2
      """)
    let directory = FileManager.default.temporaryDirectory.appending(path: "single-\(UUID().uuidString)").path
    let summary = try cohort.run(output: directory)
    #expect(summary.failures.isEmpty)
    #expect(
      summary.issued.filter { $0.kind == .zertifikat }.map(\.participantID).sorted() == cohort.people.sorted())
    let booked = summary.issued.filter { $0.participantID == single }
    #expect(booked.map(\.kind) == [.teilnahmebescheinigung])
    #expect(booked.map(\.module) == [2])
    try cohort.expectGapless(3)
    let certificate = try #require(booked.first)
    let stored = try #require(
      try cohort.connection.queryOne("SELECT kind, module_number FROM certificate WHERE serial = \(certificate.serial)"))
    #expect(try stored.decode("kind", as: String.self) == "teilnahmebescheinigung")
    #expect(try stored.decode("module_number", as: Int.self) == 2)
    let path = "\(directory)/\(certificate.year)/\(certificate.serial).pdf"
    let text = try PDFTools.run("pdftotext", ["-enc", "UTF-8", path, "-"])
    for field in [
      "Teilnahmebescheinigung", "Lejna Jankowa", "Modul 2: Kriminalprävention", "Bescheinigungsnummer \(certificate.serial)",
    ] {
      #expect(text.contains(field), "missing \(field)")
    }
    #expect(!text.contains("Modul 1"))
    #expect(!text.contains("Zertifikat"))
  }

  @Test func numbersTakenByAnotherRunMeanwhileAreStampedOnTheDocuments() throws {
    // A run's batches are sealed and stamped for the serial numbers they expect before they take
    // the counter's lock. Here a second run takes numbers while the first run's second batch is
    // being stamped for 6 to 10: that batch gets 11 to 15 and must show those.
    let cohort = try CertifiedCohort(count: 15)
    defer { cohort.database.drop() }
    let database = cohort.database
    let signer = cohort.signer
    let stamped = Recording()
    let other = Recording()
    let first = try cohort.run(
      workers: 1,
      renderer: { snapshot in
        stamped.append(snapshot.serial)
        if snapshot.serial.hasSuffix("-000006"), other.values.isEmpty {
          other.append("started")
          let issued = try CertificateRun(
            database: database.database(), options: CertificateRunOptions(workers: 1, batchSize: 5),
            signer: signer
          ).execute().issued
          for certificate in issued { other.append(certificate.serial) }
        }
        return try CertificateDocument.render(snapshot)
      })
    let year = CalendarDate.today().year
    let serial = { (number: Int) in SerialNumber.make(year: year, number: number) }
    #expect(other.values == ["started"] + (6...10).map(serial))
    #expect(first.issued.map(\.serial).sorted() == (Array(1...5) + Array(11...15)).map(serial))
    #expect(first.failures.isEmpty)
    // Stamped for 6 to 10 first, then again for the numbers the batch was given.
    #expect(stamped.values == (1...5).map(serial) + (6...10).map(serial) + (11...15).map(serial))
    // And stored as the batch it was, by one statement (not one by one after a failed attempt).
    let writers = try cohort.connection.queryOne(
      "SELECT count(DISTINCT xmin::text)::integer AS n FROM certificate WHERE serial = ANY(\(PostgresArray((11...15).map(serial))))"
    )
    #expect(try writers?.decode("n", as: Int.self) == 1)
    try cohort.expectGapless(15)
    let store = CertificateStore(cohort.connection)
    for serial in try cohort.serials() {
      let stored = try store.find(serial: serial)
      #expect(stored.snapshot.serial == serial)
      let path = FileManager.default.temporaryDirectory.appending(path: "restamped-\(UUID().uuidString).pdf").path
      try stored.pdf.write(to: URL(fileURLWithPath: path))
      defer { try? FileManager.default.removeItem(atPath: path) }
      let text = try PDFTools.run("pdftotext", ["-enc", "UTF-8", path, "-"])
      #expect(text.contains("Zertifikatsnummer \(serial)"), "\(serial) is not printed on its own document")
      #expect(try PDFTools.run("pdfinfo", [path]).contains("Keywords:        \(serial) \(stored.snapshot.qrPayload)"))
      let payload = try VerificationPayload.parse(stored.snapshot.qrPayload)
      #expect(try payload.claim().serial == serial)
    }
  }

  @Test func theFirstBatchIsStampedBeforeTheCounterIsLockedForTheNumbersTheRunFound() throws {
    // Earlier runs took 7 numbers this year. The run's first batch expects 8 to 12 from the
    // counter as the run found it, and is stamped for them before the run locks the counter (the
    // lock is then held until commit, so stamping under it kept the other worker waiting).
    let cohort = try CertifiedCohort(count: 5)
    defer { cohort.database.drop() }
    let year = CalendarDate.today().year
    try cohort.issueEarlier(7)
    let database = cohort.database
    let stamped = Recording()
    let run = try cohort.run(
      workers: 1,
      renderer: { snapshot in
        // Another client tries the counter's lock without waiting for it.
        let probe = try database.database().connect()
        do {
          try probe.transaction { tx in
            _ = try tx.query("SELECT last_number FROM certificate_serial_counter WHERE year = \(year) FOR UPDATE NOWAIT")
          }
          stamped.append("\(snapshot.serial) unlocked")
        } catch let error as PostgresError where error.sqlState == "55P03" {
          stamped.append("\(snapshot.serial) locked")
        }
        return try CertificateDocument.render(snapshot)
      })
    let serials = (8...12).map { SerialNumber.make(year: year, number: $0) }
    #expect(run.issued.map(\.serial).sorted() == serials)
    #expect(stamped.values == serials.map { "\($0) unlocked" })
    #expect(try cohort.serials() == (1...12).map { SerialNumber.make(year: year, number: $0) })
  }

  @Test func aQueueSmallerThanTheWorkersBatchesIsSharedEvenly() throws {
    // 6 due, 2 workers, batches of up to 100: 3 each (two transactions), not 6 for one worker
    // while the other has nothing.
    let cohort = try CertifiedCohort(count: 6)
    defer { cohort.database.drop() }
    let run = try CertificateRun(
      database: cohort.database.database(), options: CertificateRunOptions(workers: 2, batchSize: 100),
      signer: cohort.signer
    ).execute()
    #expect(run.issued.count == 6)
    let transactions = try cohort.connection.queryOne("SELECT count(DISTINCT xmin::text)::integer AS n FROM certificate")
    #expect(try transactions?.decode("n", as: Int.self) == 2)
    try cohort.expectGapless(6)
  }

  @Test func aFailedRenderingIsRetriedAndLeavesNoGap() throws {
    let cohort = try CertifiedCohort(count: 6)
    defer { cohort.database.drop() }
    let unlucky = "Person3 Test"
    struct Broken: Error, CustomStringConvertible { var description: String { "font server on fire" } }
    let first = try cohort.run(renderer: { snapshot in
      if snapshot.snapshot.holderName == "Test Person3" || snapshot.snapshot.holderName == unlucky { throw Broken() }
      return try CertificateDocument.render(snapshot)
    })
    #expect(first.issued.count == 5)
    #expect(first.failures.count == 1)
    #expect(first.failures.first?.contains("font server on fire") == true)
    try cohort.expectGapless(5)
    let marker = try #require(try cohort.connection.queryOne("SELECT attempts, last_error FROM certificate_due"))
    #expect(try marker.decode("attempts", as: Int.self) == 1)
    #expect(
      try cohort.connection.queryOne("SELECT status FROM certificate_run ORDER BY id DESC LIMIT 1")?.decode(
        "status", as: String.self) == "failed")
    let second = try cohort.run()
    #expect(second.issued.count == 1)
    try cohort.expectGapless(6)
  }

  @Test func aRevokedCertificateIsNeverReissuedByTheRun() throws {
    let cohort = try CertifiedCohort(count: 2)
    defer { cohort.database.drop() }
    #expect(try cohort.run().issued.count == 2)
    try cohort.connection.execute(
      "SELECT certificate_revoke(serial, 'Täuschung') FROM certificate WHERE participant_id = \(cohort.people[0].rawValue)")
    // Anything that marks the participant due again (a correction) must not bring it back.
    try cohort.connection.execute(
      "INSERT INTO certificate_due (participant_id, programme_id) VALUES (\(cohort.people[0].rawValue), 1)")
    #expect(try cohort.run().issued.isEmpty)
    #expect(try cohort.connection.queryOne("SELECT count(*) AS n FROM certificate")?.decode("n", as: Int.self) == 2)
  }

  @Test func aDryRunWritesNothing() throws {
    let cohort = try CertifiedCohort(count: 3)
    defer { cohort.database.drop() }
    let summary = try CertificateRun(
      database: cohort.database.database(), options: CertificateRunOptions(dryRun: true),
      signer: cohort.signer
    ).execute()
    #expect(summary.planned.count == 3)
    #expect(summary.planned.allSatisfy { $0.kind == .zertifikat && $0.reason.contains("project work passed") })
    #expect(try cohort.serials().isEmpty)
    #expect(try cohort.connection.queryOne("SELECT count(*) AS n FROM certificate_due")?.decode("n", as: Int.self) == 3)
    #expect(try cohort.connection.queryOne("SELECT count(*) AS n FROM certificate_run")?.decode("n", as: Int.self) == 0)
  }
}
