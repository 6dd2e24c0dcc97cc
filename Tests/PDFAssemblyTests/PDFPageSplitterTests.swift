import Documents
import Foundation
import PDFAssembly
import TestSupport
import Testing

/// The PDF door: Cairo's output split into standalone pages that real tools read, and every
/// other input refused with a PDFInputError, never a crash (ACCEPTS.md; scripts/fuzz goes further).
@Suite struct PDFPageSplitterTests {
  /// Three pages drawn by Cairo, a word on each, and the probe page a stamp's font comes from.
  static func combined() throws -> Data {
    let writer = try PDFWriter(title: nil)
    for (index, word) in ["Erste", "Zweite", "Dritte"].enumerated() {
      if index > 0 { writer.newPage() }
      writer.text("Seite \(word)", x: 100, y: 100, width: 300, font: .sans(12))
    }
    writer.newPage()
    writer.text("BQ-0123456789", x: 100, y: 100, width: 300, font: .sans(9, bold: true))
    return try writer.finish()
  }

  @Test func aPageSplitOffIsAStandaloneFileWithItsStampOnTop() throws {
    let document = try PDFPageSplitter(try Self.combined())
    #expect(document.pages.count == 4)
    let font = try #require(try document.fonts(onPage: 3).first)
    // The stamp: "BQ" in the probe page's font, and a 1-bit image of 8 x 8 pixels.
    var content = Array("BT\n/St 12 Tf\n1 0 0 1 100 700 Tm (BQ) Tj\nET\n".utf8)
    content += Array("q\n50 0 0 50 400 400 cm\n/Im Do\nQ\n".utf8)
    let stamp = PDFPageSplitter.Stamp(
      fonts: [("St", font)], image: ("Im", 8, 8, [UInt8](repeating: 0xAA, count: 8)), content: content)
    let info = PDFPageSplitter.Info(title: "Seite zwei", keywords: "BQ-2027-000042 Ünïcödé", creationDate: "20270301120000Z")
    let page = try document.page(1, info: info, stamp: stamp)
    let path = try PDFTools.temporaryFile(page, suffix: ".pdf")
    #expect(try PDFTools.run("qpdf", ["--check", path]).contains("No syntax or stream encoding errors"))
    let text = try PDFTools.run("pdftotext", ["-enc", "UTF-8", path, "-"])
    #expect(text.contains("Seite Zweite") && text.contains("BQ"))
    #expect(!text.contains("Erste") && !text.contains("Dritte"))
    let info2 = try PDFTools.run("pdfinfo", [path])
    #expect(info2.contains("Pages:           1") && info2.contains("Keywords:        BQ-2027-000042 Ünïcödé"))
    // A page that does not exist is refused.
    #expect(throws: PDFInputError.self) { try document.page(9, info: info, stamp: stamp) }
  }

  @Test func everyOtherInputIsRefusedNotCrashedOn() throws {
    let cairo = [UInt8](try Self.combined())
    var inputs: [[UInt8]] = [
      [], Array("%PDF-1.5\nstartxref\n99999\n%%EOF".utf8), Array("not a pdf at all".utf8),
      Array("%PDF-1.5\nxref\n0 99999999999\ntrailer\n<< >>\nstartxref\n10\n%%EOF".utf8),
    ]
    // Cairo's own output cut short at many points, and with bytes of its table altered.
    for cut in stride(from: 1, to: cairo.count, by: max(1, cairo.count / 40)) { inputs.append(Array(cairo[..<cut])) }
    if let xref = cairo.lastIndex(of: UInt8(ascii: "x")) {
      for offset in stride(from: max(0, xref - 400), to: cairo.count, by: 7) {
        var altered = cairo
        altered[offset] = altered[offset] == UInt8(ascii: "9") ? UInt8(ascii: "0") : UInt8(ascii: "9")
        inputs.append(altered)
      }
    }
    var refused = 0
    for input in inputs {
      do {
        let document = try PDFPageSplitter(Data(input))
        // What is read must still split without trapping (or refuse).
        for index in document.pages.indices {
          _ = try? document.page(
            index, info: .init(title: "x"), stamp: .init(fonts: [], image: ("I", 1, 1, [0]), content: []))
        }
      } catch is PDFInputError {
        refused += 1
      }
    }
    #expect(refused >= 40)
  }
}
