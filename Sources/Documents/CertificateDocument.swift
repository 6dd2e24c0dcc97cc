import BeccariaCore
import Foundation
import PDFAssembly

/// The certificate as an authority hands it out: A4 portrait, a fine double frame, the issuer at
/// the top, the heading and the holder's name in a serif face (shrunk to fit, never overflowing),
/// the modules with their UE, place and date, signature lines, and the serial number with a QR
/// code for verification. Rendered only from the snapshot. The programme's own texts are set
/// without discretionary ligatures (see `Font.ligatures`); the holder's name is shaped with
/// every feature of its font.
public enum CertificateDocument {
  static let margin = 56.0
  static let ink = (0.12, 0.16, 0.24)
  static let accent = (0.10, 0.27, 0.45)
  static let muted = (0.35, 0.38, 0.42)

  /// One certificate, drawn straight into its own PDF (Cairo writes the document information).
  /// The nightly run's fallback, re-issues and specimens use this path, which does not depend on
  /// splitting.
  public static func render(_ certificate: SealedCertificate) throws -> Data {
    try render(certificate.snapshot, keepsFontHinting: false)
  }

  static func render(_ snapshot: CertificateSnapshot, keepsFontHinting: Bool = false) throws -> Data {
    let info = info(snapshot, created: "")
    let writer = try PDFWriter(title: info.title, author: info.author, subject: info.subject, keywords: info.keywords)
    writer.keepsFontHinting = keepsFontHinting
    try draw(snapshot, on: writer)
    return try writer.finish()
  }

  /// The document information of a certificate: its Keywords carry serial and signed payload.
  static func info(_ snapshot: CertificateSnapshot, created: String) -> PDFPageSplitter.Info {
    .init(
      title: "\(snapshot.heading) \(snapshot.serial)", author: snapshot.issuer,
      subject: "\(snapshot.heading) – \(snapshot.holderName)", keywords: "\(snapshot.serial) \(snapshot.qrPayload)",
      creationDate: created, producer: "cairo \(PDFWriter.cairoVersion) + beccaria")
  }

  /// Draws a batch before its serial numbers exist, so that the nightly run can render outside
  /// the serial counter's lock: everything but the two places the serial is printed and the QR
  /// code is drawn now (one Cairo document per thread, `threads` at most); `finish` stamps
  /// serials and QR codes on the pages once the drafts are sealed.
  static func prepareBatch(_ drafts: [CertificateDraft], threads: Int) throws -> PreparedCertificates {
    let shares = max(1, min(threads, drafts.count))
    let size = max(1, (drafts.count + shares - 1) / shares)
    let ranges = stride(from: 0, to: drafts.count, by: size).map { $0..<min($0 + size, drafts.count) }
    let drawn = try concurrentMap(ranges.count) { index in
      try PreparedCertificates.Share.draw(ranges[index].map { drafts[$0].fields }, range: ranges[index])
    }
    return PreparedCertificates(drafts: drafts, shares: drawn)
  }

