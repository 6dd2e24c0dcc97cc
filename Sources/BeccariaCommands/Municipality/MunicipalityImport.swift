import ArgumentParser
import BeccariaCore
import BeccariaStore
import CSVImport
import Foundation

extension MunicipalityCommand {
  /// `beccaria municipality import FILE`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: tr("Insert or update municipalities from CSV (ags,name,district[,asskomm_member_since])."),
      discussion: tr(
        """
        Upserts by AGS. All or nothing: every bad row is reported as FILE:LINE: column "x": reason \
        and nothing is written unless every row is good. UTF-8 with or without BOM, "," or ";".

        Example:
          beccaria municipality import courses/sample/municipalities.csv --dry-run
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("The CSV file."), valueName: "file")) var file: String
    @Flag(help: ArgumentHelp(tr("Check the file only; write nothing."))) var dryRun = false

    func run() throws {
      try reportingFailures {
        let input = try CSVFile.read(
          path: file, required: RecordInput.municipalityColumns, optional: RecordInput.municipalityOptional,
          aliases: RecordInput.municipalityAliases)
        try input.naming {
          var problems: [InputProblem] = []
          var municipalities: [Municipality] = []
          var firstLine: [String: Int] = [:]
          for record in input.records {
            switch RecordInput.municipality(record.value) {
            case .success(let municipality):
              if let earlier = firstLine[municipality.ags.value] {
                problems.append(
                  InputProblem(
                    line: record.line, column: "ags", reason: tr("%@ already appears on line %@", municipality.ags, earlier))
                )
              } else {
                firstLine[municipality.ags.value] = record.line
                municipalities.append(municipality)
              }
            case .failure(let list): problems += list.problems(line: record.line)
            }
          }
          if !problems.isEmpty { throw InputProblems(file: file, problems) }
          if dryRun {
            print(
              trn(
                "%@: %@ is valid; nothing was written (--dry-run).", "%@: %@ are valid; nothing was written (--dry-run).",
                municipalities.count, file, Plural.count(municipalities.count, "municipality", plural: "municipalities"))
            )
            return
          }
          // A column the file does not have leaves the stored values alone.
          var given: Set<MunicipalityField> = [.district]
          if input.columns.contains("asskomm_member_since") { given.insert(.asskommMemberSince) }
          let counts = try MunicipalityStore(try global.connect()).upsert(municipalities, given: given)
          print(
            tr(
              "Imported %@: %@ new, %@ updated, %@ unchanged.",
              Plural.count(municipalities.count, "municipality", plural: "municipalities"), counts.inserted, counts.updated,
              counts.unchanged)
          )
          for change in counts.changes { print("  " + tr("updated %@", change)) }
          if !given.contains(.asskommMemberSince) {
            print(tr("The file has no column asskomm_member_since: stored membership dates were kept."))
          }
        }
      }
    }
  }
}
