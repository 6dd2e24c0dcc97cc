import BeccariaCore
import Foundation
import Testing

@Suite struct CalendarDateTests {
  @Test(arguments: [
    ("2024-02-29", true), ("2023-02-29", false), ("2027-13-01", false), ("2027-1-01", false),
    ("2027-04-31", false), ("27-04-01", false), ("2027-04-01", true), ("２０２７-04-01", false),
  ])
  func parsesOnlyRealISODates(text: String, valid: Bool) {
    #expect((CalendarDate(iso: text) != nil) == valid)
  }

  @Test func arithmeticAndWeekdays() throws {
    let date = try #require(CalendarDate(iso: "2027-03-06"))
    #expect(date.weekday == 6)  // a Saturday
    #expect(date.adding(days: 1).description == "2027-03-07")
    #expect(date.adding(days: -6).description == "2027-02-28")
    #expect(try #require(CalendarDate(iso: "2028-02-28")).adding(days: 1).description == "2028-02-29")
    #expect(date.german == "06.03.2027")
    #expect(try #require(CalendarDate(iso: "1970-01-01")).dayNumber == 0)
  }

  @Test func todayIsGermanLocalTime() throws {
    // 23:30 UTC on 31 December is already 1 January in Berlin.
    let lateUTC = Date(timeIntervalSince1970: 1_798_759_800)  // 2026-12-31 23:30:00 UTC
    #expect(CalendarDate.today(now: lateUTC).description == "2027-01-01")
  }
}

@Suite struct DigitsTests {
  @Test func paddedAndHexMatchTheFormatFunctions() {
    for (value, width) in [
      (0, 2), (7, 2), (42, 2), (123, 2), (2027, 4), (5, 6), (999_999, 6), (1_234_567, 6), (-3, 2), (-3, 3), (-42, 6),
    ] {
      #expect(Digits.padded(value, width) == String(format: "%0\(width)d", value))
    }
    let bytes: [UInt8] = [0, 1, 0x0f, 0x10, 0x7f, 0x80, 0xab, 0xff]
    #expect(Digits.hex(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
    #expect(Digits.hex([UInt8]()) == "")
    #expect(SerialNumber.make(year: 2027, number: 42) == "BQ-2027-000042")
    #expect(CalendarDate(year: 2027, month: 3, day: 6)?.description == "2027-03-06")
    #expect(CalendarDate(year: 2027, month: 3, day: 6)?.german == "06.03.2027")
  }

  @Test func inertTextEscapesWhatItRefusesAndKeepsWhatScriptsNeed() throws {
    let text = "A\u{1B}[2J\u{202E}\u{2028}\u{200B}\u{AD}\u{FEFF}\u{E0041}Z"
    #expect(InertText.escape(text) == "A\\u{1B}[2J\\u{202E}\\u{2028}\\u{200B}\\u{AD}\\u{FEFF}\\u{E0041}Z")
    // JSON keeps the same value, written with escapes (a surrogate pair above U+FFFF).
    let json = String(decoding: try JSONEncoder().encode(["v": text]), as: UTF8.self)
    let escaped = InertText.escapeJSON(json)
    #expect(escaped.unicodeScalars.allSatisfy { !InertText.isControl($0) })
    #expect(escaped.contains("\\udb40\\udc41"))
    #expect(try JSONDecoder().decode([String: String].self, from: Data(escaped.utf8)) == ["v": text])
    // Joiners and variation selectors spell names in Persian, Indic and CJK scripts.
    for name in ["Mohammadi\u{200C}ha", "क्\u{200D}ष", "葛\u{E0100}", "Zoë Łukasiewicz-Ünal"] {
      #expect(InertText.firstControl(in: name) == nil, "\(name)")
      #expect(Validation.name(name) == nil)
    }
    #expect(Validation.name("Neu\u{2028}mann") == "contains the control or invisible character U+2028")
    #expect(Validation.email("anna\u{200B}@example.org") != nil)
  }

  @Test func base64URLAgreesWithFoundation() {
    for length in 0..<70 {
      let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 251) })
      let expected = data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
      #expect(Base64URL.encode(data) == expected)
      #expect(Base64URL.decode(Base64URL.encode(data)) == data)
    }
  }
}

@Suite struct AGSTests {
  @Test func acceptsOnlyEightDigitKeysOfGermanStates() {
    #expect(AGS("14612000")?.stateCode == "14")
    #expect(AGS("01001000") != nil)
    #expect(AGS("1461200") == nil)
    #expect(AGS("17000000") == nil)
    #expect(AGS("14a12000") == nil)
    #expect(AGS.problem(with: "1461200")?.contains("7 digits") == true)
    #expect(AGS.problem(with: "14612000") == nil)
  }
}
