import BeccariaCore
import Foundation
import Testing

/// The compact token (BQ2) a certificate's QR code carries since schema 0023: bytes as decimal
/// digits, the claim in its binary encoding, both canonical; and the JSON tokens (BQ1) printed
/// before it, which stay readable.
@Suite struct CompactTokenTests {
  static let completed = CalendarDate(year: 2026, month: 10, day: 25) ?? .today()
  static let issued = CalendarDate(year: 2026, month: 11, day: 30) ?? .today()

  static func claim(name: String = "Měrćin Wjeńka", birth: String? = "1984-07-12", key: String = "k-0123456789abcdef")
    -> CertificateClaim
  {
    CertificateClaim(
      serial: "BQ-2026-004711", keyID: key, kind: .zertifikat, holderName: name,
      birthDate: birth.flatMap { CalendarDate(iso: $0) }, programmeCode: "beccaria-fachkraft", programmeVersion: 3,
      modules: [.init(number: 1, ue: 32), .init(number: 2, ue: 32), .init(number: 3, ue: 32), .init(number: 4, ue: 32)],
      completedOn: completed, issuedOn: issued)
  }

  @Test func decimalBytesRoundTripsEveryLengthAndValue() {
    var generator = SystemRandomNumberGenerator()
    for length in 0...40 {
      for _ in 0..<50 {
        let bytes = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let digits = DecimalBytes.encode(bytes)
        #expect(digits.allSatisfy { $0.isNumber })
        #expect(digits.count == length / 7 * 17 + [0, 3, 5, 8, 10, 13, 15][length % 7])
        #expect(DecimalBytes.decode(digits) == bytes)
      }
    }
    // Extremes: all zeros and all ones keep their length.
    #expect(DecimalBytes.encode(Data(repeating: 0, count: 7)) == String(repeating: "0", count: 17))
    #expect(DecimalBytes.encode(Data(repeating: 255, count: 7)) == "72057594037927935")
    #expect(DecimalBytes.encode(Data([255])) == "255")
  }

  @Test func decimalBytesRefusesWhatEncodeNeverWrites() {
    #expect(DecimalBytes.decode("256") == nil)  // one byte holds at most 255
    #expect(DecimalBytes.decode("72057594037927936") == nil)  // 2^56 does not fit 7 bytes
    #expect(DecimalBytes.decode("1234") == nil)  // no group has 4 digits
    #expect(DecimalBytes.decode("12a") == nil)
    #expect(DecimalBytes.decode("99999999999999999") == nil)
  }

  @Test func theCompactClaimRoundTripsAndIsAThirdOfTheJSON() throws {
    for claim in [Self.claim(), Self.claim(name: "محمد الحسن", birth: nil), Self.claim(key: "k-test-key")] {
      let bytes = try claim.compactBytes()
      #expect(try CertificateClaim.decodeCompact(bytes) == claim)
      #expect(try CertificateClaim.decode(bytes, encoding: .compact) == claim)
    }
    let typical = try Self.claim().compactBytes()
    #expect(typical.count < Self.claim().canonicalBytes().count / 3)
    // The register's key ids take 8 raw bytes; any other key id is written as text.
    #expect(
      try Self.claim(key: "k-0123456789abcdef").compactBytes().count + 10
        == Self.claim(key: "k-0123456789ABCDEF").compactBytes().count)
  }

  @Test func aCompactClaimThatIsNotCanonicalIsRefused() throws {
    let bytes = try Self.claim().compactBytes()
    // Trailing bytes, a truncated claim, another version, an unknown kind.
    #expect(throws: MalformedPayload.self) { try CertificateClaim.decodeCompact(bytes + Data([0])) }
    #expect(throws: MalformedPayload.self) { try CertificateClaim.decodeCompact(bytes.dropLast()) }
    var version = bytes
    version[0] = 1
    #expect(throws: MalformedPayload.self) { try CertificateClaim.decodeCompact(version) }
    var kind = bytes
    kind[1] = 7
    #expect(throws: MalformedPayload.self) { try CertificateClaim.decodeCompact(kind) }
    // A number written with a needless continuation byte decodes to the same value, but is not
    // what the encoder writes: refused (one claim, one byte string, one signature).
    var padded = Data(bytes.prefix(2))
    padded += [0xEA, 0x8F, 0x80, 0x00]  // 2026 as LEB128 with a padding byte
    padded += bytes.dropFirst(4)
    #expect(throws: MalformedPayload.self) { try CertificateClaim.decodeCompact(padded) }
    // Invalid UTF-8 in the name.
    let name = try #require(bytes.firstRange(of: Data("Měrćin".utf8)))
    var broken = bytes
    broken[name.lowerBound] = 0xFF
    #expect(throws: MalformedPayload.self) { try CertificateClaim.decodeCompact(broken) }
  }

  @Test func compactTokensTravelAfterTheFragmentAndParseFromEveryForm() throws {
    let claim = try Self.claim().compactBytes()
    let payload = VerificationPayload(claimBytes: claim, signature: Data((0..<64).map { UInt8($0) }), encoding: .compact)
    #expect(payload.token.hasPrefix("BQ2."))
    #expect(payload.token.dropFirst(4).allSatisfy { $0.isNumber })
    let url = payload.url(prefix: "https://www.lpr.sachsen.de/beccaria/pruefen")
    #expect(url == "https://www.lpr.sachsen.de/beccaria/pruefen#c=" + payload.token)
    #expect(payload.url(prefix: "https://example.org/pruefen#alt") == "https://example.org/pruefen#c=" + payload.token)
    for form in [url, payload.token, " \(payload.token)\n", "https://example.org/pruefen?lang=en#c=\(payload.token)"] {
      let parsed = try VerificationPayload.parse(form)
      #expect(parsed == payload)
      #expect(try parsed.claim() == Self.claim())
    }
    // The signature is always 156 digits; fewer digits cannot hold a claim after it.
    #expect(throws: MalformedPayload.self) {
      try VerificationPayload.parse("BQ2." + String(payload.token.dropFirst(4).prefix(156)))
    }
    #expect(throws: MalformedPayload.self) { try VerificationPayload.parse("BQ2.12.34") }
  }

  @Test func jsonTokensPrintedBeforeStayReadable() throws {
    let claim = Self.claim()
    let payload = VerificationPayload(claimBytes: claim.canonicalBytes(), signature: Data(repeating: 9, count: 64))
    let url = payload.url(prefix: "https://www.lpr.sachsen.de/beccaria/pruefen")
    #expect(url.contains("?c=BQ1."))
    let parsed = try VerificationPayload.parse(url)
    #expect(parsed.encoding == .json)
    #expect(try parsed.claim() == claim)
    #expect(CertificateClaim.Encoding(qrPayload: url) == .json)
    #expect(CertificateClaim.Encoding(qrPayload: "https://x/pruefen#c=BQ2.123") == .compact)
  }
}