  /// Draws the certificate on the writer's current page; with `deferred`, everything but the
  /// serial number and the QR code, whose places it returns.
  @discardableResult
  static func draw(_ snapshot: CertificateSnapshot, on writer: PDFWriter, deferred: Bool = false) throws -> Stamp? {
    let width = PDFWriter.a4Width
    let height = PDFWriter.a4Height
    let content = width - 2 * margin
    let signatureTop = height - 250
    // What is the same on every certificate of a programme's kind is drawn once per document
    // and shown on every page (`reusable`); only the holder's fields are drawn per page.
    let separator = "\u{1F}"
    let headerKey =
      (["header", snapshot.issuer, snapshot.programmeTitle, snapshot.heading]
      + snapshot.signatories.flatMap { [$0.name, $0.role] }).joined(separator: separator)
    let nameTop = try writer.reusable(headerKey) { writer -> Double in
      // Frame.
      writer.rectangle(x: 28, y: 28, width: width - 56, height: height - 56, lineWidth: 1.6, stroke: accent)
      writer.rectangle(x: 33, y: 33, width: width - 66, height: height - 66, lineWidth: 0.4, stroke: accent)
      var y = 70.0
      y +=
        writer.text(
          snapshot.issuer.uppercased(), x: margin, y: y, width: content, font: .sans(9.5, bold: true, ligatures: false),
          alignment: .center, color: accent) + 2
      y += writer.text(
        Typography.programmeText(snapshot.programmeTitle), x: margin, y: y, width: content, font: .sans(9, ligatures: false),
        alignment: .center, color: muted)
      y += 42
      // One line, as large as fits: at 38 points "Teilnahmebescheinigung" is wider than the page
      // and was broken inside the word.
      let headingFont = writer.fittingFont(
        snapshot.heading, width: content, font: .serif(38, bold: true, ligatures: false), maxLines: 1, minimumSize: 20)
      y += writer.text(snapshot.heading, x: margin, y: y, width: content, font: headingFont, alignment: .center, color: ink)
      // Signatures.
      let count = max(1, snapshot.signatories.count)
      let gap = 24.0
      let slot = (content - gap * Double(count - 1)) / Double(count)
      for (index, signatory) in snapshot.signatories.enumerated() {
        let x = margin + Double(index) * (slot + gap)
        let lineY = signatureTop + 62
        writer.line(from: (x, lineY), to: (x + slot, lineY), width: 0.6, gray: 0.3)
        let nameHeight = writer.text(
          signatory.name, x: x, y: lineY + 4, width: slot, font: .sans(8.5, bold: true, ligatures: false), alignment: .center,
          color: ink)
        writer.text(
          signatory.role, x: x, y: lineY + 5 + nameHeight, width: slot, font: .sans(8, ligatures: false), alignment: .center,
          color: muted)
      }
      return y + 30
    }

    // The holder's name: serif, as large as fits on two lines at most.
    var y = nameTop
    // A subset of its own: the glyphs that differ from certificate to certificate are then a
    // small font of each file, and the heading's face is the same on every page.
    var nameFace = Font.serif(28, bold: true)
    nameFace.ownSubset = "wght=700"
    let nameFont = writer.fittingFont(snapshot.holderName, width: content - 20, font: nameFace, maxLines: 2, minimumSize: 14)
    // Three lines at the smallest size take less height than two at the largest; a name that
    // needs more would push the modules over the place, the signatures and the footer.
    let nameLines = writer.measure(snapshot.holderName, width: content - 20, font: nameFont).lines
    guard nameLines <= 3 else {
      throw RenderError(
        "the name „\(snapshot.holderName.prefix(60))…“ needs \(nameLines) lines at \(Int(nameFont.size)) pt; a certificate has room for 3"
      )
    }
    y +=
      writer.text(snapshot.holderName, x: margin + 10, y: y, width: content - 20, font: nameFont, alignment: .center, color: ink)
      + 4
    if let birth = snapshot.birthDate {
      y += writer.text(
        "geboren am \(birth.german)", x: margin, y: y, width: content, font: .serif(11, italic: true, ligatures: false),
        alignment: .center, color: muted)
    }
    y += 22

    // Body, award and the modules: their texts are the programme's, drawn once and moved to
    // below the name; what differs per holder (cohort and date of each module) goes on top.
    let tableX = margin + 30
    let tableWidth = content - 60
    let details = snapshot.modules.map { "\($0.ue) UE · \($0.course) · \($0.completedOn.german)" }
    let detailHeights = details.map { writer.measure($0, width: tableWidth * 0.52, font: .sans(9, ligatures: false)).height }
    let total =
      snapshot.modules.count > 1
      ? "Insgesamt \(snapshot.totalUE) Unterrichtseinheiten (UE) zu je \(snapshot.ueMinutes) Minuten"
      : "Eine Unterrichtseinheit (UE) umfasst \(snapshot.ueMinutes) Minuten"
    let bodyKey =
      (["body", snapshot.body, snapshot.award ?? "", total]
      + snapshot.modules.map { "\($0.number) \($0.title)" } + detailHeights.map { String(Int(($0 * 100).rounded())) })
      .joined(separator: separator)
    let rows = try writer.reusable(bodyKey, y: y) { writer -> [Double] in
      var y = 0.0
      y += writer.text(
        Typography.programmeText(snapshot.body), x: margin + 30, y: y, width: content - 60, font: .serif(12, ligatures: false),
        alignment: .center, color: ink, lineSpacing: 1.25)
      if let award = snapshot.award {
        y += 16
        y += writer.text(
          Typography.programmeText("„\(award)“"), x: margin, y: y, width: content,
          font: .serif(19, bold: true, italic: true, ligatures: false), alignment: .center, color: accent)
      }
      y += 26
      writer.line(from: (tableX, y), to: (tableX + tableWidth, y), width: 0.6, gray: 0.55)
      y += 6
      var rows: [Double] = []
      for (module, detailHeight) in zip(snapshot.modules, detailHeights) {
        rows.append(y)
        let labelHeight = writer.text(
          Typography.programmeText("Modul \(module.number): \(module.title)"), x: tableX, y: y, width: tableWidth * 0.48,
          font: .serif(11, bold: true, ligatures: false), color: ink)
        y += max(labelHeight, detailHeight) + 5
      }
      writer.line(from: (tableX, y), to: (tableX + tableWidth, y), width: 0.6, gray: 0.55)
      y += 6
      y += writer.text(
        total, x: tableX, y: y, width: tableWidth, font: .sans(8.5, ligatures: false), alignment: .center, color: muted)
      // Where the table ends, last: the project title of a Zertifikat goes below it.
      return rows + [y]
    }
    let tableEnd = y + (rows.last ?? 0)
    // Cohort and date of each module: the same for everyone who finished together, so a group
    // too (keyed by the texts and the rows they stand in).
    let detailsKey = (["details", bodyKey] + details).joined(separator: separator)
    try writer.reusable(detailsKey, y: y) { writer in
      for (detail, row) in zip(details, rows.dropLast()) {
        writer.text(
          detail, x: tableX + tableWidth * 0.48, y: row + 1, width: tableWidth * 0.52, font: .sans(9, ligatures: false),
          alignment: .right, color: muted)
      }
    }

    // The project work a Zertifikat rests on, by its title (each holder's own).
    if let project = snapshot.projectTitle, !project.isEmpty {
      writer.text(
        Typography.programmeText("Projektarbeit: „\(project)“", quotedLength: 80), x: tableX, y: tableEnd + 10,
        width: tableWidth, font: .serif(11, italic: true), alignment: .center, color: ink)
    }

    // Serial and verification. The serial number appears twice (after its label and at the end
    // of the verification URL) and in the QR code; when `deferred`, those three are
    // left out and their places returned, to be stamped once the number is assigned.
    // 116 pt, quiet zone included: the BQ2 token's symbol (version 8 for most names, 57
    // modules) then has modules of 2 pt, 4 pixels at 150 dpi, which office scanners and
    // zbarimg read (at 92 pt, 3 pixels, they did not). It reaches into the margins, clear of the
    // frame, so that the footer keeps its width: its lines end 2 pt before the quiet zone.
    let qrSize = 116.0
    let qrX = width - margin - qrSize + 16
    let qrY = height - 36 - qrSize
    let footerWidth = qrX - margin - 2
    let footerY = height - 118
    let serialFont = Font.sans(9, bold: true, ligatures: false)
    let urlFont = Font.sans(7.5, ligatures: false)
    // A Teilnahmebescheinigung is not a Zertifikat: its number is labelled as what it is.
    let serialLabel = snapshot.kind == .zertifikat ? "Zertifikatsnummer" : "Bescheinigungsnummer"
    let serialLine = "\(serialLabel) \(snapshot.serial)"
    let urlLine = "Echtheit und Gültigkeit prüfen: \(snapshot.verificationURL)"
    // For the reader: no programme codes or key ids (the verification page shows those).
    let detailLine = "Abgeschlossen am \(snapshot.completedOn.german) · digital signiert, prüfbar mit dem QR-Code"
    var stamp: Stamp?
    if deferred {
      // Serial numbers are 14 characters of tabular digits: any one has the width of the sample.
      let sample = PreparedCertificates.Share.sample
      let serialPrefix = "\(serialLabel) "
      let urlPrefix = "Echtheit und Gültigkeit prüfen: \(snapshot.verificationURL)"
      guard writer.naturalWidth(serialPrefix + sample, font: serialFont) <= footerWidth,
        writer.naturalWidth(urlPrefix + sample, font: urlFont) <= footerWidth
      else { throw NotDeferrable() }
      try writer.reusable(["footer", serialPrefix, urlPrefix].joined(separator: separator)) { writer in
        writer.text(serialPrefix, x: margin, y: footerY, width: footerWidth, font: serialFont, color: ink)
        writer.text(urlPrefix, x: margin, y: footerY + 13, width: footerWidth, font: urlFont, color: muted)
      }
      let serialPositions = writer.characterPositions(of: sample, after: serialPrefix, font: serialFont)
      let urlPositions = writer.characterPositions(of: sample, after: urlPrefix, font: urlFont)
      stamp = Stamp(
        texts: [
          .init(
            face: .bold, size: serialFont.size, positions: serialPositions.map { margin + $0 },
            baseline: footerY + writer.baseline(serialPrefix, font: serialFont), color: ink),
          .init(
            face: .regular, size: urlFont.size, positions: urlPositions.map { margin + $0 },
            baseline: footerY + 13 + writer.baseline(urlPrefix, font: urlFont), color: muted),
        ],
        qr: (qrX, qrY, qrSize))
    } else {
      try writer.qrCode(snapshot.qrPayload, x: qrX, y: qrY, size: qrSize)
      writer.text(serialLine, x: margin, y: footerY, width: footerWidth, font: serialFont, color: ink)
      writer.text(urlLine, x: margin, y: footerY + 13, width: footerWidth, font: urlFont, color: muted)
    }
    // Place and date of issue, and the line below the verification URL: the same for a whole
    // run's certificates of a cohort.
    let placeLine = "\(snapshot.place), den \(snapshot.issuedOn.german)"
    let urlHeight = writer.measure(urlLine, width: footerWidth, font: urlFont).height
    let lineHeight = writer.measure("A", width: footerWidth, font: urlFont).height
    let detailY = footerY + 13 + urlHeight + 0.1 * lineHeight
    try writer.reusable(["place", placeLine, detailLine, String(Int((detailY * 1000).rounded()))].joined(separator: separator)) {
      writer in
      writer.text(
        placeLine, x: margin, y: signatureTop, width: content, font: .serif(11.5, ligatures: false), alignment: .left, color: ink)
      writer.text(detailLine, x: margin, y: detailY, width: footerWidth, font: urlFont, color: muted)
    }
    // A re-issue says what it replaces, below the place and date.
    if let replaced = snapshot.replaces {
      let what = snapshot.kind == .zertifikat ? "das Zertifikat" : "die Teilnahmebescheinigung"
      writer.text(
        "Ersetzt \(what) \(replaced.serial) vom \(replaced.issuedOn.german).", x: margin, y: signatureTop + 18,
        width: content, font: .serif(10, italic: true, ligatures: false), alignment: .left, color: muted)
    }
    // A certificate whose name (or text) printed as boxes of code points is not issued.
    if let missing = writer.unprintable.first {
      throw RenderError(
        "no installed font has every character of „\(missing)“; install one that has them (Debian's fonts-noto-cjk for Chinese, Japanese and Korean) and run again"
      )
    }
    return stamp
  }

