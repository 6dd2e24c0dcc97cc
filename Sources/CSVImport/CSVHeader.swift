import Foundation

/// The header row of an import: its delimiter, and its column names checked against what the
/// import knows. One check for every import.
public enum CSVHeader {
  /// The delimiter of the first line: the most frequent of `;`, `,` and tab outside quotes
  /// (a tie goes to `;`, then `,`); `,` when there is none. A byte order mark is ignored.
  public static func delimiter(of bytes: some Sequence<UInt8>) -> UInt8 {
    var counts: [UInt8: Int] = [0x3B: 0, 0x2C: 0, 0x09: 0]
    var quoted = false
    for byte in bytes {
      if byte == 0x22 { quoted.toggle() }
      if !quoted && (byte == 0x0A || byte == 0x0D) { break }
      if !quoted, counts[byte] != nil { counts[byte, default: 0] += 1 }
    }
    let best = counts.max { lhs, rhs in lhs.value < rhs.value || (lhs.value == rhs.value && lhs.key > rhs.key) }
    guard let best, best.value > 0 else { return 0x2C }
    return best.key
  }

  /// The header's names trimmed, lower-cased and mapped through `aliases` (other spellings of
  /// known columns, lower-case), with every problem at the header's `line`: an empty name, an unknown column,
  /// a column twice, a required column missing (with a hint when the header is one column that
  /// holds another delimiter).
  public static func check(
    _ names: [String], required: [String], optional: [String] = [], aliases: [String: String] = [:], delimiter: UInt8,
    line: Int = 1
  ) -> (columns: [String], problems: [InputProblem]) {
    let columns = names.map { name -> String in
      let normalised = name.trimmingCharacters(in: .whitespaces).lowercased()
      return aliases[normalised] ?? normalised
    }
    let known = required + optional
    var problems: [InputProblem] = []
    var seen: Set<String> = []
    for name in columns {
      if name.isEmpty {
        problems.append(InputProblem(line: line, reason: "the header has an empty column name"))
      } else if !known.contains(name) {
        problems.append(
          InputProblem(line: line, column: name, reason: "is not a known column (known: \(known.joined(separator: ", ")))"))
      } else if !seen.insert(name).inserted {
        problems.append(InputProblem(line: line, column: name, reason: "appears twice in the header"))
      }
    }
    let other: Character = delimiter == 0x2C ? ";" : ","
    let hint = names.count == 1 && names[0].contains(other) ? " (the header is one column: is the delimiter mixed?)" : ""
    for name in required where !seen.contains(name) {
      problems.append(InputProblem(line: line, column: name, reason: "is missing from the header\(hint)"))
    }
    return (columns, problems)
  }
}
