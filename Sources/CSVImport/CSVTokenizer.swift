import BeccariaCore
import Foundation

/// One record of a CSV file: the line it starts on and its fields, unquoted.
public struct CSVRecord: Sendable, Equatable {
  /// 1-based; the header is line 1.
  public var line: Int
  public var fields: [String]

  public init(line: Int, fields: [String]) {
    self.line = line
    self.fields = fields
  }
}

/// The one CSV reader of every import, streaming: bytes go in, in chunks of any size, and records
/// come out with the line each starts on.
///
/// The rules are RFC 4180's with the habits of German spreadsheet exports that the imports
/// accept:
/// - The delimiter is given (`CSVHeader.delimiter(of:)` finds `;`, `,` or tab in the header);
///   records end at LF, CRLF or a lone CR. A UTF-8 byte order mark at the start is skipped.
/// - A field that begins with `"` is quoted: it runs to the next `"` that is not doubled (`""`
///   is one quote) and may hold delimiters and line breaks. After its closing quote comes the
///   delimiter or the record's end; anything else is a problem of that record ("a quote inside a
///   quoted field must be doubled"). A `"` inside an unquoted field is an ordinary character.
/// - Blank records (nothing but spaces, tabs and delimiters, as `;;;;` from a spreadsheet's empty
///   rows) are skipped.
/// - A record with a NUL byte, invalid UTF-8 or a field longer than `maximumFieldLength` bytes
///   is a problem, reported at its line; the reader goes on with the next record, so that every
///   problem of a file is found in one pass. A quoted field still open at the end of the input is
///   reported at the line where it opened.
///
/// Memory is bounded by the longest record, whatever the file's size.
public struct CSVTokenizer {
  /// The longest field accepted (names, organisations and dates are far shorter).
  public static let maximumFieldLength = 1_000
  /// The most fields a record may have (an import knows at most a dozen columns).
  public static let maximumFields = 1_000

  public let delimiter: UInt8
  /// Problems found so far, in line order (record problems; see the type's rules).
  public private(set) var problems: [InputProblem] = []

  private var line = 1
  private var recordLine = 1
  private var fields: [String] = []
  private var field: [UInt8] = []
  private var state = State.fieldStart
  private var quotedFrom = 1
  private var recordProblem: String?
  private var pendingCR = false
  private let maximumProblems: Int

  private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

  /// `delimiter` is one ASCII byte (`;`, `,` or tab). At most `maximumProblems` problems are kept.
  public init(delimiter: UInt8, maximumProblems: Int = 500) {
    self.delimiter = delimiter
    self.maximumProblems = maximumProblems
    field.reserveCapacity(256)
  }

  /// Reads `bytes`, calling `record` for every record completed in them.
  public mutating func feed(_ bytes: some Sequence<UInt8>, _ record: (CSVRecord) throws -> Void) rethrows {
    for byte in bytes {
      if bomMatched >= 0 {
        // The first bytes of the input, while they may still be a byte order mark.
        if byte == Self.byteOrderMark[bomMatched] {
          bomMatched += 1
          if bomMatched == Self.byteOrderMark.count { bomMatched = -1 }
          continue
        }
        let held = Self.byteOrderMark.prefix(bomMatched)
        bomMatched = -1
        for early in held { try take(early, record) }
      }
      try take(byte, record)
    }
  }

  private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
  /// Bytes of a byte order mark matched at the start so far; -1 once past it.
  private var bomMatched = 0

  /// The input's first bytes (up to four), to name a workbook given instead of CSV.
  private var start: [UInt8] = []
  /// A zip file's signature: what an .xlsx workbook (Office Open XML, ECMA-376 part 2) begins with.
  private static let zipSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

  private mutating func take(_ byte: UInt8, _ record: (CSVRecord) throws -> Void) rethrows {
    if start.count < 4 { start.append(byte) }
    if pendingCR {
      pendingCR = false
      if byte == 0x0A { return }
    }
    try consume(byte, record)
  }

  /// Ends the input: completes the last record (one without a final line break) and reports a
  /// quoted field still open.
  public mutating func finish(_ record: (CSVRecord) throws -> Void) rethrows {
    if bomMatched > 0 {
      let held = Self.byteOrderMark.prefix(bomMatched)
      bomMatched = -1
      for early in held { try take(early, record) }
    }
    switch state {
    case .quoted:
      report(line: quotedFrom, tr("a quoted field opened on this line is never closed (missing \")"))
      resetRecord()
    case .fieldStart where fields.isEmpty:
      resetRecord()
    default:
      try endRecord(record)
    }
  }