  /// The parts of a page drawn after the serial number is assigned (see `draw(deferred:)`).
  struct Stamp {
    enum Face { case bold, regular }
    struct Text {
      var face: Face
      var size: Double
      /// Where each character of the serial begins (serials have the sample's shape, and the
      /// face's digits are tabular).
      var positions: [Double]
      /// Baseline, from the top of the page.
      var baseline: Double
      var color: (Double, Double, Double)
    }
    var texts: [Text]
    var qr: (x: Double, y: Double, size: Double)
  }

  struct NotDeferrable: Error {}
}

/// A batch drawn without its serial numbers (`CertificatePrinter.prepare`).
public final class PreparedCertificates: PreparedBatch {
  struct Share: Sendable {
    var range: Range<Int>
    /// The combined document, with two probe pages after the certificates; nil when the batch
    /// cannot be stamped (a verification URL too long for one line) and is rendered whole.
    var combined: PDFPageSplitter?
    var stamps: [CertificateDocument.Stamp]
    var boldFont = 0
    var regularFont = 0

    static let probe = "BQ-0123456789"
    static let sample = "BQ-0000-000000"

    static func draw(_ snapshots: [CertificateSnapshot], range: Range<Int>) throws -> Share {
      let writer = try PDFWriter(title: nil)
      // Every page's fonts are cut to what it shows (PageFontCutter), which drops the hinting too.
      writer.keepsFontHinting = true
      var stamps: [CertificateDocument.Stamp] = []
      do {
        for (index, snapshot) in snapshots.enumerated() {
          if index > 0 { writer.newPage() }
          guard let stamp = try CertificateDocument.draw(snapshot, on: writer, deferred: true) else {
            throw CertificateDocument.NotDeferrable()
          }
          stamps.append(stamp)
        }
      } catch is CertificateDocument.NotDeferrable {
        return Share(range: range, combined: nil, stamps: [])
      }
      // Probe pages (never emitted): every glyph a serial needs, in the two faces it is printed
      // in, so that the fonts' subsets hold them.
      writer.newPage()
      writer.text(probe, x: 100, y: 100, width: 300, font: .sans(9, bold: true))
      writer.newPage()
      writer.text(probe, x: 100, y: 100, width: 300, font: .sans(7.5))
      let combined = try PDFPageSplitter(writer.finish())
      guard combined.pages.count == snapshots.count + 2 else {
        throw RenderError("\(snapshots.count) certificates were drawn on \(combined.pages.count - 2) pages")
      }
      // Each probe page uses one font: the simple (WinAnsi) subset of its face.
      let bold = try combined.fonts(onPage: snapshots.count)
      let regular = try combined.fonts(onPage: snapshots.count + 1)
      guard bold.count == 1, regular.count == 1, combined.object(bold[0], contains: "/WinAnsiEncoding"),
        combined.object(regular[0], contains: "/WinAnsiEncoding")
      else { return Share(range: range, combined: nil, stamps: []) }
      return Share(range: range, combined: combined, stamps: stamps, boldFont: bold[0], regularFont: regular[0])
    }
  }

