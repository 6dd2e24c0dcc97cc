import BeccariaCore
import CSV
import Foundation

/// A CSV file as every import reads it: UTF-8 with or without BOM, `,` `;` or tab detected from
/// the header row, quoted fields with embedded delimiters and newlines (parsed by CSV.swift),
/// and the line each record starts on, so that every problem can be reported as
/// `FILE:LINE: column "x": reason`.
struct CSVInput {
  struct Record {
    /// The line the record starts on (1-based; the header is line 1).
    var line: Int
    var values: [String: String]

    /// The trimmed value of `column`; nil when the column is absent or the cell is empty.
    func value(_ column: String) -> String? {
      guard let value = values[column]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
      return value
    }
  }

  var file: String
  var columns: [String]
  var delimiter: Unicode.Scalar
  var records: [Record]

  /// Reads and checks the file's shape. `required` columns must be present; `optional` may be;
  /// `aliases` map other header spellings onto known columns. Every shape problem is collected.
  static func read(
    path: String, required: [String], optional: [String] = [], aliases: [String: String] = [:]
  ) throws -> CSVInput {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ImportProblems(["\(path): cannot be read: \(error.localizedDescription)"])
    }
    return try parse(data, file: path, required: required, optional: optional, aliases: aliases)
  }

  static func parse(
    _ data: Data, file: String, required: [String], optional: [String] = [], aliases: [String: String] = [:]
  ) throws -> CSVInput {
    var bytes = [UInt8](data)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    if bytes.isEmpty { throw ImportProblems(["\(file): is empty; expected a header row (\(required.joined(separator: ",")))"]) }
    if let problem = encodingProblem(bytes) { throw ImportProblems(["\(file):\(problem)"]) }
    let text = String(decoding: bytes, as: UTF8.self)
    let delimiter = detectDelimiter(bytes)
    let starts: [Int]
    switch recordStartLines(bytes, delimiter: UInt8(delimiter.value)) {
    case .success(let lines): starts = lines
    case .failure(let problem): throw ImportProblems(["\(file):\(problem.line): \(problem.message)"])
    }
    let reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false, delimiter: delimiter)
    var rows: [[String]] = []
    while let row = reader.next() { rows.append(row) }
    if let error = reader.error { throw ImportProblems(["\(file): cannot be read as CSV: \(error)"]) }
    guard rows.count == starts.count, let headerRow = rows.first else {
      throw ImportProblems([
        "\(file): the CSV structure could not be read consistently (\(rows.count) records, \(starts.count) record starts)"
      ])
    }

    var problems: [String] = []
    let header = headerRow.map { name -> String in
      let normalised = name.trimmingCharacters(in: .whitespaces).lowercased()
      return aliases[normalised] ?? normalised
    }
    let known = Set(required + optional)
    var seen: Set<String> = []
    for name in header {
      if name.isEmpty {
        problems.append("\(file):1: the header has an empty column name")
      } else if !known.contains(name) {
        problems.append(
          "\(file):1: column \"\(name)\": is not a known column (known: \((required + optional).joined(separator: ", ")))")
      } else if !seen.insert(name).inserted {
        problems.append("\(file):1: column \"\(name)\": appears twice in the header")
      }
    }
    for name in required where !seen.contains(name) {
      let hint =
        headerRow.count == 1 && headerRow[0].contains(delimiter == "," ? ";" : ",")
        ? " (the header is one column: is the delimiter mixed?)" : ""
      problems.append("\(file):1: column \"\(name)\": is missing from the header\(hint)")
    }
    if !problems.isEmpty { throw ImportProblems(problems) }

    var records: [Record] = []
    for (row, line) in zip(rows.dropFirst(), starts.dropFirst()) {
      if row.count == 1 && row[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }  // blank line
      guard row.count == header.count else {
        problems.append(
          "\(file):\(line): has \(row.count) field\(row.count == 1 ? "" : "s"), but the header has \(header.count) columns"
            + (row.count < header.count ? " (is the delimiter \"\(delimiter)\" used throughout?)" : ""))
        continue
      }
      var fine = true
      for (name, value) in zip(header, row) {
        if let problem = Self.fieldProblem(value) {
          problems.append("\(file):\(line): column \"\(name)\": \(problem)")
          fine = false
        }
      }
      if fine {
        records.append(Record(line: line, values: Dictionary(zip(header, row), uniquingKeysWith: { first, _ in first })))
      }
    }
    if !problems.isEmpty { throw ImportProblems(problems) }
    return CSVInput(file: file, columns: header, delimiter: delimiter, records: records)
  }

  /// The delimiter of the header row: the most frequent of `;`, `,` and tab outside quotes.
  static func detectDelimiter(_ bytes: [UInt8]) -> Unicode.Scalar {
    var counts: [UInt8: Int] = [59: 0, 44: 0, 9: 0]
    var quoted = false
    for byte in bytes {
      if byte == 34 { quoted.toggle() }
      if !quoted && (byte == 10 || byte == 13) { break }
      if !quoted, counts[byte] != nil { counts[byte, default: 0] += 1 }
    }
    let best = counts.max { lhs, rhs in lhs.value < rhs.value || (lhs.value == rhs.value && lhs.key > rhs.key) }
    guard let best, best.value > 0 else { return "," }
    return Unicode.Scalar(best.key)
  }

  /// A line-level problem found before parsing.
  struct LineProblem: Error {
    var line: Int
    var message: String
  }

  /// The line on which each record starts, following the same quoting rules as the parser
  /// (a quote opens a quoted field only at the start of a field; `""` inside is a quote).
  /// An unterminated quoted field is reported at the line where it opened.
  static func recordStartLines(_ bytes: [UInt8], delimiter: UInt8) -> Result<[Int], LineProblem> {
    let quote: UInt8 = 34
    let lf: UInt8 = 10
    let cr: UInt8 = 13
    var starts: [Int] = []
    var line = 1
    var index = 0
    let count = bytes.count
    /// Consumes a newline at `index` (LF, CRLF or a lone CR).
    func consumeNewline() {
      if bytes[index] == cr, index + 1 < count, bytes[index + 1] == lf { index += 1 }
      index += 1
      line += 1
    }
    while index < count {
      starts.append(line)
      recordLoop: while true {
        // One field.
        if index < count, bytes[index] == quote {
          let opened = line
          index += 1
          while true {
            guard index < count else {
              return .failure(
                LineProblem(line: opened, message: "a quoted field opened on this line is never closed (missing \")"))
            }
            let byte = bytes[index]
            if byte == quote {
              guard index + 1 < count else {
                index += 1
                break recordLoop
              }
              let next = bytes[index + 1]
              if next == lf || next == cr {
                index += 1
                consumeNewline()
                break recordLoop
              }
              if next == delimiter {
                index += 2
                continue recordLoop
              }
              index += 2  // an escaped quote, or a stray one that the parser keeps
              if next == lf { line += 1 }
            } else if byte == lf || byte == cr {
              consumeNewline()
            } else {
              index += 1
            }
          }
        } else {
          while index < count {
            let byte = bytes[index]
            if byte == delimiter {
              index += 1
              continue recordLoop
            }
            if byte == lf || byte == cr {
              consumeNewline()
              break recordLoop
            }
            index += 1
          }
          break recordLoop
        }
      }
    }
    return .success(starts)
  }

  /// The longest field accepted (names, organisations and dates are far shorter).
  static let maximumFieldLength = 1_000

  /// Why a field is refused whatever its column: far too long, or it starts like a spreadsheet
  /// formula (`=`, `+`, `@`, `-` before a non-digit, tab, CR), which would run when the data is
  /// opened in a spreadsheet again.
  static func fieldProblem(_ value: String) -> String? {
    if value.utf8.count > maximumFieldLength {
      return "is \(value.utf8.count) bytes long; at most \(maximumFieldLength) are accepted"
    }
    guard let first = value.unicodeScalars.first else { return nil }
    let second = value.unicodeScalars.dropFirst().first
    let formula =
      first == "=" || first == "+" || first == "@" || first == "\t" || first == "\r"
      || (first == "-" && !(second.map { CharacterSet.decimalDigits.contains($0) || $0 == " " } ?? true))
    if formula {
      return
        "starts with \"\(String(first).replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\r", with: "\\r"))\" "
        + "like a spreadsheet formula (\(String(value.prefix(30)))…); such values are refused"
    }
    return nil
  }

  /// `:LINE: reason` for the first NUL byte or invalid UTF-8 sequence, or nil.
  static func encodingProblem(_ bytes: [UInt8]) -> String? {
    // The fast path: valid UTF-8 without NUL bytes, the normal case, needs no line scan.
    if !bytes.contains(0), String(bytes: bytes, encoding: .utf8) != nil { return nil }
    var line = 1
    var lineStart = 0
    for (index, byte) in bytes.enumerated() {
      if byte == 0 { return "\(line): contains a NUL byte; is this a text file?" }
      if byte == 10 {
        if String(validatingUTF8: bytes[lineStart..<index]) == nil {
          return "\(line): is not valid UTF-8 (save the file as \"CSV UTF-8\"; Latin-1 umlauts are not accepted)"
        }
        line += 1
        lineStart = index + 1
      }
    }
    if String(validatingUTF8: bytes[lineStart...]) == nil {
      return "\(line): is not valid UTF-8 (save the file as \"CSV UTF-8\"; Latin-1 umlauts are not accepted)"
    }
    return nil
  }
}

extension String {
  /// Decodes `bytes` as UTF-8, or nil when they are not valid UTF-8.
  init?(validatingUTF8 bytes: ArraySlice<UInt8>) {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var scalars = String.UnicodeScalarView()
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar): scalars.append(scalar)
      case .emptyInput:
        self = String(scalars)
        return
      case .error: return nil
      }
    }
  }
}

/// Problems with an input file, one line each (`FILE:LINE: column "x": reason`). Nothing was
/// written.
struct ImportProblems: Error, CustomStringConvertible {
  var lines: [String]
  init(_ lines: [String]) { self.lines = lines }
  var description: String {
    // Each problem quotes the file, which may hold anything: its line breaks and control
    // characters are shown escaped, so that no quoted field reads as a line of its own.
    let shown = lines.prefix(200).map { InertText.escape($0) }
    var text = shown.joined(separator: "\n")
    if lines.count > shown.count { text += "\n… and \(lines.count - shown.count) more problems" }
    return text + "\nNothing was imported (\(lines.count) problem\(lines.count == 1 ? "" : "s"))."
  }
}
