import Foundation

/// The paper sign-in sheet a trainer prints for the room: who is expected at a session, with a
/// column for the UE attended and one for the signature. Every page repeats the session's details
/// and carries its number as text and as a QR code, so that a scanned sheet can be matched.
public struct SignInSheet: Sendable {
  public struct Row: Sendable {
    public var name: String
    /// The participant number, which `attendance record --participant` takes.
    public var number: String
    public var organisation: String?
    public var municipality: String?
    public var remark: String?
    public init(name: String, number: String, organisation: String?, municipality: String?, remark: String? = nil) {
      self.name = name
      self.number = number
      self.organisation = organisation
      self.municipality = municipality
      self.remark = remark
    }
  }

  public var programme: String
  public var cohort: String
  public var module: String
  /// "Samstag, 07.03.2026".
  public var date: String
  /// "09:00–15:45 Uhr".
  public var time: String
  public var ue: Int
  /// Who runs the programme: the document's author.
  public var issuer: String
  public var location: String
  public var trainers: [String]
  public var sessionID: String
  /// What the QR code holds.
  public var qrPayload: String
  /// "Erstellt am 25.11.2026 12:00".
  public var printedAt: String
  public var rows: [Row]

  public init(
    programme: String, cohort: String, module: String, date: String, time: String, ue: Int, issuer: String,
    location: String, trainers: [String], sessionID: String, qrPayload: String, printedAt: String, rows: [Row]
  ) {
    self.programme = programme
    self.cohort = cohort
    self.module = module
    self.date = date
    self.time = time
    self.ue = ue
    self.issuer = issuer
    self.location = location
    self.trainers = trainers
    self.sessionID = sessionID
    self.qrPayload = qrPayload
    self.printedAt = printedAt
    self.rows = rows
  }

  // Layout in points (A4 portrait, 15 mm margins).
  static let margin = 42.5
  // "Zeile" is the row `attendance record --row` takes; the participant number is printed under
  // each name, so that nobody types a row number where a participant number belongs.
  static let columns: [(title: String, width: Double)] = [
    ("Zeile", 32), ("Name / Teilnehmer-Nr.", 150), ("Organisation / Kommune", 152), ("UE", 48), ("Unterschrift", 128.28),
  ]
  static let cellPadding = 4.0
  static let minimumRowHeight = 30.0

  /// Renders the sheet; rows are never split across pages.
  public func render() throws -> Data {
    let writer = try PDFWriter(
      title: "Unterschriftenliste Sitzung \(sessionID)", author: issuer, subject: "\(cohort) – \(module)")
    let contentWidth = PDFWriter.a4Width - 2 * Self.margin
    let bottom = PDFWriter.a4Height - Self.margin - 24
    let cellFont = Font.sans(9.5)
    let nameFont = Font.sans(10, bold: true)

    // First pass: row heights and page breaks, so that every page can say "Seite X von Y".
    let heights = rows.map { row -> Double in
      let nameHeight =
        writer.measure(row.name, width: Self.columns[1].width - 2 * Self.cellPadding, font: nameFont).height
        + writer.measure(Self.numberLine(row), width: Self.columns[1].width - 2 * Self.cellPadding, font: cellFont).height
      let detail = Self.detail(row)
      let detailHeight = writer.measure(detail, width: Self.columns[2].width - 2 * Self.cellPadding, font: cellFont).height
      return max(Self.minimumRowHeight, max(nameHeight, detailHeight) + 2 * Self.cellPadding)
    }
    let top = headerHeight(writer, width: contentWidth)
    var pages: [[Int]] = [[]]
    var y = top
    for (index, height) in heights.enumerated() {
      if y + height > bottom && !(pages.last?.isEmpty ?? true) {
        pages.append([])
        y = top
      }
      pages[pages.count - 1].append(index)
      y += height
    }
    let confirmationHeight = 60.0
    if y + confirmationHeight > bottom { pages.append([]) }

    for (pageIndex, page) in pages.enumerated() {
      if pageIndex > 0 { writer.newPage() }
      var y = try drawHeader(writer, width: contentWidth)
      y = drawTableHeader(writer, y: y)
      for index in page {
        let row = rows[index]
        let height = heights[index]
        var x = Self.margin
        let cells = [
          (String(index + 1), cellFont, TextAlignment.right),
          (row.name, nameFont, TextAlignment.left),
          (Self.detail(row), cellFont, .left),
          ("", cellFont, .left), ("", cellFont, .left),
        ]
        for (number, (column, cell)) in zip(Self.columns, cells).enumerated() {
          writer.rectangle(x: x, y: y, width: column.width, height: height, lineWidth: 0.5)
          if !cell.0.isEmpty {
            let used = writer.text(
              cell.0, x: x + Self.cellPadding, y: y + Self.cellPadding, width: column.width - 2 * Self.cellPadding,
              font: cell.1, alignment: cell.2)
            if number == 1 {
              writer.text(
                Self.numberLine(row), x: x + Self.cellPadding, y: y + Self.cellPadding + used,
                width: column.width - 2 * Self.cellPadding, font: cellFont)
            }
          }
          x += column.width
        }
        y += height
      }
      if pageIndex == pages.count - 1 {
        y += 24
        writer.text(
          "Bestätigung der Lehrkraft (Anzahl Anwesende, Datum, Unterschrift):", x: Self.margin, y: y, width: contentWidth,
          font: .sans(9))
        writer.line(from: (Self.margin + 300, y + 30), to: (Self.margin + contentWidth, y + 30), width: 0.5)
      }
      writer.text(
        "Seite \(pageIndex + 1) von \(pages.count) · Sitzung \(sessionID) · \(cohort) · \(printedAt)",
        x: Self.margin, y: PDFWriter.a4Height - Self.margin - 10, width: contentWidth, font: .sans(7.5), alignment: .center,
        color: (0.35, 0.35, 0.35))
    }
    return try writer.finish()
  }

