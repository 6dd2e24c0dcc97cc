import ArgumentParser
import BeccariaCore
import CSV
import Foundation
import Spreadsheet

/// How a listing is printed: a table for people, JSON or CSV for scripts, a workbook for
/// spreadsheets.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, csv, xlsx
}

extension OutputFormat {
  /// Whether this is a format for scripts (JSON, CSV), which reads the same in every language.
  var isMachine: Bool { self == .json || self == .csv }

  /// `body`'s result, whose sentences (an explanation, a finding, a reason) are English when this
  /// is a format for scripts and in the reader's language otherwise. Messages printed outside it
  /// stay in the reader's language.
  func content<T>(_ body: () throws -> T) rethrows -> T {
    isMachine ? try Localisation.inEnglish(body) : try body()
  }
}

/// The `--format` and `--output` options of every listing.
struct FormatOption: ParsableArguments {
  @Option(
    name: .customLong("format"),
    help: ArgumentHelp(tr("Output format: table, json, csv or xlsx (a workbook, with --output)."), valueName: "format"))
  var chosen: OutputFormat?
  @Option(name: .long, help: ArgumentHelp(tr("Write to this file instead of the terminal."), valueName: "file"))
  var output: String?

  /// The format given, else the one `--output`'s extension names (.xlsx, .csv, .json), else a table.
  var format: OutputFormat { chosen ?? output.flatMap(Self.named(by:)) ?? .table }

  static func named(by path: String) -> OutputFormat? {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "xlsx": return .xlsx
    case "csv": return .csv
    case "json": return .json
    default: return nil
    }
  }

  func validate() throws {
    if let output, let named = Self.named(by: output), let chosen, chosen != named {
      throw ValidationError(
        tr("--output %@ names a .%@ file, but --format is %@; give one of them.", output, named.rawValue, chosen.rawValue))
    }
    guard format == .xlsx else { return }
    guard let output else { throw ValidationError(tr("--format xlsx writes a workbook: give --output FILE.xlsx.")) }
    if !output.lowercased().hasSuffix(".xlsx") {
      throw ValidationError(tr("--output %@: a workbook's name ends in .xlsx (Excel refuses it otherwise).", output))
    }
  }

  /// Prints `text` or writes it to `--output` (saying where, and how many `rows`); either way
  /// with control characters shown escaped, as everything printed (`print`).
  func emit(_ text: String, rows: Int) throws {
    guard let output else { return print(text, terminator: "") }
    try emit(Data(InertText.escape(text, keepNewlines: true).utf8), rows: rows, to: output)
  }

  func emit(_ data: Data, rows: Int, to output: String) throws {
    let written = try FileOutput.write(data, to: output)
    print(tr("Wrote %@ to %@.", Plural.count(rows, "row"), written))
  }
}

/// A cell of a listing, typed: a table writes it as the reader reads (`Reader`), CSV in the
/// stable machine form (ISO days, decimal points), a workbook as a spreadsheet's own type.
enum Cell: Sendable {
  case text(String)
  case integer(Int64)
  /// UE, or another number of at most two decimals (one in a workbook).
  case number(Decimal)
  /// A share, 0...1.
  case percent(Decimal)
  case date(CalendarDate)
  case dateTime(Date)
  /// A stored key (a status): the key in CSV, the reader's word in tables and workbooks (`Term`).
  case term(String)
  /// Text with a stable machine form for CSV and a reader's form for tables and workbooks.
  case localised(machine: String, human: String)
  case empty

  /// The machine form of CSV: `2027-01-09`, `6.5`, `96.9 %`, `2027-01-09T13:05:00Z`.
  var machine: String {
    switch self {
    case .text(let text): return text
    case .integer(let value): return String(value)
    case .number(let value): return Reader.machineNumber(value)
    case .percent(let share): return Reader.machineNumber(share * 100, places: 1) + " %"
    case .date(let day): return day.description
    case .dateTime(let date): return ISO8601DateFormatter().string(from: date)
    case .term(let key): return key
    case .localised(let machine, _): return machine
    case .empty: return ""
    }
  }

  /// What a person reads in a table (`Reader`).
  var human: String {
    switch self {
    case .text(let text): return text
    case .integer(let value): return String(value)
    case .number(let value): return Reader.number(value)
    case .percent(let share): return Reader.percent(share)
    case .date(let day): return Reader.date(day)
    case .dateTime(let date): return Reader.dateTime(date)
    case .term(let key): return Term.word(key)
    case .localised(_, let human): return human
    case .empty: return ""
    }
  }

  var sheet: SheetCell {
    switch self {
    case .text(let text): return text.isEmpty ? .empty : .text(text)
    case .integer(let value): return .integer(value)
    case .number(let value): return .decimal(NSDecimalNumber(decimal: value).doubleValue, places: 1)
    case .percent(let share): return .percent(NSDecimalNumber(decimal: share).doubleValue)
    case .date(let day): return .date(day)
    case .dateTime(let date): return .dateTime(date, timeZone: .berlin)
    case .term(let key): return .text(Term.word(key))
    case .localised(_, let human): return .text(human)
    case .empty: return .empty
    }
  }
}

