import BeccariaCore
import Documents
import Foundation
import TestSupport
import Testing

/// Certificates rendered as a batch (one Cairo document per thread, split into one file each)
/// must be standalone, correct documents: each read back on its own with real tools.
@Suite struct CertificateBatchTests {
  static let names = [
    "Měrćin Wjeńka", "Hańža Šołćina", "Zoë Łukasiewicz-Ünal", "Nguyễn Thị Minh Khai", "Müller-Lüdenscheidt",
    "Maximiliane Alexandra Konstanze von Hohenstein-Łukasiewicz", "Ōta Jōsuke",
  ]

  static func snapshot(_ index: Int, name: String) throws -> CertificateSnapshot {
    let serial = SerialNumber.make(year: 2027, number: 41 + index)
    let issued = try #require(CalendarDate(year: 2027, month: 3, day: 1 + index))
    let modules = try (1...4).map {
      CertificateSnapshot.ModuleLine(
        number: $0, title: "Modul \($0)", ue: 32, course: "BQ-SN-2026-\(index)",
        completedOn: try #require(CalendarDate(year: 2027, month: 2, day: $0)))
    }
    // As long as a real signed payload (about 400 characters), and different for every certificate.
    let payload = "https://www.lpr.sachsen.de/beccaria/pruefen?c=BQ1." + String(repeating: "x\(index)", count: 170)
    return CertificateSnapshot(
      serial: serial, kind: .zertifikat, heading: "Zertifikat", holderName: name,
      birthDate: CalendarDate(year: 1980 + index, month: 1 + index, day: 10 + index),
      body: "hat die Qualifizierung erfolgreich abgeschlossen.", award: "Fachkraft für Kriminalprävention",
      programmeCode: "beccaria-fachkraft", programmeTitle: "Fachkraft für Kriminalprävention", programmeVersion: 1,
      modules: modules, completedOn: issued, issuer: "Landespräventionsrat Sachsen", place: "Dresden", issuedOn: issued,
      signatories: [.init(name: "Dr. Beispiel", role: "Geschäftsführung")],
      verificationURL: "https://www.lpr.sachsen.de/beccaria/pruefen?nr=\(serial)", qrPayload: payload, ueMinutes: 45,
      keyID: "k-00000000000000aa")
  }

  static let prefix = "https://www.lpr.sachsen.de/beccaria/pruefen"

  /// The certificate printing `fields`, sealed with their serial (or `serial`) and a signature
  /// that differs for every certificate (the renderer never checks it).
  static func seal(_ fields: CertificateSnapshot, prefix: String = prefix, serial: String? = nil) -> SealedCertificate {
    CertificateDraft(printing: fields, verificationPrefix: prefix).sealed(serial: serial ?? fields.serial) { claim in
      VerificationPayload(
        claimBytes: claim.canonicalBytes(),
        signature: Data(repeating: UInt8(truncatingIfNeeded: Int(claim.serial.suffix(6)) ?? 0), count: 64))
    }
  }

  @Test func everyFileOfABatchIsAStandaloneCertificateOfItsHolderOnly() throws {
    let snapshots = try Self.names.enumerated().map { Self.seal(try Self.snapshot($0.offset, name: $0.element)) }
    let files = try CertificatePrinter(threads: 2).print(snapshots)
    #expect(files.count == snapshots.count)
    for (index, data) in files.enumerated() {
      let snapshot = snapshots[index]
      let path = try PDFTools.temporaryFile(data, suffix: ".pdf")
      #expect(try PDFTools.run("qpdf", ["--check", path]).contains("No syntax or stream encoding errors"))
      let info = try PDFTools.run("pdfinfo", [path])
      #expect(info.contains("Pages:           1"))
      #expect(info.contains("Title:           Zertifikat \(snapshot.serial)"))
      #expect(info.contains("Subject:         Zertifikat – \(snapshot.holderName)"))
      #expect(info.contains("Keywords:        \(snapshot.serial) \(snapshot.qrPayload)"))
      #expect(info.contains("Author:          Landespräventionsrat Sachsen"))
      let fonts = try PDFTools.fonts(path)
      #expect(!fonts.isEmpty)
      for font in fonts { #expect(font.embedded, "not embedded: \(font.line)") }
      let text = try PDFTools.run("pdftotext", ["-enc", "UTF-8", path, "-"]).replacingOccurrences(of: "\n", with: " ")
      #expect(text.contains(snapshot.holderName), "\(snapshot.holderName) missing")
      #expect(text.contains(snapshot.serial))
      #expect(text.contains("geboren am \(snapshot.birthDate?.german ?? "?")"))
      for other in snapshots where other.serial != snapshot.serial {
        #expect(!text.contains(other.holderName), "\(other.holderName) appears on \(snapshot.serial)")
        #expect(!text.contains(other.serial), "\(other.serial) appears on \(snapshot.serial)")
      }
    }
    // The QR code of the first and the last file (different threads) decode to their own payloads.
    for index in [0, files.count - 1] {
      let path = try PDFTools.temporaryFile(files[index], suffix: ".pdf")
      let prefix = path + "-page"
      _ = try PDFTools.run("pdftoppm", ["-r", "300", "-png", path, prefix])
      let decoded = try PDFTools.run("zbarimg", ["--quiet", "--raw", prefix + "-1.png"])
      #expect(decoded.trimmingCharacters(in: .whitespacesAndNewlines) == snapshots[index].qrPayload)
    }
  }

  @Test func eachFileOfABatchCarriesTheGlyphsOfItsOwnTextOnly() throws {
    // One share (one Cairo document, whose font subsets hold every page's glyphs); each name
    // has characters no other has, simple (Latin-1) and not (the CID font of the name's face).
    let names = ["Nguyễn Thị Minh Khai", "Hańža Šołćina", "Zoë Quast-Björk"]
    let sealed = try names.enumerated().map { Self.seal(try Self.snapshot($0.offset, name: $0.element)) }
    let files = try CertificatePrinter(threads: 1).print(sealed)
    let batchPaths = try files.map { try PDFTools.temporaryFile($0, suffix: ".pdf") }
    // The same certificates rendered each on its own: Cairo's subsets then hold exactly what
    // the page shows.
    let singlePaths = try sealed.map { try PDFTools.temporaryFile(try CertificateDocument.render($0), suffix: ".pdf") }
    let inventories = try PDFTools.embeddedFonts(batchPaths + singlePaths)
    for (index, name) in names.enumerated() {
      // Split from the batch, not rendered whole as a fallback.
      #expect(try PDFTools.run("pdfinfo", [batchPaths[index]]).contains(" + beccaria\n"))
      // Digits aside: a face that prints any keeps all the batch has (PageFontCutter), one
      // glyph each.
      func withoutDigits(_ fonts: [PDFTools.EmbeddedFont]) -> [String: PDFTools.EmbeddedFont] {
        PDFTools.EmbeddedFont.byFace(fonts).mapValues { font in
          var font = font
          let digits = font.characters.filter { $0.isASCII && $0.isNumber }
          font.characters.subtract(digits)
          font.outlines -= digits.count
          return font
        }
      }
      let batch = withoutDigits(inventories[index])
      let single = withoutDigits(inventories[names.count + index])
      #expect(
        batch == single,
        "\(name): batch \(batch.values.sorted { $0.face < $1.face }) single \(single.values.sorted { $0.face < $1.face })")
      let shown = batch.values.reduce(into: Set<Character>()) { $0.formUnion($1.characters) }
      for character in name where character != " " { #expect(shown.contains(character), "\(character) of \(name)") }
      for other in names where other != name {
        for character in other where !name.contains(character) && !Self.fixedText.contains(character) {
          #expect(!shown.contains(character), "\(character) of \(other) is in the fonts of \(name)'s file")
        }
      }
    }
    // One subset name (tag and face) in two files of the batch is one set of glyphs.
    let batchFonts = inventories.prefix(names.count).flatMap { $0 }
    for font in batchFonts {
      for other in batchFonts where other.tag == font.tag && other.face == font.face {
        #expect(other == font, "\(font) and \(other) share a subset name")
      }
    }
    // The holder's name is a subset of its own: each file's differs, the heading's is the same.
    #expect(Set(batchFonts.filter { $0.face == "DejaVuSerif-Bold" }.map(\.tag)).count == names.count + 1)
    #expect(try PDFTools.run("qpdf", ["--check", batchPaths[1]]).contains("No syntax or stream encoding errors"))
  }

  /// Every character the certificates of `snapshot` print besides the holder's name and serial
  /// (the issuer also in capitals).
  static let fixedText = Set("LANDESPRÄVENTIONSRAT SACHSEN").union(
    "Landespräventionsrat Sachsen Fachkraft für Kriminalprävention Zertifikat hat die Qualifizierung erfolgreich abgeschlossen. Modul 1234 UE BQ-SN-2026-0123456789 Insgesamt Unterrichtseinheiten (UE) zu je 45 Minuten Dresden, den . Abgeschlossen am · Programm beccaria-fachkraft, Version signiert mit Schlüssel k-00000000000000aa Zertifikatsnummer Echtheit und Gültigkeit prüfen: https://www.lpr.sachsen.de/beccaria/pruefen?nr= geboren am Dr. Beispiel Geschäftsführung „“"
  )

  @Test func aNameNoInstalledFontCanPrintIsRefusedNotPrintedAsBoxes() throws {
    // DejaVu has no Chinese: Pango would draw each character as a box of its code point.
    let chinese = Self.seal(try Self.snapshot(1, name: "王芳"))
    #expect {
      try CertificateDocument.render(chinese)
    } throws: { error in
      "\(error)".contains("no installed font has every character of „王芳“")
    }
    #expect(throws: RenderError.self) {
      try CertificatePrinter(threads: 1).print([Self.seal(try Self.snapshot(0, name: "Anna Beispiel")), chinese])
    }
    // Scripts DejaVu covers are printed.
    for name in ["Ωmega Παπαδόπουλος", "Ирина Жукова", "Nguyễn Thị Minh Khai"] {
      #expect(try Self.text(try CertificateDocument.render(Self.seal(try Self.snapshot(2, name: name)))).contains(name))
    }
  }

