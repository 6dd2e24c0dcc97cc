import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import Signing
import TestSupport
import Testing

/// The verification service's login (role verifier, schema 0023): it reads no table, calls only
/// the verification functions, and what those answer carries no holder's data.
@Suite struct VerifierRoleTests {
  @Test func theVerifierReadsNoTableAndCallsOnlyTheVerificationFunctions() throws {
    let fixture = try SecurityFixture(people: 2)
    defer { fixture.drop() }
    let verifier = try fixture.connect(fixture.verifier)
    for table in ["certificate", "participant", "signing_key", "audit_log", "programme_version", "certificate_status_event"] {
      #expect(throws: PostgresError.self, "SELECT on \(table)") {
        try verifier.query("SELECT 1 FROM \(identifier: table) LIMIT 1")
      }
    }
    let callable = try verifier.query(
      """
      SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
         AND has_function_privilege(p.oid, 'EXECUTE')
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
       ORDER BY p.proname
      """
    ).map { try $0.decode("proname", as: String.self) }
    #expect(
      Set(callable)
        == [
          "verification_certificate", "verification_serial_of_pdf", "verification_holder_matches", "verification_key",
          "verification_programmes", "beccaria_base64url_decode", "beccaria_decimal_bytes", "beccaria_signature_mark",
          "beccaria_name_key", "beccaria_names_match",
        ])
    // Nothing it can call writes: the session is read-only, and so is every function it may call.
    let psql = try fixture.psql(fixture.verifier, "UPDATE certificate SET status = 'valid';")
    #expect(psql.status != 0 && psql.stderr.contains("permission denied"))
  }

  @Test func whatTheFunctionsAnswerNamesNobody() throws {
    let fixture = try SecurityFixture(people: 2, names: [("Wjeńka", "Měrćin")])
    defer { fixture.drop() }
    let verifier = PublicVerifier(try fixture.connect(fixture.verifier))
    let store = CertificateStore(fixture.owner)
    let serial = try #require(try fixture.valid.first { try store.find(serial: $0).snapshot.holderName == "Měrćin Wjeńka" })
    let status = try #require(try verifier.status(serial: serial))
    #expect(status.status == .valid && status.serial == serial && status.keyID != nil)
    let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
    #expect(!json.contains("Wjeńka") && !json.contains("Měrćin"))
    #expect(json.contains("\"revokedOn\":null"))
    let revoked = try #require(try verifier.status(serial: fixture.revoked))
    #expect(revoked.status == .revoked && revoked.revokedOn == CalendarDate.today())
    #expect(try verifier.status(serial: "BQ-2026-999999") == nil)
    // The register's own code verifies; the same code with one signature bit flipped does not.
    let stored = try store.find(serial: serial)
    let payload = try VerificationPayload.parse(stored.snapshot.qrPayload)
    #expect(payload.encoding == .compact)
    let verdict = try verifier.verify(payload)
    #expect(verdict.verdict == .valid && verdict.claim?.holderName == "Měrćin Wjeńka")
    // The JSON the service writes by hand reads back as what it describes, and has the keys and
    // values JSONEncoder writes.
    #expect(try JSONDecoder().decode(PublicVerdict.self, from: Data(verdict.json.utf8)) == verdict)
    #expect(try JSONDecoder().decode(PublicCertificateStatus.self, from: Data(status.json.utf8)) == status)
    let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(status)) as? NSDictionary
    #expect(encoded == (try JSONSerialization.jsonObject(with: Data(status.json.utf8)) as? NSDictionary))
    var flipped = payload
    flipped.signature[3] ^= 0x01
    #expect(try verifier.verify(flipped).verdict == .forged)
    // The real key's signature over a claim the register never issued under this serial.
    var claim = try payload.claim()
    claim.holderName = "Mallory Fälscher"
    let resigned = try fixture.cohort.signer.sign(claim)
    let other = try verifier.verify(resigned)
    #expect(other.verdict == .forged && other.signature == .valid)
  }

  @Test func theMatchIgnoresCaseAccentsAndNormalisationAndAnswersNothingElse() throws {
    let fixture = try SecurityFixture(people: 1, names: [("Šołćina", "Hańža")])
    defer { fixture.drop() }
    let verifier = PublicVerifier(try fixture.connect(fixture.verifier))
    // The named participant is the cohort's last; which serial the run gave them depends on the
    // order its workers finished in.
    let named = try #require(fixture.cohort.people.last)
    let serial = try #require(
      try fixture.owner.queryOne("SELECT serial FROM certificate WHERE participant_id = \(named)")?.decode(
        "serial", as: String.self))
    let birth = try #require(try CertificateStore(fixture.owner).find(serial: serial).snapshot.birthDate)
    for typed in ["Šołćina", "šołćina", "SOLCINA", "Solcina", "S\u{30C}oł\u{107}ina", "  Šołćina "] {
      #expect(try verifier.holderMatches(serial: serial, familyName: typed, birthDate: birth) == true, "\(typed)")
    }
    for typed in ["Šołćin", "Hańža", "Hańža Šołćina x", ""] {
      #expect(try verifier.holderMatches(serial: serial, familyName: typed, birthDate: birth) == false, "\(typed)")
    }
    #expect(try verifier.holderMatches(serial: serial, familyName: "Šołćina", birthDate: birth.adding(days: 1)) == false)
    #expect(try verifier.holderMatches(serial: "BQ-2026-999999", familyName: "Šołćina", birthDate: birth) == nil)
  }

  @Test func codesPrintedBeforeTheCompactCodeStillVerify() throws {
    let fixture = try SecurityFixture(people: 2, claimEncoding: .json)
    defer { fixture.drop() }
    let verifier = PublicVerifier(try fixture.connect(fixture.verifier))
    let serial = try #require(fixture.valid.first)
    let stored = try CertificateStore(fixture.owner).find(serial: serial)
    #expect(stored.snapshot.qrPayload.contains("?c=BQ1."))
    let payload = try VerificationPayload.parse(stored.snapshot.qrPayload)
    #expect(payload.encoding == .json)
    let verdict = try verifier.verify(payload)
    #expect(verdict.verdict == .valid && verdict.claim?.format == "BQ1")
    var flipped = payload
    flipped.signature[0] ^= 0x80
    #expect(try verifier.verify(flipped).verdict == .forged)
    // The command line: the PDF, the QR code's address, and the printed address.
    let pdf = try fixture.beccaria(nil, ["certificate", "verify", fixture.path(serial)])
    #expect(pdf.status == 0, "\(pdf.stdout)\(pdf.stderr)")
    #expect(try fixture.beccaria(nil, ["certificate", "verify", stored.snapshot.qrPayload]).status == 0)
    let printed = try fixture.beccaria(nil, ["certificate", "verify", stored.snapshot.verificationURL])
    #expect(printed.status == 0 && printed.stdout.contains(serial), "\(printed.stdout)\(printed.stderr)")
    let revoked = try fixture.beccaria(
      nil, ["certificate", "verify", "https://www.lpr.sachsen.de/beccaria/pruefen?nr=\(fixture.revoked)"])
    #expect(revoked.status == 3)
  }

  @Test func theCommandLineTakesTheNewCodeAndThePrintedAddress() throws {
    let fixture = try SecurityFixture(people: 2)
    defer { fixture.drop() }
    let serial = try #require(fixture.valid.first)
    let stored = try CertificateStore(fixture.owner).find(serial: serial)
    #expect(stored.snapshot.qrPayload.contains("#c=BQ2."))
    let address = try fixture.beccaria(nil, ["certificate", "verify", stored.snapshot.qrPayload])
    #expect(address.status == 0 && address.stdout.contains("its signature and the register agree"), "\(address.stdout)")
    let bare = String(stored.snapshot.qrPayload.split(separator: "#c=")[1])
    #expect(try fixture.beccaria(nil, ["certificate", "verify", bare]).status == 0)
    #expect(try fixture.beccaria(nil, ["certificate", "verify", stored.snapshot.verificationURL]).status == 0)
  }
}
