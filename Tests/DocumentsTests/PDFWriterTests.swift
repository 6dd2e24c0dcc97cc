import Documents
import Foundation
import TestSupport
import Testing

/// PDFs are read back with real tools (poppler, qpdf, zbar), never judged by their bytes.
@Suite struct PDFWriterTests {
  static let names = ["Měrćin Wjeńka", "Hańža Šołćina", "Zoë Łukasiewicz-Ünal", "Nguyễn Thị Minh Khai", "Müller-Lüdenscheidt"]

  func render() throws -> Data {
    let writer = try PDFWriter(title: "Probe", author: "beccaria tests")
    var y = 60.0
    for name in Self.names {
      y += writer.text(name, x: 60, y: y, width: 470, font: .serif(18)) + 8
    }
    try writer.qrCode("BQ-2027-000042", x: 60, y: y + 20, size: 120)
    writer.newPage()
    writer.text("Seite zwei", x: 60, y: 60, width: 470, font: .sans(11, bold: true))
    return try writer.finish()
  }

  @Test func textReadsBackExactlyAndFontsAreEmbedded() throws {
    let file = try PDFTools.temporaryFile(try render(), suffix: ".pdf")
    let text = try PDFTools.run("pdftotext", ["-enc", "UTF-8", file, "-"])
    for name in Self.names { #expect(text.contains(name), "missing \(name)") }
    #expect(try PDFTools.run("qpdf", ["--check", file]).contains("No syntax or stream encoding errors"))
    let info = try PDFTools.run("pdfinfo", [file])
    #expect(info.contains("Pages:") && info.contains("2"))
    #expect(info.contains("A4"))
    let fonts = try PDFTools.fonts(file)
    #expect(!fonts.isEmpty)
    for font in fonts { #expect(font.embedded, "not embedded: \(font.line)") }
  }

  @Test func theQRCodeDecodesFromTheRenderedPage() throws {
    let file = try PDFTools.temporaryFile(try render(), suffix: ".pdf")
    let prefix = file + "-page"
    _ = try PDFTools.run("pdftoppm", ["-r", "150", "-f", "1", "-l", "1", "-png", file, prefix])
    let image = try #require(
      try FileManager.default.contentsOfDirectory(atPath: (file as NSString).deletingLastPathComponent)
        .filter { $0.hasPrefix((prefix as NSString).lastPathComponent) && $0.hasSuffix(".png") }.first)
    let decoded = try PDFTools.run("zbarimg", ["--quiet", "--raw", (file as NSString).deletingLastPathComponent + "/" + image])
    #expect(decoded.trimmingCharacters(in: .whitespacesAndNewlines) == "BQ-2027-000042")
  }

  @Test func aReusableGroupIsStoredOnceAndShownOnEveryPage() throws {
    let writer = try PDFWriter(title: "Gruppe")
    var recorded = 0
    for page in 1...3 {
      if page > 1 { writer.newPage() }
      let height = try writer.reusable("kopf", y: Double(page) * 10) { writer -> Double in
        recorded += 1
        return writer.text("Landespräventionsrat Sachsen", x: 60, y: 60, width: 470, font: .serif(18))
      }
      #expect(height > 10)
      writer.text("Seite \(page) für Hańža Šołćina", x: 60, y: 200, width: 470, font: .sans(11))
    }
    #expect(recorded == 1)
    let file = try PDFTools.temporaryFile(try writer.finish(), suffix: ".pdf")
    let pages = try (1...3).map { try PDFTools.run("pdftotext", ["-f", "\($0)", "-l", "\($0)", "-enc", "UTF-8", file, "-"]) }
    for (index, text) in pages.enumerated() {
      #expect(text.contains("Landespräventionsrat Sachsen"))
      #expect(text.contains("Seite \(index + 1) für Hańža Šołćina"))
    }
    let uncompressed = try PDFTools.run("qpdf", ["--qdf", "--object-streams=disable", file, "-"])
    #expect(uncompressed.components(separatedBy: "/Subtype /Form").count - 1 == 1)
  }

  @Test func longTextShrinksToFit() throws {
    let writer = try PDFWriter(title: "Fit")
    let name = "Maximiliane Alexandra Konstanze Wjeńka-Łukasiewicz-Ünal von Hohenstein"
    #expect(name.count >= 60)
    let font = writer.fittingFont(name, width: 400, font: .serif(28), maxLines: 1, minimumSize: 10)
    #expect(font.size < 28)
    #expect(writer.naturalWidth(name, font: font) <= 400)
  }
}
