import BeccariaCore
import CXlsxWriter
import Foundation

/// One cell of a sheet, typed as a spreadsheet stores it: a number stays a number and a day a
/// day, whatever the reader's locale shows them as.
public enum SheetCell: Sendable, Equatable {
  case text(String)
  /// A whole number (counts, participant numbers), shown without decimals.
  case integer(Int64)
  /// A number shown with `places` decimals (UE: one).
  case decimal(Double, places: Int)
  /// A share as a fraction (0.969), shown as a percentage with one decimal (96,9 % in German).
  case percent(Double)
  /// A calendar day, stored as the spreadsheet's day number and shown in the workbook's day format.
  case date(CalendarDate)
  /// A moment, shown in `timeZone` with the workbook's day format and hh:mm (a spreadsheet stores
  /// no time zone).
  case dateTime(Date, timeZone: TimeZone)
  case empty
}

/// Why a workbook could not be written: libxlsxwriter's own words (`lxw_strerror`).
public struct WorkbookError: Error, CustomStringConvertible {
  public var description: String
}

/// An Office Open XML workbook (ECMA-376, `.xlsx`) written by libxlsxwriter: one sheet per
/// `addSheet`, each with a bold header row that stays in view (frozen) and filters, columns sized
/// to their content, and typed cells (`SheetCell`). `data()` closes the workbook and returns its
/// bytes; the caller decides where they go (libxlsxwriter writes to a file of its own, which
/// lives in a private temporary folder until then).
public final class Workbook {
  private let folder: URL
  private let path: String
  private var workbook: UnsafeMutablePointer<lxw_workbook>?
  private var formats: [String: UnsafeMutablePointer<lxw_format>] = [:]
  private var sheetNames: Set<String> = []
  /// C strings handed to libxlsxwriter's document properties, which keeps the pointers until close.
  private var retained: [UnsafeMutablePointer<CChar>] = []

  /// How days and moments are shown (the cells hold the spreadsheet's day numbers either way).
  private let dayFormat: String
  private let momentFormat: String