  let drafts: [CertificateDraft]
  let shares: [Share]
  private let alone = Reasons()

  init(drafts: [CertificateDraft], shares: [Share]) {
    self.drafts = drafts
    self.shares = shares
  }

  public var renderedAlone: [String] { alone.all }

  private func renderAlone(_ certificate: SealedCertificate, because reason: String) throws -> Data {
    alone.add("\(certificate.serial): \(reason)")
    return try CertificateDocument.render(certificate)
  }

  /// Reasons noted by the threads of one `finish`.
  final class Reasons: @unchecked Sendable {
    private let lock = NSLock()
    private var reasons: [String] = []
    var all: [String] { lock.withLock { reasons } }
    func add(_ reason: String) { lock.withLock { reasons.append(reason) } }
    func clear() { lock.withLock { reasons.removeAll() } }
  }

  /// The finished PDFs of the sealed certificates (in the order prepared). One sealed from
  /// another draft than the one prepared (a name changed meanwhile) is rendered whole instead,
  /// so the document always shows exactly the sealed certificate.
  public func finish(_ sealed: [SealedCertificate]) throws -> [Data] {
    guard sealed.count == drafts.count else {
      throw RenderError("\(drafts.count) certificates were prepared, \(sealed.count) given")
    }
    let created = PDFPageSplitter.pdfDate(Date())
    alone.clear()
    return try concurrentMap(shares.count) { [self] index in try finish(shares[index], sealed: sealed, created: created) }
      .flatMap { $0 }
  }

