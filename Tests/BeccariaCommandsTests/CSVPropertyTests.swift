import Foundation
import Signing
import Issuance
import PropertyBased
import Testing

@testable import BeccariaCommands

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
      // Values never start like a formula (imports refuse those) and rows are never all empty.
      let values = cells.map { value -> String in
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "x" + value
      }
      var rows: [[String]] = []
      for start in stride(from: 0, to: values.count, by: width) {
        var row = Array(values[start..<min(start + width, values.count)])
        while row.count < width { row.append("") }
        row[0] = "r" + row[0]
        rows.append(row)
      }
      var text = header.joined(separator: String(delimiter)) + newline
      for row in rows { text += row.map { Self.encode($0, delimiter: delimiter) }.joined(separator: String(delimiter)) + newline }
      var data = Data(text.utf8)
      if flags & 4 != 0 { data.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0) }
      do {
        let input = try CSVInput.parse(data, file: "p.csv", required: header)
        #expect(input.records.count == rows.count)
        for (record, row) in zip(input.records, rows) {
          #expect(header.map { record.values[$0] ?? "<missing>" } == row)
        }
      } catch {
        Issue.record("\(error) for \(text.debugDescription)")
      }
    }
  }
}
