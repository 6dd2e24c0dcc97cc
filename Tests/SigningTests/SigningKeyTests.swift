import BeccariaCore
import Foundation
import Signing
import Testing

/// Issuing keys: PKCS #8 PEM files of mode 0600, and the seal that signs exactly what is printed.
@Suite struct SigningKeyTests {
  static func draft(keyID: String) throws -> CertificateDraft {
    let day = try #require(CalendarDate(iso: "2027-03-01"))
    var fields = CertificateSnapshot(
      serial: "", kind: .zertifikat, heading: "Zertifikat", holderName: "Měrćin Wjeńka", birthDate: nil, body: "hat …",
      award: nil, programmeCode: "beccaria-fachkraft", programmeTitle: "Fachkraft für Kriminalprävention", programmeVersion: 1,
      modules: [], completedOn: day, issuer: "Landespräventionsrat Sachsen", place: "Dresden", issuedOn: day, signatories: [],
      verificationURL: "", qrPayload: "", ueMinutes: 45)
    fields.keyID = keyID
    return CertificateDraft(printing: fields, verificationPrefix: "https://lpr.sachsen.de/pruefen")
  }

  @Test func aSealIsSignedByTheKeyItNamesAndVerifiesWithItsPublicHalf() throws {
    let key = SigningKey.generate()
    let sealed = try key.seal(try Self.draft(keyID: key.keyID), serial: "BQ-2027-000007")
    let payload = try VerificationPayload.parse(sealed.qrPayload)
    #expect(payload.signature == sealed.signature)
    #expect(key.publicKey.isValidSignature(sealed.signature, for: payload.claimBytes))
    #expect(!SigningKey.generate().publicKey.isValidSignature(sealed.signature, for: payload.claimBytes))
    // A draft made for another key (whose id it prints) is not sealed with this one.
    let other = SigningKey.generate()
    let refused = #expect(throws: KeyError.self) { try key.seal(try Self.draft(keyID: other.keyID), serial: "BQ-2027-000008") }
    #expect(refused?.description.contains(other.keyID) == true)
  }

  @Test func aKeyFileIsPrivateAndReadsBackAsTheSameKey() throws {
    let directory = FileManager.default.temporaryDirectory.appending(path: "keys-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appending(path: "signing.pem").path
    let key = SigningKey.generate()
    try key.write(to: path)
    #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    #expect(try SigningKey.load(path: path).keyID == key.keyID)
    // Never overwritten; refused once others may read it.
    #expect(throws: KeyError.self) { try SigningKey.generate().write(to: path) }
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
    let open = #expect(throws: KeyError.self) { try SigningKey.load(path: path) }
    #expect(open?.description.contains("chmod 600") == true)
    // The public half round-trips through its PEM, with its id.
    #expect(try PublicSigningKey(pem: key.publicKey.pem).keyID == key.keyID)
  }
}