  func finish(_ share: Share, sealed: [SealedCertificate], created: String) throws -> [Data] {
    guard let combined = share.combined else {
      return try share.range.map {
        try renderAlone(sealed[$0], because: "its batch could not be stamped (a verification address too long)")
      }
    }
    var cutter = PageFontCutter(combined)
    return try share.range.map { index in
      let snapshot = sealed[index].snapshot
      guard sealed[index].draft == drafts[index] else {
        return try renderAlone(sealed[index], because: "sealed from another draft than the one drawn")
      }
      guard snapshot.serial.utf8.count == Share.sample.utf8.count else {
        return try renderAlone(sealed[index], because: "its serial has another length than the stamp's")
      }
      let page = index - share.range.lowerBound
      let stamp = try Self.stamp(share.stamps[page], snapshot: snapshot, share: share)
      // Fonts the cutter cannot cut (a synthetic bold Cairo embeds as CFF, glyphs under
      // ActualText) leave the certificate to be rendered on its own, whose fonts hold its text
      // alone.
      let fonts: [Int: PDFPageSplitter.Replacement]
      do {
        fonts = try cutter.replacements(page: page, stamp: stamp)
      } catch {
        return try renderAlone(sealed[index], because: "its fonts could not be cut (\(error))")
      }
      return try combined.page(
        page, info: CertificateDocument.info(snapshot, created: created), stamp: stamp, replacing: fonts)
    }
  }

