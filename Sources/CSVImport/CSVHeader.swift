import BeccariaCore
import Foundation

/// The header row of an import: its delimiter, and its column names checked against what the
/// import knows. One check for every import.
public enum CSVHeader {
  /// The delimiter of the first line: the most frequent of `;`, `,` and tab outside quotes
  /// (a tie goes to `;`, then `,`); `,` when there is none. A byte order mark is ignored.
  public static func delimiter(of bytes: some Sequence<UInt8>) -> UInt8 {
    var counts: [UInt8: Int] = [0x3B: 0, 0x2C: 0, 0x09: 0]
    var quoted = false
    // Blank lines before the header (a spreadsheet's empty first row) are not the header.
    for byte in bytes.drop(while: { $0 == 0x0A || $0 == 0x0D }) {
      if byte == 0x22 { quoted.toggle() }
      if !quoted && (byte == 0x0A || byte == 0x0D) { break }
      if !quoted, counts[byte] != nil { counts[byte, default: 0] += 1 }
    }
    let best = counts.max { lhs, rhs in lhs.value < rhs.value || (lhs.value == rhs.value && lhs.key > rhs.key) }
    guard let best, best.value > 0 else { return 0x2C }
    return best.key
  }

  /// How many of the header's columns have names: a spreadsheet saved as CSV often ends every
  /// row in empty, unnamed columns (`Nachname;Vorname;;`), which are not part of the data.
  public static func namedWidth(_ names: [String]) -> Int {
    (names.lastIndex { !$0.trimmedFast().isEmpty } ?? -1) + 1
  }

  /// The checked header: `columns` are the known names (after aliases) of the first `width`
  /// fields; `written` maps each to the header as the file writes it, so that problems name the
  /// file's own column ("Geburtsdatum", not birth_date).
  public struct Checked: Sendable {
    public var columns: [String]
    public var written: [String: String]
    public var problems: [InputProblem]
    public var width: Int { columns.count }
  }

  /// The header's names trimmed, lower-cased and mapped through `aliases` (other spellings of
  /// known columns, lower-case), with every problem at the header's `line`: an empty name
  /// between named ones, an unknown column, a column twice, a required column missing (with a
  /// hint when the header is one column that holds another delimiter). Empty names after the last named column are dropped (`namedWidth`).
  public static func check(
    _ names: [String], required: [String], optional: [String] = [], aliases: [String: String] = [:], delimiter: UInt8,
    line: Int = 1
  ) -> Checked {
    // A header cell with a line break in it (Alt+Enter) names one column on one line.
    let named = names.prefix(namedWidth(names)).map { oneLine($0) }
    let columns = named.map { name -> String in
      let normalised = name.trimmedFast().lowercased()
      return aliases[normalised] ?? normalised
    }
    let known = required + optional
    var problems: [InputProblem] = []
    var seen: Set<String> = []
    var written: [String: String] = [:]
    var firstWritten: [String: String] = [:]
    for (name, original) in zip(columns, named) {
      if name.isEmpty {
        problems.append(InputProblem(line: line, reason: tr("the header has an empty column name between named ones")))
      } else if !known.contains(name) {
        problems.append(
          InputProblem(
            line: line, column: original.trimmedFast(),
            reason: tr("is not a known column (known: %@)", known.joined(separator: ", ")))
        )
      } else if !seen.insert(name).inserted {
        let first = firstWritten[name] ?? name
        problems.append(
          InputProblem(
            line: line, column: original.trimmedFast(),
            reason: first.lowercased() == original.trimmedFast().lowercased()
              ? tr("appears twice in the header")
              : tr("means the same column as \"%@\" (%@); keep one of them", first, name)))
      } else {
        written[name] = original.trimmedFast()
        firstWritten[name] = original.trimmedFast()
      }
    }
    let other: Character = delimiter == 0x2C ? ";" : ","
    let hint = named.count == 1 && named[0].contains(other) ? " " + tr("(the header is one column: is the delimiter mixed?)") : ""
    for name in required where !seen.contains(name) {
      problems.append(InputProblem(line: line, column: name, reason: tr("is missing from the header%@", hint)))
    }
    return Checked(columns: columns, written: written, problems: problems)
  }

  /// `fields` cut to the header's `width` when everything past it is blank (the empty columns a
  /// spreadsheet adds); nil when a field past the named columns holds a value.
  public static func fitted(_ fields: [String], width: Int) -> [String]? {
    guard fields.count > width else { return fields }
    guard fields[width...].allSatisfy({ $0.trimmedFast().isEmpty }) else { return nil }
    return Array(fields.prefix(width))
  }

  /// `value` on one line: a line break inside a quoted cell (Alt+Enter in a spreadsheet) in a
  /// field that holds one line (a name, a date, a number) becomes a single space.
  public static func oneLine(_ value: String) -> String {
    guard value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return value }
    return value.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).map { $0.trimmedFast() }
      .filter { !$0.isEmpty }.joined(separator: " ")
  }
}
