import Foundation

/// Streams a large CSV file into PostgreSQL's `COPY … (FORMAT csv)` without holding it in memory.
///
/// The records are read by `CSVTokenizer`, the same reader as every other import, and written
/// again in a form PostgreSQL's CSV parser reads back to exactly those values: the record's line
/// number first, then each field quoted (an empty field unquoted, which COPY reads as NULL), `,`
/// between them. So a field means the same in every import, whatever quoting the file used.
/// The header is skipped; records with the wrong number of fields are problems of their line.
public final class CSVCopyFramer {
  public let file: String
  public private(set) var problems: [InputProblem] = []
  /// Records forwarded to COPY.
  public private(set) var records = 0
  private var headerFields: Int?
  /// Where forwarded records start, kept only where the distance between record number and line
  /// changes (after a blank line or a quoted line break), so that memory stays flat whatever the
  /// file's size: (COPY's record number, the line it starts on).
  private var lineShifts: [(record: Int, line: Int)] = []
  private let maximumProblems = 500

  public init(file: String) { self.file = file }

  /// The line on which COPY's record `record` (1-based) starts.
  public func line(ofRecord record: Int) -> Int {
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

  /// The header row's fields and the file's delimiter, read from the start of the file.
  public static func header(of path: String) throws -> (fields: [String], delimiter: UInt8) {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw InputProblems(file: path, reason: "cannot be read") }
    defer { try? handle.close() }
    let start = [UInt8](try handle.read(upToCount: 256 * 1024) ?? Data())
    let delimiter = CSVHeader.delimiter(of: start.starts(with: [0xEF, 0xBB, 0xBF]) ? start.dropFirst(3) : start[...])
    var tokenizer = CSVTokenizer(delimiter: delimiter)
    var first: CSVRecord?
    tokenizer.feed(start) { if first == nil { first = $0 } }
    if first == nil { tokenizer.finish { first = $0 } }
    if let problem = tokenizer.problems.first, problem.line == 1 { throw InputProblems(file: path, [problem]) }
    guard let first, first.line == 1 else { throw InputProblems(file: path, reason: "is empty; expected a header row") }
    return (first.fields, delimiter)
  }

  /// Streams the file at `handle` in 1 MiB chunks to `emit` (each call one framed record, ending
  /// in a line feed). Throws `InputProblems`, which aborts the COPY, when a record is malformed.
  public func stream(_ handle: FileHandle, delimiter: UInt8, to emit: ([UInt8]) throws -> Void) throws {
    var tokenizer = CSVTokenizer(delimiter: delimiter, maximumProblems: maximumProblems)
    let forward = { [self] (record: CSVRecord) throws in try self.forward(record, emit) }
    while true {
      let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
      if chunk.isEmpty { break }
      try tokenizer.feed(chunk, forward)
    }
    try tokenizer.finish(forward)
    let all = (tokenizer.problems + problems).sorted { ($0.line ?? 0) < ($1.line ?? 0) }
    if !all.isEmpty { throw InputProblems(file: file, Array(all.prefix(maximumProblems))) }
  }

  private func forward(_ record: CSVRecord, _ emit: ([UInt8]) throws -> Void) throws {
    guard let headerFields else {
      headerFields = record.fields.count
      return
    }
    guard record.fields.count == headerFields else {
      if problems.count < maximumProblems {
        problems.append(
          InputProblem(
            line: record.line,
            reason:
              "has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), but the header has \(headerFields) columns"
          ))
      }
      return
    }
    guard problems.isEmpty else { return }
    records += 1
    if lineShifts.last.map({ $0.line - $0.record != record.line - records }) ?? true {
      lineShifts.append((records, record.line))
    }
    var framed = Array(String(record.line).utf8)
    for field in record.fields {
      framed.append(0x2C)
      guard !field.isEmpty else { continue }
      framed.append(0x22)
      for byte in field.utf8 {
        if byte == 0x22 { framed.append(0x22) }
        framed.append(byte)
      }
      framed.append(0x22)
    }
    framed.append(0x0A)
    try emit(framed)
  }
}