/// A listing of items: columns for table, CSV and workbook, the items themselves for JSON.
struct Listing<Item: Encodable> {
  struct Column: Sendable {
    /// The English heading: CSV's key, and the msgid of what tables and workbooks show (`tr`).
    var header: String
    /// The msgid tables and workbooks show instead, where the key is ambiguous in German ("TO" is
    /// "BIS" for a day but "AN" for a recipient).
    var label: String? = nil
    var shown: String { tr(label ?? header) }
    var alignRight = false
    /// The formats that show the column (nil: all), so that a workbook can split a name into
    /// family and given names where a mail merge needs them.
    var formats: Set<OutputFormat>? = nil
    var cell: @Sendable (Item) -> Cell

    init(header: String, alignRight: Bool = false, formats: Set<OutputFormat>? = nil, value: @escaping @Sendable (Item) -> String)
    {
      self.header = header
      self.alignRight = alignRight
      self.formats = formats
      cell = { .text(value($0)) }
    }

    init(
      header: String, label: String? = nil, alignRight: Bool = false, formats: Set<OutputFormat>? = nil,
      cell: @escaping @Sendable (Item) -> Cell
    ) {
      self.header = header
      self.label = label
      self.alignRight = alignRight
      self.formats = formats
      self.cell = cell
    }
  }

  var items: [Item]
  var columns: [Column]
  /// The workbook's sheet name and title.
  var title = "beccaria"

  func columns(for format: OutputFormat) -> [Column] {
    columns.filter { $0.formats?.contains(format) ?? true }
  }

  func render(_ format: OutputFormat) throws -> String {
    let shown = columns(for: format)
    switch format {
    case .json: return try JSONOutput.encode(items)
    case .csv:
      return try CSVOutput.render(header: shown.map(\.header), rows: items.map { item in shown.map { $0.cell(item).machine } })
    case .table:
      return TextTable.render(
        header: shown.map(\.shown), rows: items.map { item in shown.map { $0.cell(item).human } },
        alignRight: shown.map(\.alignRight))
    case .xlsx:
      throw CommandFailure(tr("a workbook is written to a file: give --output FILE.xlsx"))
    }
  }

  /// The listing as a workbook of one sheet.
  func workbook() throws -> Data {
    let shown = columns(for: .xlsx)
    let book = try Workbook(title: title, author: "beccaria", dayFormat: Reader.spreadsheetDayFormat)
    try book.addSheet(
      name: title, header: shown.map(\.shown), rows: items.map { item in shown.map { $0.cell(item).sheet } })
    return try book.data()
  }

  func print(_ format: OutputFormat) throws {
    Swift.print(try render(format), terminator: "")
  }

  /// Prints the listing, or writes it to `--output` (a workbook for xlsx).
  func print(_ option: FormatOption) throws {
    if option.format == .xlsx, let output = option.output {
      try option.emit(try workbook(), rows: items.count, to: output)
    } else {
      try option.emit(try render(option.format), rows: items.count)
    }
  }
}

enum JSONOutput {
  /// Pretty, key-sorted JSON with snake_case keys and ISO 8601 times; ends with a newline.
  /// Control characters in strings are `\uXXXX` escapes (JSON escapes C0 itself; DEL, C1 and
  /// bidirectional controls too, see `InertText`).
  static func encode(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.dateEncodingStrategy = .iso8601
    return InertText.escapeJSON(String(decoding: try encoder.encode(value), as: UTF8.self)) + "\n"
  }
}

enum CSVOutput {
  /// RFC 4180 CSV (comma, CRLF, quoted as needed) with spreadsheet formula injection neutralised:
  /// a field starting with `=`, `+`, `-`, `@`, tab or CR gets a leading apostrophe, unless it is a
  /// plain number; control characters inside a field are shown escaped (`InertText`).
  static func render(header: [String], rows: [[String]]) throws -> String {
    let stream = OutputStream(toMemory: ())
    let writer = try CSVWriter(stream: stream, codecType: UTF8.self, delimiter: ",", newline: .crlf)
    try writer.write(row: header)
    for row in rows {
      try writer.write(row: row.map(neutralise))
    }
    writer.stream.close()
    guard let data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else { return "" }
    return String(decoding: data, as: UTF8.self) + "\r\n"
  }

  static func neutralise(_ field: String) -> String {
    guard let first = field.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else {
      return InertText.escape(field)
    }
    if Double(field) != nil { return field }
    return "'" + InertText.escape(field)
  }
}

enum TextTable {
  /// Columns padded to their widest cell (counted in characters), a rule under the header.
  static func render(header: [String], rows: [[String]], alignRight: [Bool]) -> String {
    guard !rows.isEmpty else { return tr("(none)") + "\n" }
    var widths = header.map { flat($0).count }
    for row in rows {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], flat(cell).count) }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, cell in
        let text = flat(cell)
        let padding = String(repeating: " ", count: widths[index] - text.count)
        return alignRight[index] ? padding + text : text + padding
      }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    var out = line(header) + "\n"
    out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
    for row in rows { out += line(row) + "\n" }
    return out
  }

  /// A cell on one line, its control characters shown escaped (`InertText`).
  private static func flat(_ cell: String) -> String {
    InertText.escape(cell)
  }
}
