import BeccariaCore
import CSVImport
import Foundation
import Postgres
import PropertyBased
import TestSupport
import Testing

/// Any table written as CSV (either delimiter, optional BOM, LF or CRLF, quoted as needed, with
/// delimiters, quotes, newlines and non-Latin letters inside fields) reads back exactly.
@Suite struct CSVPropertyTests {
  static let alphabet: [Character] = Array("aZ09 ;,\"\n\r'äöüßŁłŃńŠšĚěŘřĆćŽžğİışŞệạđĐ") + ["\u{0645}", "\u{062D}"]

  static func encode(_ field: String, delimiter: Character) -> String {
    let needsQuotes =
      field.contains(delimiter) || field.contains("\"") || field.contains("\n") || field.contains("\r")
      || field.hasPrefix(" ") || field.hasSuffix(" ")
    return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
  }

  @Test func anyTableReadsBackExactly() async {
    let field = Gen<Character?>.element(of: Self.alphabet).map { $0 ?? "a" }.string(of: 0...12)
    await propertyCheck(
      count: 300, input: field.array(of: 0...30), Gen.int(in: 2...4), Gen.int(in: 0...7)
    ) { cells, width, flags in
      let delimiter: Character = flags & 1 == 0 ? ";" : ","
      let newline = flags & 2 == 0 ? "\n" : "\r\n"
      let header = (1...width).map { "c\($0)" }
      // Values never start like a formula (imports refuse those: the rule of
      // Validation.spreadsheetFormula) and rows are never all empty.
      let values = cells.map { Validation.spreadsheetFormula($0) == nil ? $0 : "x" + $0 }
      let (text, rows) = Self.table(values, width: width, delimiter: delimiter, newline: newline)
      var data = Data(text.utf8)
      if flags & 4 != 0 { data.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0) }
      do {
        let input = try CSVFile.parse(data, file: "p.csv", required: header)
        #expect(input.records.count == rows.count)
        for (record, row) in zip(input.records, rows) {
          #expect(header.map { record.values[$0] ?? "<missing>" } == row)
        }
      } catch {
        Issue.record("\(error) for \(text.debugDescription)")
      }
    }
  }

  /// A table as the property tests write it: `rows` of `width` cells, quoted as needed.
  static func table(_ cells: [String], width: Int, delimiter: Character, newline: String) -> (text: String, rows: [[String]]) {
    var rows: [[String]] = []
    for start in stride(from: 0, to: cells.count, by: width) {
      var row = Array(cells[start..<min(start + width, cells.count)])
      while row.count < width { row.append("") }
      row[0] = "r" + row[0]
      rows.append(row)
    }
    var text = (1...width).map { "c\($0)" }.joined(separator: String(delimiter)) + newline
    for row in rows { text += row.map { encode($0, delimiter: delimiter) }.joined(separator: String(delimiter)) + newline }
    return (text, rows)
  }

  @Test func chunkBoundariesChangeNothing() async {
    let field = Gen<Character?>.element(of: Self.alphabet).map { $0 ?? "a" }.string(of: 0...12)
    await propertyCheck(count: 200, input: field.array(of: 0...30), Gen.int(in: 1...64), Gen.int(in: 0...3)) {
      cells, chunk, flags in
      let (text, _) = Self.table(cells, width: 3, delimiter: flags & 1 == 0 ? ";" : ",", newline: flags & 2 == 0 ? "\n" : "\r\n")
      let bytes = Array(text.utf8)
      let delimiter = CSVHeader.delimiter(of: bytes)
      func read(_ pieces: [ArraySlice<UInt8>]) -> [CSVRecord] {
        var tokenizer = CSVTokenizer(delimiter: delimiter)
        var records: [CSVRecord] = []
        for piece in pieces { tokenizer.feed(piece) { records.append($0) } }
        tokenizer.finish { records.append($0) }
        return records
      }
      let whole = read([bytes[...]])
      let pieces = stride(from: 0, to: bytes.count, by: chunk).map { bytes[$0..<min($0 + chunk, bytes.count)] }
      #expect(read(pieces) == whole, "\(text.debugDescription) in chunks of \(chunk)")
    }
  }

  /// The framer's output is read by PostgreSQL's own CSV parser (COPY) to exactly the values and
  /// lines the tokenizer read: a field means the same in every import.
  @Test func copyReadsWhatTheTokenizerRead() async throws {
    let database = try TestDatabase.empty()
    defer { database.drop() }
    let db = try database.connect()
    let field = Gen<Character?>.element(of: Self.alphabet + ["\\", "N", "."]).map { $0 ?? "a" }.string(of: 0...10)
    await propertyCheck(count: 60, input: field.array(of: 1...24), Gen.int(in: 0...3)) { cells, flags in
      let (text, rows) = Self.table(
        cells, width: 3, delimiter: flags & 1 == 0 ? ";" : ",", newline: flags & 2 == 0 ? "\n" : "\r\n")
      let path = FileManager.default.temporaryDirectory.appending(path: "copy-\(UUID().uuidString).csv").path
      FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
      defer { try? FileManager.default.removeItem(atPath: path) }
      do {
        let framer = try CSVCopyFramer(path: path)
        // Kept as read: the imports flatten one-line columns on purpose (ExcelInputTests).
        framer.multilineColumns = [0, 1, 2]
        let delimiter = framer.delimiter
        try db.execute("CREATE TEMP TABLE copied (line integer, c1 text, c2 text, c3 text)")
        defer { _ = try? db.execute("DROP TABLE copied") }
        try db.copyIn("COPY copied FROM STDIN (FORMAT csv)") { writer in
          try framer.stream { try writer.write($0) }
        }
        let copied = try db.query("SELECT line, c1, c2, c3 FROM copied ORDER BY line").map { row in
          [
            try row.decode("c1", as: String?.self) ?? "", try row.decode("c2", as: String?.self) ?? "",
            try row.decode("c3", as: String?.self) ?? "",
          ]
        }
        #expect(copied == rows, "\(text.debugDescription)")
        // Each record's line is where it starts in the file (quoted line breaks counted).
        var tokenizer = CSVTokenizer(delimiter: delimiter)
        var lines: [Int] = []
        tokenizer.feed(Array(text.utf8)) { lines.append($0.line) }
        tokenizer.finish { lines.append($0.line) }
        let copiedLines = try db.query("SELECT line FROM copied ORDER BY line").map { try $0.decode("line", as: Int.self) }
        #expect(copiedLines == Array(lines.dropFirst()))
      } catch {
        Issue.record("\(error) for \(text.debugDescription)")
      }
    }
  }

  /// A pipe is read once, from its start: the header and every row after it, with their lines
  /// (the header used to be read by a second open, which a pipe does not allow).
  @Test func aPipeIsReadOnceFromItsStart() throws {
    let rows = (1...3).map { "\($0),p\($0),present" }
    let text =
      "session,participant,status\n" + rows[0] + "\n" + String(repeating: "\n", count: 300_000)
      + rows[1...].joined(separator: "\n") + "\n"
    let pipe = Pipe()
    let writer = Thread {
      pipe.fileHandleForWriting.write(Data(text.utf8))
      try? pipe.fileHandleForWriting.close()
    }
    writer.start()
    let framer = try CSVCopyFramer(path: "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)")
    #expect(framer.header == ["session", "participant", "status"])
    var framed: [String] = []
    try framer.stream { framed.append(String(decoding: $0, as: UTF8.self)) }
    #expect(framed == ["2,\"1\",\"p1\",\"present\"\n", "300003,\"2\",\"p2\",\"present\"\n", "300004,\"3\",\"p3\",\"present\"\n"])
    // A folder is named as what it is.
    let folder = #expect(throws: InputProblems.self) { try CSVCopyFramer(path: FileManager.default.temporaryDirectory.path) }
    #expect(folder?.description.contains("is a folder, not a CSV file") == true)
  }
}