  @Test func aGlyphWhoseTextAnotherHolderSetIsNotCutFromTheBatch() throws {
    // Right to left, "(" is drawn with the glyph of ")": Cairo maps a glyph to the text of its
    // first use in the document and writes ActualText where a later use means another
    // character. Such a page is rendered on its own, never split with another holder's entry.
    let names = ["דוד כהן (הכהן)", "Anna Schmidt (geb. Meier)", "Max Mustermann)"]
    let sealed = try names.enumerated().map { Self.seal(try Self.snapshot($0.offset, name: $0.element)) }
    let prepared = try CertificatePrinter(threads: 1).prepare(sealed.map(\.draft))
    let files = try prepared.finish(sealed)
    var split = 0
    for (file, name) in zip(files, names) {
      let path = try PDFTools.temporaryFile(file, suffix: ".pdf")
      let expanded = path + ".qdf.pdf"
      _ = try PDFTools.run("qpdf", ["--qdf", "--object-streams=disable", path, expanded])
      let content = String(decoding: try Data(contentsOf: URL(fileURLWithPath: expanded)), as: UTF8.self)
      if try PDFTools.run("pdfinfo", [path]).contains(" + beccaria\n") {
        split += 1
        // (Cairo also marks a line's last space, which has no glyph, with an empty ActualText.)
        for span in content.components(separatedBy: "/ActualText").dropFirst() {
          let marked = span.components(separatedBy: "EMC").first ?? span
          #expect(!marked.contains("Tj") && !marked.contains("TJ"), "\(name)'s file was split with glyphs under ActualText")
        }
      }
      #expect(try Self.text(file).contains(name.hasPrefix("Anna") || name.hasPrefix("Max") ? name : "דוד"))
    }
    // The first holder's page sets the entries and is split; a later one is rendered whole,
    // and the batch says which and why (the run logs it).
    #expect(split >= 1 && split < names.count)
    #expect(prepared.renderedAlone.count == names.count - split)
    #expect(prepared.renderedAlone.allSatisfy { $0.contains("ActualText") }, "\(prepared.renderedAlone)")
  }