  static func stamp(_ stamp: CertificateDocument.Stamp, snapshot: CertificateSnapshot, share: Share) throws
    -> PDFPageSplitter.Stamp
  {
    let serial = Array(snapshot.serial.utf8)
    guard serial.allSatisfy({ Share.probe.utf8.contains($0) }),
      stamp.texts.allSatisfy({ $0.positions.count == serial.count })
    else { throw RenderError("the serial \(snapshot.serial) does not have the form the stamp was prepared for") }
    let height = PDFWriter.a4Height
    var content: [UInt8] = []
    content.reserveCapacity(1024)
    for text in stamp.texts {
      content += Array("BT\n/\(text.face == .bold ? "BQb" : "BQr") ".utf8)
      appendNumber(text.size, to: &content)
      content += Array(" Tf\n".utf8)
      for component in [text.color.0, text.color.1, text.color.2] {
        appendNumber(component, to: &content)
        content.append(0x20)
      }
      content += Array("rg\n".utf8)
      // Each character where Pango placed it in the single rendering.
      for (character, x) in zip(serial, text.positions) {
        content += Array("1 0 0 1 ".utf8)
        appendNumber(x, to: &content)
        content.append(0x20)
        appendNumber(height - text.baseline, to: &content)
        content += Array(" Tm (".utf8) + [character] + Array(") Tj\n".utf8)
      }
      content += Array("ET\n".utf8)
    }
    let symbol = try QRSymbol(snapshot.qrPayload)
    let side = symbol.side
    // 1 is white in a one-bit DeviceGray image.
    let bits = symbol.darkBits.map { ~$0 }
    let qr = stamp.qr
    content += Array("q\n".utf8)
    for value in [qr.size, 0, 0, qr.size, qr.x, height - qr.y - qr.size] {
      appendNumber(value, to: &content)
      content.append(0x20)
    }
    content += Array("cm\n/BQqr Do\nQ\n".utf8)
    return PDFPageSplitter.Stamp(
      fonts: [("BQb", share.boldFont), ("BQr", share.regularFont)], image: ("BQqr", side, side, bits), content: content,
      shows: stamp.texts.map { ($0.face == .bold ? "BQb" : "BQr", serial) })
  }

  /// Appends a number as a PDF content stream writes it (three decimals at most, no trailing
  /// zeros).
  static func appendNumber(_ value: Double, to out: inout [UInt8]) {
    let thousandths = Int((value * 1000).rounded())
    if thousandths < 0 { out.append(UInt8(ascii: "-")) }
    let magnitude = abs(thousandths)
    PDFPageSplitter.appendDecimal(magnitude / 1000, to: &out)
    var fraction = magnitude % 1000
    guard fraction != 0 else { return }
    out.append(UInt8(ascii: "."))
    var divisor = 100
    while fraction > 0 {
      out.append(UInt8(0x30 + fraction / divisor))
      fraction %= divisor
      divisor /= 10
    }
  }
}

/// `body` for every index in `0..<count`, one thread each (on the calling thread when there is
/// only one); the results in index order, or the first error by index.
func concurrentMap<Value>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Value) throws -> [Value] {
  let results = ResultSlots<Value>(count: count)
  let work: @Sendable (Int) -> Void = { index in results.set(index, Result { try body(index) }) }
  if count == 1 { work(0) } else if count > 1 { DispatchQueue.concurrentPerform(iterations: count, execute: work) }
  return try results.values().map { try $0.get() }
}

/// One result per index, filled from several threads.
final class ResultSlots<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [Result<Value, any Error>?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ result: Result<Value, any Error>) {
    lock.lock()
    slots[index] = result
    lock.unlock()
  }

  func values() -> [Result<Value, any Error>] {
    lock.lock()
    defer { lock.unlock() }
    return slots.map { $0 ?? .failure(RenderError("a rendering thread produced nothing")) }
  }
}