  private mutating func consume(_ byte: UInt8, _ record: (CSVRecord) throws -> Void) rethrows {
    if byte == 0 && recordProblem == nil {
      recordProblem =
        start == Self.zipSignature
        ? tr("is an Excel workbook (.xlsx), not CSV: save it in Excel as \"CSV UTF-8\" and import that file")
        : tr("contains a NUL byte; is this a text file?")
    }
    switch state {
    case .fieldStart:
      if byte == 0x22 {
        state = .quoted
        quotedFrom = line
        crInField = false
      } else if byte == delimiter {
        endField()
      } else if byte == 0x0A || byte == 0x0D {
        try newline(byte, record)
      } else {
        append(byte)
        state = .unquoted
      }
    case .unquoted:
      if byte == delimiter {
        endField()
        state = .fieldStart
      } else if byte == 0x0A || byte == 0x0D {
        try newline(byte, record)
      } else {
        append(byte)
      }
    case .quoted:
      if byte == 0x22 {
        crInField = false
        state = .quoteInQuoted
        return
      }
      // A line break inside the field is kept as written; CRLF counts as one line.
      if byte == 0x0D || (byte == 0x0A && !crInField) { line += 1 }
      crInField = byte == 0x0D
      append(byte)
    case .quoteInQuoted:
      if byte == 0x22 {
        append(0x22)
        state = .quoted
      } else if byte == delimiter {
        endField()
        state = .fieldStart
      } else if byte == 0x0A || byte == 0x0D {
        try newline(byte, record)
      } else {
        // `"x"y`: the field is read on as unquoted, and its record refused.
        if recordProblem == nil { recordProblem = tr("a quote inside a quoted field must be doubled (\"\")") }
        append(0x22)
        append(byte)
        state = .unquoted
      }
    }
  }

  /// The last byte of a quoted field was CR (an LF after it ends the same line).
  private var crInField = false

  private mutating func append(_ byte: UInt8) {
    if field.count < Self.maximumFieldLength {
      field.append(byte)
    } else if recordProblem == nil {
      recordProblem = tr("has a field longer than %@ bytes", Self.maximumFieldLength)
    }
  }

  private mutating func endField() {
    guard fields.count < Self.maximumFields else {
      // The record is refused; its further fields are not kept.
      if recordProblem == nil { recordProblem = tr("has more than %@ fields", Self.maximumFields) }
      field.removeAll(keepingCapacity: true)
      return
    }
    if let text = String(validating: field, as: UTF8.self) {
      fields.append(text)
    } else {
      if recordProblem == nil {
        recordProblem = tr("is not valid UTF-8 (save the file as \"CSV UTF-8\"; Latin-1 umlauts are not accepted)")
      }
      fields.append("")
    }
    field.removeAll(keepingCapacity: true)
  }

  private mutating func newline(_ byte: UInt8, _ record: (CSVRecord) throws -> Void) rethrows {
    pendingCR = byte == 0x0D
    // An empty line is skipped without building a record: a file of millions of them (a
    // spreadsheet's trailing rows) costs a count, not a record each.
    if fields.isEmpty && field.isEmpty && recordProblem == nil && state == .fieldStart {
      line += 1
      recordLine = line
      return
    }
    try endRecord(record)
    line += 1
    recordLine = line
  }

  private mutating func endRecord(_ record: (CSVRecord) throws -> Void) rethrows {
    endField()
    defer { resetRecord() }
    if let recordProblem {
      report(line: recordLine, recordProblem)
      return
    }
    if fields.allSatisfy({ $0.allSatisfy { $0 == " " || $0 == "\t" } }) { return }
    try record(CSVRecord(line: recordLine, fields: fields))
  }

  private mutating func resetRecord() {
    fields.removeAll(keepingCapacity: true)
    field.removeAll(keepingCapacity: true)
    recordProblem = nil
    state = .fieldStart
    quotedFrom = 0
  }

  private mutating func report(line: Int, _ reason: String) {
    if problems.count < maximumProblems { problems.append(InputProblem(line: line, reason: reason)) }
  }
}
