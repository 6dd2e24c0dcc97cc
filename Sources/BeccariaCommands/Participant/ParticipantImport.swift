import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria participant import FILE`.
struct ParticipantImport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Register participants from CSV.",
    discussion: """
      Columns: family_name, given_names, birth_date, email, municipality (AGS), and optionally \
      organisation and function. All or nothing: every bad row is reported as \
      FILE:LINE: column "x": reason, likely duplicates included (unless --force), and nothing \
      is written unless every row is good. UTF-8 with or without BOM, "," or ";".

      Example:
        beccaria participant import courses/sample/participants-2027.csv --dry-run
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: ArgumentHelp("The CSV file.", valueName: "file")) var file: String
  @Flag(help: "Check the file only; write nothing.") var dryRun = false
  @Flag(help: "Import likely duplicates too.") var force = false

  func run() throws {
    try reportingFailures {
      let input = try CSVInput.read(
        path: file, required: RecordInput.participantColumns, optional: RecordInput.participantOptional,
        aliases: RecordInput.participantAliases)
      var problems: [String] = []
      var drafts: [ParticipantDraft] = []
      var lines: [Int] = []
      for record in input.records {
        switch RecordInput.participant(record.value) {
        case .success(let draft):
          drafts.append(draft)
          lines.append(record.line)
        case .failure(let list): problems += list.lines(file: file, line: record.line)
        }
      }
      let connection = try global.connect()
      // One query for every municipality the file names.
      let unknown = try MunicipalityStore(connection).unknown(drafts.map(\.municipality.value))
      for (draft, line) in zip(drafts, lines) where unknown.contains(draft.municipality.value) {
        problems.append("\(file):\(line): column \"municipality\": \(draft.municipality) is not in the municipality register")
      }
      if !problems.isEmpty { throw ImportProblems(problems.sorted(by: Self.byLine)) }
      let store = ParticipantStore(connection)
      let labels = lines.map { "\(file):\($0): " }
      if !force {
        let duplicates = try store.duplicateProblems(drafts, labels: labels)
        if !duplicates.isEmpty { throw ImportProblems(duplicates) }
      }
      if dryRun {
        print("\(file): \(drafts.count) participants are valid; nothing was written (--dry-run).")
        return
      }
      let ids = try store.add(drafts, force: force, labels: labels)
      print("Imported \(ids.count) participants (numbers \(ids.first?.description ?? "")–\(ids.last?.description ?? "")).")
    }
  }

  static func byLine(_ lhs: String, _ rhs: String) -> Bool {
    func line(_ text: String) -> Int { Int(text.split(separator: ":").dropFirst().first ?? "") ?? 0 }
    return line(lhs) < line(rhs)
  }
}
