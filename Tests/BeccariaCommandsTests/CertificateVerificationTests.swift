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

/// Signatures, verification, revocation and re-issue, through the `beccaria` binary as users run
/// it, with PDFs and QR codes read back by poppler and zbar.
@Suite struct CertificateVerificationTests {
  /// A cohort of `count` certified people whose certificates were issued and exported.
  struct Issued {
    let cohort: CertifiedCohort
    let directory: String
    let serials: [String]

    init(count: Int) throws {
      cohort = try CertifiedCohort(count: count)
      directory = FileManager.default.temporaryDirectory.appending(path: "verify-\(UUID().uuidString)").path
      let summary = try cohort.run(output: directory)
      serials = summary.issued.map(\.serial)
    }

    func path(_ serial: String) -> String { "\(directory)/\(serial.dropFirst(3).prefix(4))/\(serial).pdf" }

    func beccaria(_ arguments: [String], stdin: String? = nil) throws -> CommandResult {
      try Beccaria.run(arguments, database: cohort.database, stdin: stdin, environment: cohort.environment)
    }

    func verify(_ input: String, _ extra: [String] = []) throws -> CommandResult {
      try beccaria(["certificate", "verify", input] + extra)
    }
  }

  @Test func aGenuinePDFVerifiesAndAChangedCopyIsNotTheOriginalUnlessItsCodeFails() throws {
    let issued = try Issued(count: 1)
    defer { issued.cohort.database.drop() }
    let serial = try #require(issued.serials.first)
    let path = issued.path(serial)
    let genuine = try issued.verify(path)
    #expect(genuine.status == 0, "\(genuine.stdout)\(genuine.stderr)")
    #expect(genuine.stdout.hasPrefix("VALID: certificate \(serial) is genuine and valid"))
    #expect(genuine.stdout.contains("Test Person0"))

    let original = try #require(FileManager.default.contents(atPath: path))
    let keywords = try #require(original.range(of: Data("/Keywords".utf8)))
    // One byte changed anywhere: the header, inside the compressed page, the serial in the
    // document information, the cross-reference table, the very last byte.
    let positions = [
      5, original.count / 3, original.count / 2, keywords.lowerBound + 14, original.count - 30, original.count - 1,
    ]
    for position in positions {
      var edited = original
      edited[position] = edited[position] == 0x41 ? 0x42 : 0x41
      let file = FileManager.default.temporaryDirectory.appending(path: "edited-\(position)-\(UUID().uuidString).pdf").path
      try edited.write(to: URL(fileURLWithPath: file))
      defer { try? FileManager.default.removeItem(atPath: file) }
      // Re-saved, printed or edited: not the original; the code it carries is genuine and
      // names the certificate as issued (what a reader compares the page with).
      let result = try issued.verify(file)
      #expect(result.status == 8, "byte \(position): \(result.stdout)\(result.stderr)")
      #expect(result.stdout.hasPrefix("NOT-ORIGINAL: this file is not the document issued"), "byte \(position): \(result.stdout)")
      #expect(result.stdout.contains("Test Person0") && result.stdout.contains("genuine, valid"), "byte \(position)")
    }
    func verdict(of edited: Data) throws -> (CommandResult, [String: Any]) {
      let file = FileManager.default.temporaryDirectory.appending(path: "edited-\(UUID().uuidString).pdf").path
      try edited.write(to: URL(fileURLWithPath: file))
      defer { try? FileManager.default.removeItem(atPath: file) }
      let result = try issued.verify(file, ["--format", "json"])
      return (result, try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]))
    }
    // A digit of the code's signature changed: the code fails, the file is not genuine.
    let token = try #require(original.range(of: Data("BQ2.".utf8), options: .backwards))
    var badCode = original
    badCode[token.upperBound + 16] = badCode[token.upperBound + 16] ^ 0x01
    let (forged, forgedJSON) = try verdict(of: badCode)
    #expect(forged.status == 6, "\(forged.stdout)")
    #expect(forgedJSON["verdict"] as? String == "forged")
    // The code removed (a copy printed to PDF keeps none): not the original, nothing to check.
    var noCode = original
    for index in token.lowerBound..<token.lowerBound + 4 { noCode[index] = UInt8(ascii: "X") }
    let (bare, bareJSON) = try verdict(of: noCode)
    #expect(bare.status == 8, "\(bare.stdout)")
    #expect(bareJSON["verdict"] as? String == "not-original" && bareJSON["codeVerdict"] == nil)
    #expect((bareJSON["explanation"] as? String)?.contains("carries no code that can be checked") == true)
  }

  @Test func payloadsAreCheckedBySignatureAndKey() throws {
    let issued = try Issued(count: 1)
    defer { issued.cohort.database.drop() }
    let serial = try #require(issued.serials.first)
    let snapshot = try CertificateStore(issued.cohort.connection).find(serial: serial).snapshot
    let payload = try VerificationPayload.parse(snapshot.qrPayload)

    let genuine = try issued.verify(snapshot.qrPayload)
    #expect(genuine.status == 0, "\(genuine.stdout)\(genuine.stderr)")
    #expect(genuine.stdout.contains("its signature and the register agree"))

    // A forged signature: one bit of the signature flipped.
    var badSignature = payload
    badSignature.signature[10] ^= 0x01
    let forged = try issued.verify(badSignature.url(prefix: "https://example.org/pruefen"))
    #expect(forged.status == 6, "\(forged.stdout)\(forged.stderr)")
    #expect(forged.stdout.contains("its signature does not match its content"))

    // The claim edited (another name), the original signature kept.
    var claim = try payload.claim()
    claim.holderName = "Mallory Fälscher"
    let edited = VerificationPayload(claimBytes: try claim.compactBytes(), signature: payload.signature, encoding: .compact)
    let editedResult = try issued.verify(edited.token)
    #expect(editedResult.status == 6)

    // Properly signed, but by a key the register does not know.
    let stranger = SigningKey.generate()
    var strangersClaim = try payload.claim()
    strangersClaim.keyID = stranger.keyID
    let unknownKey = try issued.verify(try stranger.sign(strangersClaim).token)
    #expect(unknownKey.status == 7, "\(unknownKey.stdout)\(unknownKey.stderr)")
    #expect(unknownKey.stdout.hasPrefix("UNKNOWN-KEY:"))

    // Signed by the real key for a serial that was never issued (a stolen key, say).
    var neverIssued = try payload.claim()
    neverIssued.serial = "BQ-2026-999999"
    let stolen = try issued.verify(try issued.cohort.signer.sign(neverIssued).token)
    #expect(stolen.status == 5, "\(stolen.stdout)\(stolen.stderr)")

    // Serials: known and unknown; garbage is a usage problem, not a verdict.
    #expect(try issued.verify(serial).status == 0)
    let unknown = try issued.verify("BQ-2031-000001")
    #expect(unknown.status == 5)
    #expect(unknown.stdout.hasPrefix("UNKNOWN: no certificate with the serial BQ-2031-000001 was issued"))
    let garbage = try issued.verify("hello")
    #expect(garbage.status == 1)
    #expect(garbage.stderr.contains("neither a file, a serial number"))
  }

  @Test func theQRCodeOfARenderedPageVerifiesOfflineWithTheExportedPublicKey() throws {
    let issued = try Issued(count: 1)
    defer { issued.cohort.database.drop() }
    let serial = try #require(issued.serials.first)
    let keyFile = FileManager.default.temporaryDirectory.appending(path: "public-\(UUID().uuidString).pem").path
    let export = try issued.beccaria(["keys", "export-public", "--output", keyFile])
    #expect(export.status == 0, "\(export.stderr)")
    // OpenSSL reads both halves, and the public key it derives is the one exported.
    let derived = try PDFTools.run("openssl", ["pkey", "-in", issued.cohort.keyPath, "-pubout"])
    let exported = try String(contentsOfFile: keyFile, encoding: .utf8)
    #expect(exported.contains(derived.trimmingCharacters(in: .whitespacesAndNewlines)))

    let scanned = try PDFTools.qrCodes(issued.path(serial), page: 1, dpi: 300)
    #expect(scanned.count == 1)
    let code = try #require(scanned.first)
    #expect(code.hasPrefix("https://"))
    // No database at all: an unreachable one is configured, and the check never touches it.
    let offline = try Beccaria.run(
      ["certificate", "verify", "--offline", "--public-key", keyFile, "-"], stdin: code,
      environment: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none?connect_timeout=1"])
    #expect(offline.status == 0, "\(offline.stdout)\(offline.stderr)")
    #expect(offline.stdout.contains("genuine"))
    #expect(offline.stdout.contains("Test Person0"))
    #expect(offline.stdout.contains("offline, signature only"))

    var tampered = try VerificationPayload.parse(code)
    tampered.signature[0] ^= 0x80
    let rejected = try Beccaria.run(
      ["certificate", "verify", "--offline", "--public-key", keyFile, tampered.token],
      environment: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none?connect_timeout=1"])
    #expect(rejected.status == 6)
    // Another key's public half does not vouch for it.
    let otherKey = FileManager.default.temporaryDirectory.appending(path: "other-\(UUID().uuidString).pem").path
    try SigningKey.generate().publicKey.pem.write(toFile: otherKey, atomically: true, encoding: .utf8)
    let wrongKey = try Beccaria.run(["certificate", "verify", "--offline", "--public-key", otherKey, code])
    #expect(wrongKey.status == 7)
    // A PDF cannot be checked offline: that needs the register.
    let pdfOffline = try Beccaria.run(["certificate", "verify", "--offline", "--public-key", keyFile, issued.path(serial)])
    #expect(pdfOffline.status == 1)
    #expect(pdfOffline.stderr.contains("can only be checked against the register"))
  }

  @Test func reissueAfterARenameSupersedesAndChains() throws {
    let issued = try Issued(count: 1)
    defer { issued.cohort.database.drop() }
    let first = try #require(issued.serials.first)
    let person = try #require(issued.cohort.people.first)
    let original = try CertificateStore(issued.cohort.connection).find(serial: first)

    let rename = try issued.beccaria([
      "participant", "rename", String(person.rawValue), "--family-name", "Wjeńkowa-Schulz", "--reason", "Eheschließung",
    ])
    #expect(rename.status == 0, "\(rename.stderr)")
    // A rename alone re-issues nothing and changes nothing issued.
    #expect(try issued.cohort.run().issued.isEmpty)
    #expect(try CertificateStore(issued.cohort.connection).find(serial: first).pdf == original.pdf)

    let reissue = try issued.beccaria([
      "certificate", "reissue", first, "--reason", "Namensänderung", "--output", issued.directory,
    ])
    #expect(reissue.status == 0, "\(reissue.stderr)")
    let second = try #require(try issued.cohort.serials().last)
    #expect(second != first)
    #expect(reissue.stdout.contains("Re-issued \(first) as \(second)"))
    let text = try PDFTools.run("pdftotext", ["-enc", "UTF-8", issued.path(second), "-"])
    #expect(text.contains("Wjeńkowa-Schulz"))
    #expect(!text.contains("Test Person0"))
    #expect(text.contains("Abgeschlossen am \(original.snapshot.completedOn.german)"))
    let renewed = try CertificateStore(issued.cohort.connection).find(serial: second)
    #expect(renewed.snapshot.completedOn == original.snapshot.completedOn)
    #expect(renewed.snapshot.modules == original.snapshot.modules)
    #expect(try PDFTools.qrCodes(issued.path(second), page: 1, dpi: 300) == [renewed.snapshot.qrPayload])

    let old = try issued.verify(issued.path(first))
    #expect(old.status == 4, "\(old.stdout)\(old.stderr)")
    #expect(old.stdout.contains("was replaced by \(second)"))
    #expect(try issued.verify(issued.path(second)).status == 0)

    // A second re-issue supersedes the second; the first now points along the chain.
    let again = try issued.beccaria(["certificate", "reissue", second, "--reason", "Tippfehler im Namen"])
    #expect(again.status == 0, "\(again.stderr)")
    let third = try #require(try issued.cohort.serials().last)
    let secondNow = try issued.verify(second)
    #expect(secondNow.status == 4)
    #expect(secondNow.stdout.contains("replaced by \(third)"))
    let firstNow = try issued.verify(first, ["--format", "json"])
    let json = try #require(try JSONSerialization.jsonObject(with: Data(firstNow.stdout.utf8)) as? [String: Any])
    #expect(json["superseded_by"] as? String == second)
    #expect(json["current_serial"] as? String == third)
    // A superseded certificate cannot be re-issued or revoked again; the chain stays linear.
    let stale = try issued.beccaria(["certificate", "reissue", first, "--reason", "nochmal"])
    #expect(stale.status == 1)
    #expect(stale.stderr.contains("already replaced by \(second)"))
    let valid = try issued.cohort.connection.query("SELECT serial FROM certificate WHERE status = 'valid'")
    #expect(try valid.map { try $0.decode("serial", as: String.self) } == [third])
    try issued.cohort.expectGapless(3)
  }

  @Test func revocationNeedsAReasonAndIsFinal() throws {
    let issued = try Issued(count: 2)
    defer { issued.cohort.database.drop() }
    let serial = try #require(issued.serials.first)
    let noReason = try issued.beccaria(["certificate", "revoke", "--yes", serial, "--reason", "  "])
    #expect(noReason.status != 0)
    #expect(noReason.stderr.contains("--reason must not be empty"))
    let missing = try issued.beccaria(["certificate", "revoke", "--yes", serial])
    #expect(missing.status != 0)
    #expect(try issued.cohort.connection.query("SELECT 1 FROM certificate WHERE status <> 'valid'").isEmpty)
    // psql cannot do it without a reason either.
    #expect(throws: PostgresError.self) {
      try issued.cohort.connection.execute(
        "UPDATE certificate SET status = 'revoked', revoked_at = now() WHERE serial = \(serial)")
    }

    let revoke = try issued.beccaria(["certificate", "revoke", "--yes", serial, "--reason", "Projektarbeit als Plagiat erkannt"])
    #expect(revoke.status == 0, "\(revoke.stderr)")
    let result = try issued.verify(issued.path(serial))
    #expect(result.status == 3, "\(result.stdout)")
    #expect(result.stdout.contains("revoked"))
    #expect(result.stdout.contains("Projektarbeit als Plagiat erkannt"))
    let twice = try issued.beccaria(["certificate", "revoke", "--yes", serial, "--reason", "noch einmal"])
    #expect(twice.status == 1)
    #expect(twice.stderr.contains("already revoked"))
    let reissue = try issued.beccaria(["certificate", "reissue", serial, "--reason", "Namensänderung"])
    #expect(reissue.status == 1)
    #expect(reissue.stderr.contains("a revoked certificate is not re-issued"))
    // Back to valid is refused by the database.
    #expect(throws: PostgresError.self) {
      try issued.cohort.connection.execute(
        "UPDATE certificate SET status = 'valid', revoked_at = NULL, revocation_reason = NULL WHERE serial = \(serial)")
    }
    // The nightly run never issues it again, even when the holder is marked due.
    let person = try #require(issued.cohort.people.first)
    try issued.cohort.connection.execute(
      "INSERT INTO certificate_due (participant_id, programme_id) VALUES (\(person.rawValue), 1) ON CONFLICT DO NOTHING")
    let run = try issued.beccaria(["certificate", "run"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("issued 0 certificates"))
    #expect(try issued.cohort.serials().count == 2)
  }

  @Test func keysAreKeptApartFromTheDatabaseAndRegisteredBeforeTheySign() throws {
    let issued = try Issued(count: 1)
    defer { issued.cohort.database.drop() }
    let folder = FileManager.default.temporaryDirectory.appending(path: "keys-\(UUID().uuidString)").path
    let path = "\(folder)/signing-key.pem"
    let generate = try issued.beccaria(["keys", "generate", "--output", path, "--label", "LPR Sachsen 2027"])
    #expect(generate.status == 0, "\(generate.stderr)")
    let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
    #expect(mode.intValue & 0o777 == 0o600)
    let key = try SigningKey.load(path: path)
    let overwrite = try issued.beccaria(["keys", "generate", "--output", path])
    #expect(overwrite.status == 1)
    #expect(overwrite.stderr.contains("never overwritten"))
    #expect(try SigningKey.load(path: path).keyID == key.keyID)
    // The database holds the public half only.
    let stored = try issued.cohort.connection.queryOne("SELECT public_key FROM signing_key WHERE key_id = \(key.keyID)")
    #expect(try stored?.decode("public_key", as: Data.self) == key.publicKey.rawRepresentation)
    let list = try issued.beccaria(["keys", "list", "--format", "csv"])
    #expect(list.stdout.contains(key.keyID) && list.stdout.contains("LPR Sachsen 2027"))

    // A key file others can read is refused.
    chmod(path, 0o644)
    let loose = try issued.beccaria(["certificate", "reissue", issued.serials[0], "--reason", "x", "--signing-key", path])
    #expect(loose.status == 1)
    #expect(loose.stderr.contains("readable by others"))
    chmod(path, 0o600)

    // A key the database does not know cannot sign.
    let unregistered = "\(folder)/stray.pem"
    try SigningKey.generate().write(to: unregistered)
    let stray = try issued.beccaria(["certificate", "reissue", issued.serials[0], "--reason", "x", "--signing-key", unregistered])
    #expect(stray.status == 1)
    #expect(stray.stderr.contains("is not registered"))
    // Registered from the key file itself (only its public half goes in), it signs; registering
    // it again changes nothing.
    let stranger = try SigningKey.load(path: unregistered)
    let register = try issued.beccaria(["keys", "register", unregistered, "--label", "Ersatz"])
    #expect(register.status == 0, "\(register.stderr)")
    #expect(register.stdout.contains("Registered signing key \(stranger.keyID)."))
    let again = try issued.beccaria(["keys", "register", unregistered, "--label", "Anders"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("registered already"))
    let registered = try issued.cohort.connection.query(
      "SELECT public_key, label FROM signing_key WHERE key_id = \(stranger.keyID)")
    #expect(registered.count == 1)
    #expect(try registered.first?.decode("public_key", as: Data.self) == stranger.publicKey.rawRepresentation)
    #expect(try registered.first?.decode("label", as: String.self) == "Ersatz")

    // A retired key signs nothing new, but what it signed stays valid.
    let retire = try issued.beccaria(["keys", "retire", issued.cohort.signer.keyID])
    #expect(retire.status == 0, "\(retire.stderr)")
    let retired = try issued.beccaria(["certificate", "reissue", issued.serials[0], "--reason", "x"])
    #expect(retired.status == 1)
    #expect(retired.stderr.contains("retired"))
    #expect(try issued.verify(issued.serials[0]).status == 0)
    let withNewKey = try issued.beccaria([
      "certificate", "reissue", issued.serials[0], "--reason", "Namensänderung", "--signing-key", path,
    ])
    #expect(withNewKey.status == 0, "\(withNewKey.stderr)")
    #expect(try issued.verify(try #require(try issued.cohort.serials().last)).stdout.contains("key:         \(key.keyID)"))
    // The key registered from its file signs too.
    let latest = try #require(try issued.cohort.serials().last)
    let signed = try issued.beccaria(["certificate", "reissue", latest, "--reason", "Tippfehler", "--signing-key", unregistered])
    #expect(signed.status == 0, "\(signed.stderr)")
    #expect(try issued.verify(try #require(try issued.cohort.serials().last)).stdout.contains("key:         \(stranger.keyID)"))
  }

  @Test func aRegisterEntryEditedBehindTheTriggersIsNotReportedGenuine() throws {
    let issued = try Issued(count: 1)
    defer { issued.cohort.database.drop() }
    let serial = try #require(issued.serials.first)
    // Even the owner cannot edit it while the guard is on; switched off, the edit is still caught.
    #expect(throws: PostgresError.self) {
      try issued.cohort.connection.execute(
        "UPDATE certificate SET snapshot = jsonb_set(snapshot, '{holderName}', '\"Mallory\"') WHERE serial = \(serial)")
    }
    try issued.cohort.connection.transaction { db in
      try db.execute("ALTER TABLE certificate DISABLE TRIGGER certificate_frozen")
      try db.execute(
        "UPDATE certificate SET snapshot = jsonb_set(snapshot, '{holderName}', '\"Mallory\"') WHERE serial = \(serial)")
      try db.execute("ALTER TABLE certificate ENABLE TRIGGER certificate_frozen")
    }
    let result = try issued.verify(serial)
    #expect(result.status == 6, "\(result.stdout)")
    #expect(result.stdout.contains("does not match its signature"))
  }
}