  /// A workbook with `title` and `author` in its document properties; days shown as
  /// `dayFormat` (an Excel number format: `dd.mm.yyyy` for a German reader, `yyyy-mm-dd`).
  public init(title: String? = nil, author: String? = nil, dayFormat: String = "dd.mm.yyyy") throws {
    self.dayFormat = dayFormat
    momentFormat = dayFormat + " hh:mm"
    folder = FileManager.default.temporaryDirectory.appending(path: "beccaria-xlsx-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    path = folder.appending(path: "book.xlsx").path
    guard let workbook = workbook_new(path) else {
      try? FileManager.default.removeItem(at: folder)
      throw WorkbookError(description: tr("libxlsxwriter could not start a workbook"))
    }
    self.workbook = workbook
    var properties = lxw_doc_properties()
    if let title { properties.title = keep(title) }
    if let author { properties.author = keep(author) }
    workbook_set_properties(workbook, &properties)
  }

  deinit {
    if let workbook { workbook_close(workbook) }
    retained.forEach { free($0) }
    try? FileManager.default.removeItem(at: folder)
  }

  private func keep(_ text: String) -> UnsafeMutablePointer<CChar>? {
    let copy = strdup(text)
    if let copy { retained.append(copy) }
    return copy
  }

  /// The cell format of `key` (made once per workbook).
  private func format(_ key: String, _ configure: (UnsafeMutablePointer<lxw_format>) -> Void) -> UnsafeMutablePointer<lxw_format>?
  {
    if let made = formats[key] { return made }
    guard let workbook, let made = workbook_add_format(workbook) else { return nil }
    configure(made)
    formats[key] = made
    return made
  }

  private func numberFormat(_ code: String) -> UnsafeMutablePointer<lxw_format>? {
    format(code) { format_set_num_format($0, code) }
  }

  /// A sheet's name as Excel allows it: at most 31 characters, none of `[]:*?/\`, not used yet.
  static func sheetName(_ wanted: String, taken: Set<String>) -> String {
    let cleaned = String(wanted.map { "[]:*?/\\".contains($0) ? "-" : $0 }.prefix(31))
    var name = cleaned.isEmpty ? "Tabelle" : cleaned
    var number = 2
    while taken.contains(name.lowercased()) {
      let suffix = " (\(number))"
      name = String(cleaned.prefix(31 - suffix.count)) + suffix
      number += 1
    }
    return name
  }

  /// Adds a sheet called `name` with `header` as its first row and `rows` below it. The first
  /// `frozenColumns` columns stay in view too. Rows shorter than the header leave cells empty.
  public func addSheet(name: String, header: [String], rows: [[SheetCell]], frozenColumns: Int = 0) throws {
    guard let workbook else { throw WorkbookError(description: tr("the workbook is closed")) }
    guard rows.count <= Self.maximumRows else {
      throw WorkbookError(
        description: tr(
          "%@ rows do not fit a sheet (at most %@ below its header); use --format csv, or narrow the listing", rows.count,
          Self.maximumRows))
    }
    let sheetName = Self.sheetName(name, taken: sheetNames)
    sheetNames.insert(sheetName.lowercased())
    guard let sheet = workbook_add_worksheet(workbook, sheetName) else {
      throw WorkbookError(description: tr("libxlsxwriter could not add the sheet %@", sheetName))
    }
    let bold = format("header") { header in
      format_set_bold(header)
      format_set_bottom(header, UInt8(LXW_BORDER_THIN.rawValue))
      format_set_bg_color(header, 0xE8E8E8)
      format_set_text_wrap(header)
    }
    var widths = header.map { Double($0.count) }
    for (column, title) in header.enumerated() {
      try check(worksheet_write_string(sheet, 0, lxw_col_t(column), Self.safe(title), bold))
    }
    for (index, row) in rows.enumerated() {
      let line = lxw_row_t(index + 1)
      for (column, cell) in row.enumerated() {
        let col = lxw_col_t(column)
        let shown: Int
        switch cell {
        case .empty:
          shown = 0
        case .text(let text):
          let safe = Self.safe(text)
          try check(worksheet_write_string(sheet, line, col, safe, nil))
          shown = safe.count
        case .integer(let value):
          try check(worksheet_write_number(sheet, line, col, Double(value), numberFormat("0")))
          shown = String(value).count
        case .decimal(let value, let places):
          let code = places > 0 ? "0." + String(repeating: "0", count: places) : "0"
          try check(worksheet_write_number(sheet, line, col, value, numberFormat(code)))
          shown = String(format: "%.\(places)f", value).count
        case .percent(let value):
          try check(worksheet_write_number(sheet, line, col, value, numberFormat("0.0%")))
          shown = 7
        case .date(let day):
          var moment = lxw_datetime(year: Int32(day.year), month: Int32(day.month), day: Int32(day.day), hour: 0, min: 0, sec: 0)
          try check(worksheet_write_datetime(sheet, line, col, &moment, numberFormat(dayFormat)))
          shown = 10
        case .dateTime(let date, let timeZone):
          var calendar = Calendar(identifier: .gregorian)
          calendar.timeZone = timeZone
          let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
          var moment = lxw_datetime(
            year: Int32(parts.year ?? 1900), month: Int32(parts.month ?? 1), day: Int32(parts.day ?? 1),
            hour: Int32(parts.hour ?? 0), min: Int32(parts.minute ?? 0), sec: Double(parts.second ?? 0))
          try check(worksheet_write_datetime(sheet, line, col, &moment, numberFormat(momentFormat)))
          shown = 16
        }
        if column < widths.count { widths[column] = max(widths[column], Double(shown)) }
      }
    }
    for (column, width) in widths.enumerated() {
      // Excel's width unit is about one character of the default font; a little air either side.
      worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), min(max(width + 2, 6), 60), nil)
    }
    worksheet_freeze_panes(sheet, 1, lxw_col_t(frozenColumns))
    if !header.isEmpty {
      worksheet_autofilter(sheet, 0, 0, lxw_row_t(rows.count), lxw_col_t(header.count - 1))
    }
  }

  /// Text as a cell may hold it (ECMA-376 and XML 1.0):
  /// - control characters and the noncharacters U+FFFE and U+FFFF, which XML cannot carry, are
  ///   shown escaped (`InertText`, `\u{FFFE}`);
  /// - a literal `_xHHHH_`, which a spreadsheet would read as an escaped character, is itself
  ///   escaped (`_x005F_xHHHH_`), since libxlsxwriter writes it as given;
  /// - at most 32,767 UTF-16 units (Excel's limit; libxlsxwriter refuses longer), cut with "…".
  static func safe(_ text: String) -> String {
    var inert = InertText.firstControl(in: text) == nil ? text : InertText.escape(text)
    if inert.unicodeScalars.contains(where: { $0.value == 0xFFFE || $0.value == 0xFFFF }) {
      inert = String(
        inert.unicodeScalars.map { scalar in
          scalar.value == 0xFFFE || scalar.value == 0xFFFF
            ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
        }.joined())
    }
    if inert.contains("_x") {
      inert = inert.replacingOccurrences(of: "_x([0-9A-Fa-f]{4})_", with: "_x005F_x$1_", options: .regularExpression)
    }
    guard inert.utf16.count > 32_767 else { return inert }
    var cut = String.UnicodeScalarView()
    var units = 0
    for scalar in inert.unicodeScalars {
      units += scalar.utf16.count
      if units > 32_766 { break }
      cut.append(scalar)
    }
    return String(cut) + "…"
  }

  /// The most rows a sheet holds below its header (Excel's 1,048,576 rows).
  public static let maximumRows = 1_048_575

  private func check(_ error: lxw_error) throws {
    guard error != LXW_NO_ERROR else { return }
    throw WorkbookError(description: String(cString: lxw_strerror(error)))
  }

  /// Closes the workbook and returns the `.xlsx` file's bytes.
  public func data() throws -> Data {
    guard let workbook else { throw WorkbookError(description: tr("the workbook is closed")) }
    self.workbook = nil
    try check(workbook_close(workbook))
    return try Data(contentsOf: URL(fileURLWithPath: path))
  }
}
