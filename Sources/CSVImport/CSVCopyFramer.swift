import BeccariaCore
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
  /// The header row's named fields, as written (`CSVHeader.check` normalises them); empty
  /// unnamed columns at its end are dropped (`CSVHeader.namedWidth`).
  public let header: [String]
  /// Indexes of columns forwarded exactly as read; every other field is forwarded on one line
  /// (`CSVHeader.oneLine`), as every value the imports take is one line.
  public var multilineColumns: Set<Int> = []
  /// The line the header is on (blank lines before it are skipped).
  public let headerLine: Int
  public let delimiter: UInt8
  public private(set) var problems: [InputProblem] = []
  /// Records forwarded to COPY.
  public private(set) var records = 0
  /// Where forwarded records start, kept only where the distance between record number and line
  /// changes (after a blank line or a quoted line break), so that memory stays flat whatever the
  /// file's size: (COPY's record number, the line it starts on).
  private var lineShifts: [(record: Int, line: Int)] = []
  private let maximumProblems = 500
  private let handle: FileHandle
  private var tokenizer: CSVTokenizer
  /// Records read with the header, before COPY began.
  private var early: [CSVRecord] = []

  /// Opens `path` and reads it up to its header; the same read goes on in `stream`, so a pipe
  /// (`/dev/stdin`) is read once, from its start. Throws `InputProblems` when the path is a
  /// folder, cannot be read, or has no header row.
  public init(path: String) throws {
    file = path
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw InputProblems(file: path, reason: tr("is a folder, not a CSV file"))
    }
    guard let handle = FileHandle(forReadingAtPath: path) else { throw InputProblems(file: path, reason: tr("cannot be read")) }
    self.handle = handle
    var first = [UInt8](try handle.read(upToCount: 256 * 1024) ?? Data())
    let content = first.starts(with: [0xEF, 0xBB, 0xBF]) ? first.dropFirst(3) : first[...]
    delimiter = CSVHeader.delimiter(of: content)
    var tokenizer = CSVTokenizer(delimiter: delimiter, maximumProblems: maximumProblems)
    var found: [CSVRecord] = []
    while true {
      tokenizer.feed(first) { found.append($0) }
      if !found.isEmpty || first.isEmpty { break }
      first = [UInt8](try handle.read(upToCount: 1 << 20) ?? Data())
    }
    if found.isEmpty { tokenizer.finish { found.append($0) } }
    if let problem = tokenizer.problems.first, found.first.map({ problem.line ?? 0 <= $0.line }) ?? true {
      try? handle.close()
      throw InputProblems(file: path, [problem])
    }
    guard let headerRecord = found.first else {
      try? handle.close()
      throw InputProblems(file: path, reason: tr("is empty; expected a header row"))
    }
    header = Array(headerRecord.fields.prefix(CSVHeader.namedWidth(headerRecord.fields)))
    headerLine = headerRecord.line
    early = Array(found.dropFirst())
    self.tokenizer = tokenizer
  }

  deinit { try? handle.close() }

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

  /// Streams the rest of the file in 1 MiB chunks to `emit` (each call one framed record,
  /// ending in a line feed). Throws `InputProblems`, which aborts the COPY, when a record is
  /// malformed.
  public func stream(to emit: ([UInt8]) throws -> Void) throws {
    try forEachRecord { record in try forward(record, emit) }
  }

  /// Reads the rest of the file in 1 MiB chunks and hands `body` each record that has the
  /// header's number of fields (empty fields past the named columns dropped), in file order, until the first malformed one (the rest is still
  /// read for its problems). Throws `InputProblems` with the problems of the file's shape.
  public func forEachRecord(_ body: (CSVRecord) throws -> Void) throws {
    try withoutActuallyEscaping(body) { body in
      let check = { [self] (read: CSVRecord) throws in
        guard let fields = CSVHeader.fitted(read.fields, width: header.count) else {
          if problems.count < maximumProblems {
            problems.append(
              InputProblem(
                line: read.line, reason: tr("has a value after the last named column (%@ columns in the header)", header.count)))
          }
          return
        }
        let record = fields.count == read.fields.count ? read : CSVRecord(line: read.line, fields: fields)
        guard record.fields.count == header.count else {
          if problems.count < maximumProblems {
            problems.append(
              InputProblem(
                line: record.line,
                reason:
                  tr("has %@, but the header has %@ columns", Plural.count(record.fields.count, "field"), header.count)
              ))
          }
          return
        }
        guard problems.isEmpty else { return }
        try body(record)
      }
      for record in early { try check(record) }
      early = []
      while true {
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty { break }
        try tokenizer.feed(chunk, check)
      }
      try tokenizer.finish(check)
    }
    let all = (tokenizer.problems + problems).sorted { ($0.line ?? 0) < ($1.line ?? 0) }
    if !all.isEmpty { throw InputProblems(file: file, Array(all.prefix(maximumProblems))) }
  }

  private func forward(_ record: CSVRecord, _ emit: ([UInt8]) throws -> Void) throws {
    records += 1
    if lineShifts.last.map({ $0.line - $0.record != record.line - records }) ?? true {
      lineShifts.append((records, record.line))
    }
    var framed = Array(String(record.line).utf8)
    for (index, read) in record.fields.enumerated() {
      let field = multilineColumns.contains(index) ? read : CSVHeader.oneLine(read)
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
