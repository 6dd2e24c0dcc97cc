import CSV
import Foundation
import Postgres

/// Streams a large CSV file into `COPY ... (FORMAT csv)` without holding it in memory.
///
/// PostgreSQL's own CSV parser reads the values; this framer only follows the quoting as that
/// parser does (every `"` toggles quoting, `""` included) to find where records start and how many
/// fields they have. It strips a BOM, skips the header and blank lines, reports records with the
/// wrong number of fields by line, and puts each record's line number in front of it as an extra
/// first field, so that validation in SQL can name the line.
final class CSVFramer {
  let file: String
  private var headerFields = 0
  private(set) var delimiter: UInt8 = 44
  private(set) var problems: [String] = []
  private(set) var records = 0
  /// Where forwarded records start, kept only where the distance between record number and line
  /// changes (after a blank line or a quoted line break), so that memory stays flat whatever the
  /// file's size: (COPY's record number, the line it starts on).
  private var lineShifts: [(record: Int, line: Int)] = []

  private var line = 1
  private var recordLine = 1
  private var quoted = false
  private var fields = 1
  private var record: [UInt8] = []
  private var fieldLength = 0
  private var recordProblem: String?
  private var skipLineFeed = false
  private var headerDone = false
  private var first = true
  private let maxProblems = 500

  init(file: String) { self.file = file }

  /// The line on which COPY's record `record` (1-based) starts.
  func line(ofRecord record: Int) -> Int {
    var low = 0
    var high = lineShifts.count
    while low < high {  // the last shift at or before `record`
      let middle = (low + high) / 2
      if lineShifts[middle].record <= record { low = middle + 1 } else { high = middle }
    }
    guard low > 0 else { return record }
    let shift = lineShifts[low - 1]
    return shift.line + (record - shift.record)
  }

  /// Reads the header row (and detects the delimiter) from the start of the file.
  static func header(of path: String) throws -> (columns: [String], delimiter: UInt8) {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw ImportProblems(["\(path): cannot be read"])
    }
    defer { try? handle.close() }
    var bytes = [UInt8](try handle.read(upToCount: 256 * 1024) ?? Data())
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    guard let end = bytes.firstIndex(where: { $0 == 10 || $0 == 13 }) ?? (bytes.isEmpty ? nil : bytes.endIndex) else {
      throw ImportProblems(["\(path): is empty; expected a header row"])
    }
    let delimiter = CSVInput.detectDelimiter(bytes)
    let text = String(decoding: bytes[..<end], as: UTF8.self)
    let reader = try CSVReader(string: text, hasHeaderRow: false, delimiter: delimiter)
    let columns = (reader.next() ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    return (columns, UInt8(delimiter.value))
  }

  /// Streams the file in 1 MiB chunks to `writer`, skipping the header. Throws `ImportProblems`
  /// (which aborts the COPY) when records have the wrong number of fields or a quote is never
  /// closed.
  func stream(_ handle: FileHandle, to writer: CopyWriter) throws {
    while true {
      let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
      if chunk.isEmpty { break }
      try consume([UInt8](chunk)) { try writer.write($0) }
    }
    try finish { try writer.write($0) }
    if !problems.isEmpty { throw ImportProblems(problems) }
  }

  private func consume(_ chunk: [UInt8], emit: ([UInt8]) throws -> Void) throws {
    var bytes = chunk[...]
    if first {
      first = false
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
      delimiter = UInt8(CSVInput.detectDelimiter(Array(bytes.prefix(64 * 1024))).value)
    }
    for byte in bytes {
      if skipLineFeed {
        skipLineFeed = false
        if byte == 10 { continue }
      }
      fieldLength += 1
      if byte == 0 && recordProblem == nil { recordProblem = "contains a NUL byte; is this a text file?" }
      if fieldLength > CSVInput.maximumFieldLength && recordProblem == nil {
        recordProblem = "has a field longer than \(CSVInput.maximumFieldLength) bytes"
      }
      if byte == 34 {
        quoted.toggle()
        record.append(byte)
      } else if quoted {
        if byte == 10 { line += 1 }
        record.append(byte)
      } else if byte == delimiter {
        fields += 1
        fieldLength = 0
        record.append(byte)
      } else if byte == 10 || byte == 13 {
        skipLineFeed = byte == 13
        try endRecord(emit: emit)
        line += 1
        recordLine = line
      } else {
        record.append(byte)
      }
    }
  }

  private func finish(emit: ([UInt8]) throws -> Void) throws {
    if quoted {
      problems.append("\(file):\(recordLine): a quoted field opened in this record is never closed (missing \")")
      return
    }
    try endRecord(emit: emit)
  }

  private func endRecord(emit: ([UInt8]) throws -> Void) throws {
    defer {
      record.removeAll(keepingCapacity: true)
      fields = 1
      fieldLength = 0
      recordProblem = nil
    }
    if record.allSatisfy({ $0 == 32 || $0 == 9 }) { return }  // blank line
    if !headerDone {
      headerDone = true
      headerFields = fields
      return
    }
    if let recordProblem {
      if problems.count < maxProblems { problems.append("\(file):\(recordLine): \(recordProblem)") }
      return
    }
    if fields != headerFields {
      if problems.count < maxProblems {
        problems.append(
          "\(file):\(recordLine): has \(fields) field\(fields == 1 ? "" : "s"), but the header has \(headerFields) columns")
      }
      return
    }
    guard problems.isEmpty else { return }
    records += 1
    if lineShifts.last.map({ $0.line - $0.record != recordLine - records }) ?? true {
      lineShifts.append((records, recordLine))
    }
    var framed = Array("\(recordLine)".utf8)
    framed.append(delimiter)
    framed.append(contentsOf: record)
    framed.append(10)
    try emit(framed)
  }
}
