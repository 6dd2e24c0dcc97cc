import ArgumentParser
import BeccariaCore
import BeccariaStore
import CSVImport
import Foundation

extension ParticipantCommand {
  /// `beccaria participant import FILE`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: "Register participants from CSV.",
      discussion: """
        Columns: family_name, given_names, birth_date, email, municipality (AGS), and optionally \
        organisation and function. All or nothing: every bad row is reported as \
        FILE:LINE: column "x": reason, likely duplicates included (unless --force), and nothing \
        is written unless every row is good. UTF-8 with or without BOM, "," or ";".

        Example:
          beccaria participant import courses/sample/participants-2026.csv --dry-run
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The CSV file.", valueName: "file")) var file: String
    @Flag(help: "Check the file only; write nothing.") var dryRun = false
    @Flag(help: "Import likely duplicates too.") var force = false

    func run() throws {
      try reportingFailures {
        let input = try CSVFile.read(
          path: file, required: RecordInput.participantColumns, optional: RecordInput.participantOptional,
          aliases: RecordInput.participantAliases)
        var problems: [InputProblem] = []
        var drafts: [ParticipantDraft] = []
        var lines: [Int] = []
        for record in input.records {
          switch RecordInput.participant(record.value) {
          case .success(let draft):
            drafts.append(draft)
            lines.append(record.line)
          case .failure(let list): problems += list.problems(line: record.line)
          }
        }
        let connection = try global.connect()
        // One query for every municipality the file names.
        let unknown = try MunicipalityStore(connection).unknown(drafts.map(\.municipality.value))
        for (draft, line) in zip(drafts, lines) where unknown.contains(draft.municipality.value) {
          problems.append(
            InputProblem(line: line, column: "municipality", reason: "\(draft.municipality) is not in the municipality register"))
        }
        if !problems.isEmpty { throw InputProblems(file: file, problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) }) }
        let store = ParticipantStore(connection)
        if !force {
          let duplicates = try store.duplicateProblems(drafts, naming: { "line \(lines[$0])" })
          if !duplicates.isEmpty {
            throw InputProblems(file: file, duplicates.map { InputProblem(line: lines[$0.index], reason: $0.reason) })
          }
        }
        if dryRun {
          print("\(file): \(drafts.count) participants are valid; nothing was written (--dry-run).")
          return
        }
        let ids = try store.add(drafts, force: force)
        print("Imported \(ids.count) participants (numbers \(ids.first?.description ?? "")–\(ids.last?.description ?? "")).")
      }
    }
  }
}
