import BeccariaCore
import Foundation

/// A CSV file read whole, as the participant and municipality imports read theirs: UTF-8 with or
/// without BOM, the delimiter of its header, records with the line each starts on (see
/// `CSVTokenizer` for the rules), and every problem of its shape at once (`InputProblems`).
public struct CSVFile: Sendable {
  /// One record by column name.
  public struct Record: Sendable {
    /// The line the record starts on (1-based; the header is line 1).
    public var line: Int
    public var values: [String: String]

    /// The trimmed value of `column` on one line (`CSVHeader.oneLine`: every value the imports
    /// take, notes too, is one line); nil when the column is absent or the cell is empty.
    public func value(_ column: String) -> String? {
      guard let raw = values[column] else { return nil }
      let value = CSVHeader.oneLine(raw).trimmedFast()
      return value.isEmpty ? nil : value
    }
  }

  public var file: String
  /// The header's columns, after aliases.
  public var columns: [String]
  /// The header as the file writes it, by column (`CSVHeader.Checked.written`).
  public var written: [String: String]
  public var delimiter: UInt8
  public var records: [Record]

  /// Reads and checks the file at `path` (see `parse`).
  public static func read(
    path: String, required: [String], optional: [String] = [], aliases: [String: String] = [:]
  ) throws -> CSVFile {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw InputProblems(file: path, reason: tr("cannot be read: %@", error.localizedDescription))
    }
    return try parse(data, file: path, required: required, optional: optional, aliases: aliases)
  }

  /// Checks the file's shape: `required` columns must be present, `optional` may be, `aliases`
  /// map other header spellings onto known columns; every record has the header's number of
  /// named fields (empty unnamed columns at the end are ignored), and no field is refused by
  /// `fieldProblem`. Problems name the columns as the header writes them. Throws `InputProblems` with every
  /// problem found.
  public static func parse(
    _ data: Data, file: String, required: [String], optional: [String] = [], aliases: [String: String] = [:]
  ) throws -> CSVFile {
    let content = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
    if content.allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 }) {
      throw InputProblems(file: file, reason: tr("is empty; expected a header row (%@)", required.joined(separator: ",")))
    }
    let delimiter = CSVHeader.delimiter(of: content.prefix(64 * 1024))
    var tokenizer = CSVTokenizer(delimiter: delimiter)
    var rows: [CSVRecord] = []
    tokenizer.feed(data) { rows.append($0) }
    tokenizer.finish { rows.append($0) }
    var problems = tokenizer.problems
    guard let headerRow = rows.first, problems.first.map({ ($0.line ?? 0) > headerRow.line }) ?? true else {
      throw InputProblems(file: file, problems.isEmpty ? [InputProblem(line: 1, reason: tr("has no header row"))] : problems)
    }
    let header = CSVHeader.check(
      headerRow.fields, required: required, optional: optional, aliases: aliases, delimiter: delimiter, line: headerRow.line)
    if !header.problems.isEmpty { throw InputProblems(file: file, header.problems + problems) }
    var records: [Record] = []
    for row in rows.dropFirst() {
      guard let fields = CSVHeader.fitted(row.fields, width: header.width) else {
        problems.append(
          InputProblem(
            line: row.line, reason: tr("has a value after the last named column (%@ columns in the header)", header.columns.count)
          ))
        continue
      }
      guard fields.count == header.columns.count else {
        problems.append(
          InputProblem(
            line: row.line,
            reason:
              tr("has %@, but the header has %@ columns", Plural.count(fields.count, "field"), header.columns.count)
              + (fields.count < header.columns.count
                ? " " + tr("(is the delimiter \"%@\" used throughout?)", Character(UnicodeScalar(delimiter))) : "")
          ))
        continue
      }
      var fine = true
      for (name, value) in zip(header.columns, fields) {
        if let problem = fieldProblem(value) {
          problems.append(InputProblem(line: row.line, column: name, reason: problem))
          fine = false
        }
      }
      if fine {
        records.append(
          Record(
            line: row.line, values: Dictionary(zip(header.columns, fields), uniquingKeysWith: { first, _ in first })))
      }
    }
    if !problems.isEmpty {
      var thrown = InputProblems(file: file, problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
      thrown.columnNames = header.written
      throw thrown
    }
    return CSVFile(file: file, columns: header.columns, written: header.written, delimiter: delimiter, records: records)
  }

  /// Runs `body`, naming the columns of its `InputProblems` as this file's header writes them.
  public func naming<T>(_ body: () throws -> T) throws -> T { try InputProblems.naming(written, body) }

  /// Why a value is refused whatever its column: `Validation.spreadsheetFormula`.
  public static func fieldProblem(_ value: String) -> String? { Validation.spreadsheetFormula(value) }

}