  static func numberLine(_ row: Row) -> String { "Nr. \(row.number)" }

  /// Organisation, municipality and remark, one per line; an abbreviation such as "e. V." stays
  /// on one line.
  static func detail(_ row: Row) -> String {
    [row.organisation, row.municipality, row.remark].compactMap { $0.map(Typography.keepAbbreviationsTogether) }
      .joined(separator: "\n")
  }

  private var detailLines: [String] {
    [
      "Modul: \(module)",
      "Datum: \(date), \(time) (\(ue) UE à 45 Minuten)",
      "Ort: \(location)",
      "Lehrkraft: \(trainers.isEmpty ? "–" : trainers.joined(separator: ", "))",
    ]
  }

  private func headerHeight(_ writer: PDFWriter, width: Double) -> Double {
    let textWidth = width - 95
    var height = Self.margin
    height += writer.measure("Unterschriftenliste", width: textWidth, font: .sans(16, bold: true)).height + 4
    height += writer.measure("\(programme) · \(cohort)", width: textWidth, font: .sans(10)).height + 6
    height += writer.measure(detailLines.joined(separator: "\n"), width: textWidth, font: .sans(9.5)).height
    return max(height, Self.margin + 95) + 14 + 22
  }

  /// Draws the page head; returns where the table starts.
  private func drawHeader(_ writer: PDFWriter, width: Double) throws -> Double {
    let textWidth = width - 95
    var y = Self.margin
    y += writer.text("Unterschriftenliste", x: Self.margin, y: y, width: textWidth, font: .sans(16, bold: true)) + 4
    y += writer.text("\(programme) · \(cohort)", x: Self.margin, y: y, width: textWidth, font: .sans(10)) + 6
    y += writer.text(detailLines.joined(separator: "\n"), x: Self.margin, y: y, width: textWidth, font: .sans(9.5))
    let qrSize = 80.0
    let qrX = Self.margin + width - qrSize
    try writer.qrCode(qrPayload, x: qrX, y: Self.margin - 6, size: qrSize)
    writer.text(
      "Sitzung \(sessionID)", x: qrX - 10, y: Self.margin + qrSize - 4, width: qrSize + 20, font: .sans(8, bold: true),
      alignment: .center)
    return max(y, Self.margin + 95) + 14
  }

  /// The table's heading row, as high as its tallest title needs (a title that wraps stays inside
  /// its cell instead of running into the first row).
  private func drawTableHeader(_ writer: PDFWriter, y: Double) -> Double {
    var x = Self.margin
    let font = Font.sans(8.5, bold: true)
    let titles = Self.columns.map { column in column.title == "UE" ? "UE (≤\u{00A0}\(ue))" : column.title }
    let tallest =
      zip(Self.columns, titles).map { column, title in
        writer.measure(title, width: column.width - 2 * Self.cellPadding, font: font).height
      }.max() ?? 0
    let height = max(22.0, tallest + 12)
    for (column, title) in zip(Self.columns, titles) {
      writer.rectangle(x: x, y: y, width: column.width, height: height, lineWidth: 0.5, fill: (0.9, 0.9, 0.9))
      writer.text(title, x: x + Self.cellPadding, y: y + 6, width: column.width - 2 * Self.cellPadding, font: font)
      x += column.width
    }
    return y + height
  }
}
