import Documents
import Foundation
import TestSupport
import Testing

@testable import PDFAssembly

/// What a page shows, read from its content streams, and its fonts written anew with only that
/// (the glyph programs themselves are cut in Documents; CertificateBatchTests compares the
/// result with real tools).
@Suite struct PDFFontSubsetTests {
  static func events(_ content: String) throws -> [String] {
    var events: [String] = []
    var fonts: [String] = []
    try PDFContentScanner.scan(
      Array(content.utf8),
      font: { name in
        fonts.append(String(decoding: name, as: UTF8.self))
        return fonts.count - 1
      },
      text: { font, codes, actualText in
        events.append("\(actualText ? "actual " : "")\(fonts[font]):\(codes.map { String($0) }.joined(separator: ","))")
      },
      xobject: { name in events.append("Do \(String(decoding: name, as: UTF8.self))") })
    return events
  }

  @Test func theScannerReadsEveryFormOfShownStringAndNothingElse() throws {
    let content = """
      % a comment (with a parenthesis
      /Span << /ActualText <FEFF0066> /Nested << /K [ (not shown) ] >> >> BDC
      BT /F1 12 Tf (a\\)b\\053\\\\\\
      c) Tj EMC /P << /MCID 1 >> BDC <4142 4> Tj
      [ (x) -120.5 <0079> 3 (z) ] TJ
      q /F2 9 Tf (in) ' 1 2 (quote) " Q
      (restored) Tj ET EMC
      /x6 Do
      """
    #expect(
      try Self.events(content) == [
        "actual F1:97,41,98,43,92,99", "F1:65,66,64", "F1:120", "F1:0,121", "F1:122", "F2:105,110", "F2:113,117,111,116,101",
        "F1:114,101,115,116,111,114,101,100", "Do x6",
      ])
  }

  @Test(arguments: [
    "BT (before a font) Tj ET", "BT /F1 1 Tf (open string Tj", "BT /F1 1 Tf <4G> Tj", "BI /W 1 /H 1 ID \u{0}\u{1} EI",
    String(repeating: "[", count: 40) + " 1 Tj", "<< /A 1 ", "BT /F1 1 Tf [ (a) Tj ] TJ", "/F1 1 Tf 12 Tj", "BT ) ET",
    String(repeating: "q ", count: 300),
  ])
  func whatCannotBeReadIsRefused(_ content: String) throws {
    #expect(throws: PDFInputError.self) { try Self.events(content) }
  }

  @Test func aToUnicodeCMapIsReadAsCairoWritesItAndWrittenForSomeCodesOnly() throws {
    let cmap = """
      /CIDInit /ProcSet findresource begin
      12 dict begin
      begincmap
      /CIDSystemInfo
      << /Registry (Adobe)
         /Ordering (UCS)
         /Supplement 0
      >> def
      1 begincodespacerange
      <0000> <ffff>
      endcodespacerange
      2 beginbfchar
      <0001> <011b>
      <0002> <00660069>
      endbfchar
      1 beginbfrange
      <0010> <0012> <0041>
      endbfrange
      endcmap
      """
    let entries = try PDFPageSplitter.toUnicodeEntries(Array(cmap.utf8), codeBytes: 2)
    #expect(entries == [1: [0x011B], 2: [0x66, 0x69], 0x10: [0x41], 0x11: [0x42], 0x12: [0x43]])
    let lines = entries.reduce(into: [UInt16: [UInt8]]()) {
      $0[$1.key] = PDFPageSplitter.bfcharLine($1.key, $1.value, codeBytes: 2)
    }
    let written = PDFPageSplitter.toUnicodeCMap(lines, codes: [2, 0x11], codeBytes: 2)
    #expect(try PDFPageSplitter.toUnicodeEntries(written, codeBytes: 2) == [2: [0x66, 0x69], 0x11: [0x42]])
    // A one-byte code in a two-byte font is refused.
    #expect(throws: PDFInputError.self) {
      try PDFPageSplitter.toUnicodeEntries(Array("1 beginbfchar\n<01> <0041>\nendbfchar".utf8), codeBytes: 2)
    }
  }

  @Test func aDeflaterKeptBetweenCallsWritesCompleteStreams() throws {
    let deflater = Zlib.Deflater()
    for text in ["Zertifikat " + String(repeating: "Měrćin Wjeńka ", count: 300), "", "BQ-2027-000041"] {
      let bytes = Array(text.utf8)
      let compressed = try #require(deflater.deflate(bytes))
      #expect(Zlib.inflate(compressed[...], limit: 1 << 20) == bytes)
      #expect(Zlib.deflate(bytes).map { Zlib.inflate($0[...], limit: 1 << 20) } == bytes)
    }
    // More than the limit, or cut short, is refused.
    let large = try #require(deflater.deflate([UInt8](repeating: 7, count: 100_000)))
    #expect(Zlib.inflate(large[...], limit: 99_999) == nil)
    #expect(Zlib.inflate(large.dropLast(4), limit: 1 << 20) == nil)
  }

  @Test func aCIDFontsWidthsAreReadInBothForms() throws {
    func widths(_ text: String) throws -> [UInt16: String] {
      let bytes = Array(text.utf8)
      return try PDFPageSplitter.cidWidths(PDFPageSplitter.words(in: bytes, from: 0, to: bytes.count), in: bytes)
        .mapValues { String(decoding: bytes[$0], as: UTF8.self) }
    }
    #expect(try widths("0 [ 600 636 ] 5 7 500 9 [700]") == [0: "600", 1: "636", 5: "500", 6: "500", 7: "500", 9: "700"])
    for broken in ["0 [ 600", "5 7", "7 5 500", "x [ 1 ]", "65535 [ 1 2 ]"] {
      #expect(throws: PDFInputError.self) { try widths(broken) }
    }
  }

  @Test func aPageShowsItsOwnCodesAndItsStampsAndTheFontsAreCutToThem() throws {
    let document = try PDFPageSplitter(try PDFPageSplitterTests.combined())
    let font = try #require(try document.fonts(onPage: 1).first)
    var cache = PDFPageSplitter.ShownTextCache()
    let stamp = PDFPageSplitter.Stamp(
      fonts: [("St", font)], image: ("Im", 8, 8, [UInt8](repeating: 0, count: 8)),
      content: Array("BT /St 9 Tf (Q!) Tj ET".utf8))
    let shown = try document.codesShown(onPage: 1, stamp: stamp, cache: &cache)
    #expect(shown == [font: Set("Seite Zweite Q!".utf8.map(UInt16.init))])
    // What a stamp says it shows is taken as read from its content.
    var declared = stamp
    declared.shows = [("St", Array("Q!".utf8))]
    #expect(try document.codesShown(onPage: 1, stamp: declared, cache: &cache) == shown)
    declared.shows = [("Unknown", Array("Q".utf8))]
    #expect(throws: PDFInputError.self) { try document.codesShown(onPage: 1, stamp: declared, cache: &cache) }
    let embedded = try document.embeddedFont(font)
    #expect(embedded.kind == .simple)
    let codes = try #require(shown[font])
    let stored = try #require(document.flateStream(embedded.program))
    let cut = try document.objects(cutting: embedded, to: codes, program: [UInt8](stored.compressed), length1: stored.length1)
    #expect(Set(cut.keys) == [embedded.object, embedded.descriptor, embedded.program, embedded.toUnicode])
    let toUnicode = try #require(cut[embedded.toUnicode])
    let entries = try PDFPageSplitter.toUnicodeEntries(toUnicode.bytes, codeBytes: 1)
    // "Erste", "Dritte" and the probe's digits were in the document's subset; only this page's
    // characters (those of the stamp's "Q!" that the subset has) are left.
    #expect(Set(entries.keys).isSubset(of: codes) && entries.keys.contains(UInt16(UInt8(ascii: "Z"))))
    #expect(!entries.keys.contains(UInt16(UInt8(ascii: "D"))) && !entries.keys.contains(UInt16(UInt8(ascii: "7"))))
    let file = try document.page(1, info: .init(title: "Seite"), stamp: stamp, replacing: cut)
    let path = try PDFTools.temporaryFile(file, suffix: ".pdf")
    #expect(try PDFTools.run("qpdf", ["--check", path]).contains("No syntax or stream encoding errors"))
    #expect(try PDFTools.run("pdftotext", ["-enc", "UTF-8", path, "-"]).contains("Seite Zweite"))
    // The page and its resources cannot be replaced.
    #expect(throws: PDFInputError.self) {
      try document.page(
        1, info: .init(title: "Seite"), stamp: stamp,
        replacing: [document.pages[1]: try .init(document.pages[1], Array("\(document.pages[1]) 0 obj\n<< >>\nendobj\n".utf8))])
    }
  }
}
