import ArgumentParser
import BeccariaCore
import CSV
import Foundation

/// How a listing is printed: a table for people, JSON or CSV for scripts and spreadsheets.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, csv
}

/// The `--format` option of every listing.
struct FormatOption: ParsableArguments {
  @Option(name: .long, help: "Output format: table, json or csv.")
  var format: OutputFormat = .table
}

/// A listing of items: columns for table and CSV, the items themselves for JSON.
struct Listing<Item: Encodable> {
  struct Column: Sendable {
    var header: String
    var alignRight = false
    var value: @Sendable (Item) -> String
  }

  var items: [Item]
  var columns: [Column]

  func render(_ format: OutputFormat) throws -> String {
    switch format {
    case .json: return try JSONOutput.encode(items)
    case .csv:
      return try CSVOutput.render(header: columns.map(\.header), rows: items.map { item in columns.map { $0.value(item) } })
    case .table:
      return TextTable.render(
        header: columns.map(\.header), rows: items.map { item in columns.map { $0.value(item) } },
        alignRight: columns.map(\.alignRight))
    }
  }

  func print(_ format: OutputFormat) throws {
    Swift.print(try render(format), terminator: "")
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
    guard !rows.isEmpty else { return "(none)\n" }
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
