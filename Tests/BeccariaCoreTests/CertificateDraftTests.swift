import BeccariaCore
import Foundation
import Testing

/// A certificate's walk from draft to sealed: the verification address is built in one place,
/// from the programme's prefix, and the sealed certificate carries the draft it completes.
@Suite struct CertificateDraftTests {
  static func definition(verificationURL: String) -> ProgrammeDefinition {
    ProgrammeDefinition(
      code: "beccaria-fachkraft", title: "Fachkraft für Kriminalprävention", version: 3,
      issuer: .init(name: "Landespräventionsrat Sachsen", place: "Dresden"), ueMinutes: 45,
      completion: .init(attendanceThreshold: 0.8, excusedCounts: false, projectRequired: true),
      modules: [.init(number: 1, title: "Kriminologie", blocks: [.init(title: "Block 1", ue: 16)])],
      documents: .init(
        zertifikat: .init(heading: "Zertifikat", body: "hat die Qualifizierung abgeschlossen.", award: "Fachkraft"),
        teilnahmebescheinigung: .init(heading: "Teilnahmebescheinigung", body: "hat teilgenommen.", award: nil),
        signatories: [.init(name: "Dr. Beispiel", role: "Geschäftsführung")], verificationURL: verificationURL))
  }

  static func draft(prefix: String) throws -> CertificateDraft {
    let day = try #require(CalendarDate(iso: "2027-03-01"))
    return CertificateDraft(
      kind: .zertifikat, holderName: "Hańža Šołćina", birthDate: CalendarDate(iso: "1980-05-04"),
      modules: [.init(number: 1, title: "Kriminologie", ue: 16, course: "BQ-SN-2027-1", completedOn: day)], completedOn: day,
      issuedOn: day, definition: definition(verificationURL: prefix), keyID: "k-00000000000000aa")
  }

  /// A stand-in signature: the claim's bytes and 64 bytes of `byte`.
  static func sign(_ claim: CertificateClaim, byte: UInt8 = 7) -> VerificationPayload {
    VerificationPayload(claimBytes: claim.canonicalBytes(), signature: Data(repeating: byte, count: 64))
  }

  @Test(arguments: [
    ("https://lpr.sachsen.de/pruefen", "https://lpr.sachsen.de/pruefen?nr=BQ-2027-000042"),
    ("https://lpr.sachsen.de/p?land=sn", "https://lpr.sachsen.de/p?land=sn&nr=BQ-2027-000042"),
  ])
  func theAddressIsThePrefixWithTheSerial(prefix: String, address: String) throws {
    let draft = try Self.draft(prefix: prefix)
    #expect(draft.fields.serial.isEmpty && draft.fields.qrPayload.isEmpty)
    #expect(address.hasPrefix(draft.addressBeforeSerial))
    let sealed = draft.sealed(serial: "BQ-2027-000042") { Self.sign($0) }
    #expect(sealed.verificationURL == address)
    #expect(sealed.draft == draft)
    // The QR code carries the signed claim of exactly what is printed, behind the same prefix.
    let payload = try VerificationPayload.parse(sealed.qrPayload)
    #expect(sealed.qrPayload.hasPrefix(prefix + (prefix.contains("?") ? "&c=" : "?c=")))
    let claim = try CertificateClaim.decode(payload.claimBytes)
    #expect(claim == CertificateClaim(snapshot: sealed.snapshot, keyID: "k-00000000000000aa"))
    #expect(claim.serial == "BQ-2027-000042" && claim.holderName == "Hańža Šołćina")
    #expect(sealed.signature == Data(repeating: 7, count: 64))
  }

  @Test func aReplacementKeepsWhatWasCertifiedAndPrintsTodaysName() throws {
    let first = try Self.draft(prefix: "https://lpr.sachsen.de/pruefen").sealed(serial: "BQ-2027-000001") { Self.sign($0) }
    let today = try #require(CalendarDate(iso: "2027-06-01"))
    let draft = CertificateDraft(
      replacing: first.snapshot, holderName: "Hańža Nowak", birthDate: first.birthDate, issuedOn: today,
      verificationPrefix: "https://lpr.sachsen.de/pruefen", keyID: "k-00000000000000bb")
    let second = draft.sealed(serial: "BQ-2027-000002") { Self.sign($0, byte: 9) }
    #expect(second.modules == first.modules && second.completedOn == first.completedOn && second.body == first.body)
    #expect(second.holderName == "Hańža Nowak" && second.issuedOn == today && second.keyID == "k-00000000000000bb")
    #expect(second.verificationURL == "https://lpr.sachsen.de/pruefen?nr=BQ-2027-000002")
    // A specimen says so in its heading; nothing else changes.
    let specimen = draft.specimen()
    #expect(specimen.fields.heading == "Zertifikat (MUSTER)")
    #expect(specimen != draft)
  }
}