  @Test func aNameTooLongForThePageIsRefusedNotOverprinted() throws {
    let long = String(repeating: "M", count: 200) + " " + String(repeating: "W", count: 200)
    #expect {
      try CertificateDocument.render(Self.seal(try Self.snapshot(0, name: long)))
    } throws: { error in
      "\(error)".contains("a certificate has room for 3")
    }
    let longest = CertificateBatchTests.names[5]
    #expect(try Self.text(try CertificateDocument.render(Self.seal(try Self.snapshot(5, name: longest)))).contains("Hohenstein"))
  }

  @Test func theProgrammesTextsNeedNoSecondFontProgram() throws {
    // "Zertifikat", "Zertifikatsnummer" and "Qualifizierung" are set without discretionary
    // ligatures: for a holder whose name is all Latin-1, every face is one simple (WinAnsi) font.
    // A name keeps its font's ligatures (the "fi" of "Sofie" takes a second, CID font program of
    // the name's face) and still reads back as written.
    let plain = Self.seal(try Self.snapshot(0, name: "Jörg Schäfer"))
    let ligature = Self.seal(try Self.snapshot(1, name: "Sofie Finkenwirth"))
    let files = try CertificatePrinter(threads: 1).print([plain, ligature])
    let plainPath = try PDFTools.temporaryFile(files[0], suffix: ".pdf")
    let plainFonts = try PDFTools.fonts(plainPath)
    #expect(plainFonts.count >= 4)
    for font in plainFonts { #expect(!font.line.contains("CID"), "a second font program: \(font.line)") }
    let plainText = try PDFTools.run("pdftotext", ["-enc", "UTF-8", plainPath, "-"])
    for field in ["Zertifikat", "Zertifikatsnummer \(plain.serial)", "Qualifizierung", "Jörg Schäfer"] {
      #expect(plainText.contains(field), "missing \(field)")
    }
    let ligaturePath = try PDFTools.temporaryFile(files[1], suffix: ".pdf")
    let cid = try PDFTools.fonts(ligaturePath).filter { $0.line.contains("CID") }
    #expect(cid.count == 1 && cid.first?.line.contains("DejaVuSerif-Bold") == true, "\(cid.map(\.line))")
    #expect(try PDFTools.run("pdftotext", ["-enc", "UTF-8", ligaturePath, "-"]).contains("Sofie Finkenwirth"))
  }

  @Test func aBatchPrintsWhatSingleRenderingPrints() throws {
    let snapshot = Self.seal(try Self.snapshot(3, name: "Zoë Łukasiewicz-Ünal"))
    let single = try PDFTools.temporaryFile(try CertificateDocument.render(snapshot), suffix: ".pdf")
    let batch = try CertificatePrinter(threads: 1).print([Self.seal(try Self.snapshot(0, name: "Anna Beispiel")), snapshot])
    let fromBatch = try PDFTools.temporaryFile(batch[1], suffix: ".pdf")
    #expect(
      try PDFTools.run("pdftotext", ["-layout", "-enc", "UTF-8", single, "-"])
        == PDFTools.run("pdftotext", ["-layout", "-enc", "UTF-8", fromBatch, "-"]))
  }

  static func text(_ pdf: Data, layout: Bool = false) throws -> String {
    try PDFTools.run(
      "pdftotext", (layout ? ["-layout"] : []) + ["-enc", "UTF-8", try PDFTools.temporaryFile(pdf, suffix: ".pdf"), "-"])
  }

  struct Word: CustomStringConvertible {
    var text: String
    var x: Double
    var y: Double
    var right: Double
    var description: String { "\(text) at \(x)–\(right), \(y)" }
  }

  /// The words of page 1 with their boxes (`pdftotext -bbox`), top to bottom, left to right.
  static func words(_ pdf: Data) throws -> [Word] {
    let html = try PDFTools.run("pdftotext", ["-bbox", "-enc", "UTF-8", try PDFTools.temporaryFile(pdf, suffix: ".pdf"), "-"])
    let pattern = try Regex(#"<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>"#)
    return html.matches(of: pattern).compactMap { match -> Word? in
      guard let x = Double(String(match.output[1].substring ?? "")), let y = Double(String(match.output[2].substring ?? "")),
        let right = Double(String(match.output[3].substring ?? ""))
      else { return nil }
      return Word(text: String(match.output[4].substring ?? ""), x: x, y: y, right: right)
    }.sorted { ($0.y.rounded(), $0.x) < ($1.y.rounded(), $1.x) }
      .reduce(into: [Word]()) { words, word in
        if let last = words.last, abs(last.y - word.y) < 0.5, word.x - last.right < 0.5 {
          words[words.count - 1].text += word.text
          words[words.count - 1].right = word.right
        } else {
          words.append(word)
        }
      }
  }

  /// A Teilnahmebescheinigung: one module, other heading and body, no award.
  static func attendanceCertificate(_ index: Int, name: String) throws -> CertificateSnapshot {
    var snapshot = try snapshot(index, name: name)
    snapshot.kind = .teilnahmebescheinigung
    snapshot.heading = "Teilnahmebescheinigung"
    snapshot.body = "hat an folgendem Modul der Qualifizierung teilgenommen."
    snapshot.award = nil
    snapshot.modules = Array(snapshot.modules.prefix(1))
    return snapshot
  }

  @Test func holdersOfOneCohortShareItsDetailsAndAMakeUpShowsItsOwn() throws {
    // Four holders of one cohort (same modules, courses and dates: drawn once as a group), one
    // who made up module 2 in a later cohort, in one share: each page shows its own details.
    var sealed = try (0..<5).map { index in
      var snapshot = try Self.snapshot(index, name: Self.names[index])
      snapshot.modules = try Self.snapshot(0, name: "").modules
      snapshot.issuedOn = try Self.snapshot(0, name: "").issuedOn
      snapshot.completedOn = try Self.snapshot(0, name: "").completedOn
      return snapshot
    }
    sealed[2].modules[1].course = "BQ-SN-2027-1"
    sealed[2].modules[1].completedOn = try #require(CalendarDate(year: 2027, month: 2, day: 20))
    let certificates = sealed.map { Self.seal($0) }
    let stamped = try CertificatePrinter(threads: 1).print(certificates)
    for (index, pdf) in stamped.enumerated() {
      let text = try Self.text(pdf)
      #expect(text == (try Self.text(try CertificateDocument.render(certificates[index]))), "\(sealed[index].serial)")
      let makeUp = "32 UE · BQ-SN-2027-1 · 20.02.2027"
      #expect(text.contains(makeUp) == (index == 2), "\(sealed[index].serial)")
      #expect(text.contains("32 UE · BQ-SN-2026-0 · 02.02.2027") == (index != 2), "\(sealed[index].serial)")
    }
  }

  @Test func stampedAfterTheSerialIsTakenPrintsWhatSingleRenderingPrints() throws {
    // Both kinds in one batch, interleaved: each page shows its own kind's static parts.
    let sealed = try Self.names.enumerated().map {
      Self.seal(
        $0.offset % 3 == 1
          ? try Self.attendanceCertificate($0.offset, name: $0.element) : try Self.snapshot($0.offset, name: $0.element))
    }
    let prepared = try CertificatePrinter(threads: 2).prepare(sealed.map(\.draft))
    let stamped = try prepared.finish(sealed)
    #expect(stamped.count == sealed.count)
    for (index, pdf) in stamped.enumerated() {
      let alone = try CertificateDocument.render(sealed[index])
      #expect(try Self.text(pdf) == Self.text(alone), "\(sealed[index].serial) differs from its single rendering")
      // Every word begins where the single rendering puts it (within a fifth of a point) and
      // ends within half a point (the stamped last glyph advances by the font's width, Pango's
      // by its hinted width); a stamped serial directly after the URL is a word of its own for
      // pdftotext, so touching words are joined first. The serial is stamped where Pango's
      // layout puts it (whole points here: hinted metrics); the single rendering's label before
      // it is written with the font's own advances, so its serial begins slightly earlier:
      // 0.07 pt after "Zertifikatsnummer ", 0.12 pt after "Bescheinigungsnummer " (0.04 mm).
      let stampedWords = try Self.words(pdf)
      let aloneWords = try Self.words(alone)
      #expect(stampedWords.map(\.text) == aloneWords.map(\.text))
      for (stampedWord, aloneWord) in zip(stampedWords, aloneWords) {
        #expect(
          abs(stampedWord.x - aloneWord.x) < 0.2 && abs(stampedWord.y - aloneWord.y) < 0.1
            && abs(stampedWord.right - aloneWord.right) < 0.5,
          "\(stampedWord) is not where \(aloneWord) is")
      }
      let path = try PDFTools.temporaryFile(pdf, suffix: ".pdf")
      #expect(try PDFTools.run("qpdf", ["--check", path]).contains("No syntax or stream encoding errors"))
      let text = try Self.text(pdf)
      let label = sealed[index].kind == .zertifikat ? "Zertifikatsnummer" : "Bescheinigungsnummer"
      #expect(text.contains("\(label) \(sealed[index].serial)"))
      #expect(text.contains(sealed[index].verificationURL))
      #expect(try PDFTools.run("pdfinfo", [path]).contains("Keywords:        \(sealed[index].serial) \(sealed[index].qrPayload)"))
    }
    let path = try PDFTools.temporaryFile(stamped[4], suffix: ".pdf")
    _ = try PDFTools.run("pdftoppm", ["-r", "300", "-png", path, path + "-page"])
    let decoded = try PDFTools.run("zbarimg", ["--quiet", "--raw", path + "-page-1.png"])
    #expect(decoded.trimmingCharacters(in: .whitespacesAndNewlines) == sealed[4].qrPayload)
  }

  @Test func whatCannotBeStampedIsRenderedWhole() throws {
    let printer = CertificatePrinter(threads: 1)
    // A verification address too long for one line: the footer wraps, so nothing is stamped.
    let long = Self.seal(
      try Self.snapshot(0, name: "Hańža Šołćina"),
      prefix: "https://www.landespraeventionsrat.sachsen.de/qualifizierung/beccaria/zertifikate/pruefen")
    let longPDF = try printer.print([long])
    #expect(try Self.text(longPDF[0]) == Self.text(CertificateDocument.render(long)))
    #expect(try Self.text(longPDF[0]).replacingOccurrences(of: "\n", with: "").contains(long.serial))
    // A certificate sealed from another draft than the one drawn (the name changed meanwhile).
    let renamed = Self.seal(try Self.snapshot(1, name: "Zoë Łukasiewicz-Ünal"))
    var before = try Self.snapshot(1, name: "Zoë Łukasiewicz-Ünal")
    before.holderName = "Zoë Łukasiewicz"
    let drawnBefore = CertificateDraft(printing: before, verificationPrefix: Self.prefix)
    let renamedPDF = try printer.prepare([drawnBefore]).finish([renamed])
    #expect(try Self.text(renamedPDF[0]).contains("Zoë Łukasiewicz-Ünal"))
    #expect(try Self.text(renamedPDF[0]) == Self.text(CertificateDocument.render(renamed)))
    #expect(throws: RenderError.self) { try printer.prepare([drawnBefore]).finish([]) }
    // A serial longer than the prepared shape (a millionth certificate in a year).
    let millionth = Self.seal(try Self.snapshot(2, name: "Nguyễn Thị Minh Khai"), serial: "BQ-2027-1000000")
    let millionthPDF = try printer.print([millionth])
    #expect(try Self.text(millionthPDF[0]).contains("Zertifikatsnummer BQ-2027-1000000"))
    #expect(try Self.text(millionthPDF[0]) == Self.text(CertificateDocument.render(millionth)))
  }
}
