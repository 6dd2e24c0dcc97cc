import BeccariaCore
import Foundation
import TestSupport
import Testing

@testable import Documents

/// Embedded fonts lose their hinting (HarfBuzz's subsetter) and nothing else: the same words at
/// the same places, the same page when rasterised, a file about 40 % smaller.
@Suite struct FontHintingTests {
  static let names = ["Zoë Łukasiewicz-Ünal", "Nguyễn Thị Minh Khai", "Měrćin Wjeńka", "محمد الحسن"]

  @Test(arguments: names) func onlyTheHintingGoes(name: String) throws {
    let snapshot = try CertificateBatchTests.snapshot(2, name: name)
    let hinted = try CertificateDocument.render(snapshot, keepsFontHinting: true)
    let plain = try CertificateDocument.render(snapshot)
    #expect(Double(plain.count) < Double(hinted.count) * 0.75, "\(plain.count) bytes against \(hinted.count)")

    let plainFile = try PDFTools.temporaryFile(plain, suffix: ".pdf")
    #expect(try PDFTools.run("qpdf", ["--check", plainFile]).contains("No syntax or stream encoding errors"))
    let fonts = try PDFTools.fonts(plainFile)
    #expect(fonts.count >= 4)
    for font in fonts { #expect(font.embedded, "not embedded: \(font.line)") }

    // The programs as embedded, read with qpdf: hinting tables in Cairo's, none in ours.
    let hintedTables = try Self.fontTables(hinted)
    let plainTables = try Self.fontTables(plain)
    #expect(hintedTables.count == plainTables.count)
    #expect(hintedTables.contains { $0.contains("fpgm") && $0.contains("prep") })
    for tables in plainTables {
      #expect(tables.isDisjoint(with: ["fpgm", "prep", "cvt "]), "hinting left in: \(tables.sorted())")
      #expect(tables.isSuperset(of: ["glyf", "loca", "hmtx", "head", "maxp"]), "outlines missing: \(tables.sorted())")
    }

    // Same words, same boxes.
    let before = try CertificateBatchTests.words(hinted)
    let after = try CertificateBatchTests.words(plain)
    #expect(after.map(\.text) == before.map(\.text))
    let text = try CertificateBatchTests.text(plain)
    #expect(text == (try CertificateBatchTests.text(hinted)))
    // Arabic runs right to left: pdftotext gives its words in visual order.
    for word in name.split(separator: " ") { #expect(text.contains(word), "missing \(word)") }
    for (a, b) in zip(after, before) {
      #expect(abs(a.x - b.x) < 0.01 && abs(a.y - b.y) < 0.01 && abs(a.right - b.right) < 0.01, "\(a) moved from \(b)")
    }

    // The same page when rasterised: glyph outlines intact.
    let difference = try Self.pixelDifference(hinted, plain)
    #expect(difference.inked > 20_000, "too little ink (\(difference.inked) pixels) to compare")
    #expect(
      Double(difference.changed) < Double(difference.inked) * 0.01, "\(difference.changed) of \(difference.inked) pixels differ")
  }

  /// The table tags of every embedded TrueType program (`/FontFile2`), read with qpdf.
  static func fontTables(_ pdf: Data) throws -> [Set<String>] {
    let file = try PDFTools.temporaryFile(pdf, suffix: ".pdf")
    let json = try JSONSerialization.jsonObject(with: Data(try PDFTools.run("qpdf", ["--json=2", "--json-key=qpdf", file]).utf8))
    let objects = try #require(((json as? [String: Any])?["qpdf"] as? [Any])?.last as? [String: Any])
    var programs: [String] = []
    for value in objects.values {
      guard let dictionary = (value as? [String: Any])?["value"] as? [String: Any],
        let reference = dictionary["/FontFile2"] as? String
      else { continue }
      programs.append(String(reference.split(separator: " ")[0]))
    }
    return try programs.map { number in
      let font = [UInt8](try PDFTools.runData("qpdf", ["--show-object=\(number)", "--filtered-stream-data", file]))
      let count = Int(font[4]) << 8 | Int(font[5])
      return Set((0..<count).map { index in String(decoding: font[12 + 16 * index..<16 + 16 * index], as: UTF8.self) })
    }
  }

  /// Rasterises page 1 of both at 100 dpi in grey: pixels with ink in either, and those whose
  /// grey differs by more than a third.
  static func pixelDifference(_ first: Data, _ second: Data) throws -> (inked: Int, changed: Int) {
    let images = try [first, second].map { pdf -> [UInt8] in
      let file = try PDFTools.temporaryFile(pdf, suffix: ".pdf")
      let pgm = [UInt8](try PDFTools.runData("pdftoppm", ["-r", "100", "-gray", "-f", "1", "-l", "1", file]))
      // P5 header: magic, width, height, maxval, each followed by white space.
      var fields = 0
      var index = 0
      while fields < 4, index < pgm.count {
        if pgm[index] == 0x0A || pgm[index] == 0x20 { fields += 1 }
        index += 1
      }
      return Array(pgm[index...])
    }
    #expect(images[0].count == images[1].count)
    var inked = 0
    var changed = 0
    for (a, b) in zip(images[0], images[1]) {
      if a < 200 || b < 200 { inked += 1 }
      if abs(Int(a) - Int(b)) > 85 { changed += 1 }
    }
    return (inked, changed)
  }
}
