import ArgumentParser
import BeccariaCore
import BeccariaStore
import CSVImport
import Foundation
import Postgres

extension ParticipantCommand {
  /// `beccaria participant import FILE`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: tr("Register participants from CSV; with --update, update those already registered."),
      discussion: tr(
        """
        Columns: family_name, given_names, birth_date, email, municipality (its AGS or its name \
        when no other municipality has that name), and optionally organisation and function \
        (German headers such as Nachname, Vorname, Geburtsdatum, E-Mail, Gemeinde, Dienststelle, \
        Funktion are understood). Dates as TT.MM.JJJJ or YYYY-MM-DD. All or nothing: every bad row is reported as \
        FILE:LINE: column "x": reason, likely duplicates included (unless --force), and nothing \
        is written unless every row is good. UTF-8 with or without BOM, "," or ";".

        --update matches each row to a registered participant by a number column (Nr.) or else \
        by e-mail, and updates them instead of calling them likely duplicates; a changed name \
        goes into their history of names. --course enrols everyone in the file in that cohort, \
        in file order (the waiting list too), in the same transaction.

        Example:
          beccaria participant import courses/sample/participants-2026.csv --dry-run
          beccaria participant import teilnehmende.csv --update --course BQ-SN-2027-1
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("The CSV file."), valueName: "file")) var file: String
    @Flag(help: ArgumentHelp(tr("Check the file only; write nothing."))) var dryRun = false
    @Flag(help: ArgumentHelp(tr("Import likely duplicates too."))) var force = false
    @Flag(help: ArgumentHelp(tr("Update participants the file names by number or e-mail."))) var update = false
    @Option(help: ArgumentHelp(tr("Enrol everyone in the file in this cohort."), valueName: "code")) var course: String?
    @Option(help: ArgumentHelp(tr("With --course: book only this module (repeatable)."), valueName: "n")) var module: [Int] = []
    @Option(help: ArgumentHelp(tr("With --update: why names change (kept in the history of names)."))) var reason: String?

    static let numberAliases = [
      "nr": "number", "nr.": "number", "teilnehmer-nr": "number", "teilnehmer-nr.": "number", "id": "number",
    ]

    func validate() throws {
      if !module.isEmpty && course == nil { throw ValidationError(tr("--module goes with --course.")) }
      if module.contains(where: { $0 < 1 }) { throw ValidationError(tr("--module must be 1 or more.")) }
      if reason != nil && !update { throw ValidationError(tr("--reason goes with --update.")) }
      if let reason { try requireReason(reason) }
    }

    func run() throws {
      try reportingFailures {
        let framer = try CSVCopyFramer(path: file)
        let header = CSVHeader.check(
          framer.header, required: RecordInput.participantColumns,
          optional: RecordInput.participantOptional + (update ? ["number"] : []),
          aliases: RecordInput.participantAliases.merging(update ? Self.numberAliases : [:]) { first, _ in first },
          delimiter: framer.delimiter, line: framer.headerLine)
        if !header.problems.isEmpty { throw InputProblems(file: file, header.problems) }
        let position = Dictionary(header.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let today = CalendarDate.today()
        var options = ParticipantImporter.Options()
        options.update = update
        options.force = force
        options.courseCode = course
        options.modules = module.isEmpty ? nil : module
        options.reason = reason
        options.dryRun = dryRun
        let summary = try InputProblems.naming(header.written) {
          try ParticipantImporter(try global.connect()).run(file: file, options: options) { writer in
            var problems: [InputProblem] = []
            try framer.forEachRecord { record in
              guard problems.count < 500 else { return }
              var fine = true
              for (column, field) in zip(header.columns, record.fields) {
                if let problem = CSVFile.fieldProblem(field) {
                  problems.append(InputProblem(line: record.line, column: column, reason: problem))
                  fine = false
                }
              }
              guard fine else { return }
              let value = { (column: String) -> String? in
                guard let index = position[column] else { return nil }
                let text = CSVHeader.oneLine(record.fields[index]).trimmedFast()
                return text.isEmpty ? nil : text
              }
              var number: Int64?
              if let text = value("number") {
                number = Int64(text.trimmingPrefix("#")).flatMap { $0 >= 1 ? $0 : nil }
                if number == nil {
                  problems.append(
                    InputProblem(line: record.line, column: "number", reason: tr("\"%@\" is not a participant number", text)))
                  return
                }
              }
              let (fields, fieldProblems) = RecordInput.participantFields(value, today: today)
              let (municipality, municipalityProblems) = RecordInput.municipalityReference(value)
              guard let fields, let municipality, fieldProblems.isEmpty else {
                problems += ProblemList(fieldProblems + municipalityProblems).problems(line: record.line)
                return
              }
              try writer.writeRow([
                String(record.line), number.map(String.init), fields.familyName, fields.givenNames, fields.birthDate.description,
                fields.email, municipality, fields.organisation, fields.function,
              ])
            }
            return problems
          }
        }
        Self.report(summary, file: file, dryRun: dryRun)
      }
    }

    static func report(_ summary: ParticipantImportSummary, file: String, dryRun: Bool) {
      var parts: [String] = []
      if summary.inserted > 0 || summary.updated + summary.unchanged == 0 {
        let numbers =
          summary.firstNumber.map { first in
            dryRun
              ? ""
              : first == summary.lastNumber
                ? " " + tr("(number %@)", first) : " " + tr("(numbers %@–%@)", first, summary.lastNumber ?? first)
          } ?? ""
        parts.append("\(Plural.count(summary.inserted, "new participant"))\(numbers)")
      }
      if summary.updated > 0 {
        parts.append(
          summary.renamed > 0
            ? tr("%@ updated (%@ renamed)", summary.updated, summary.renamed) : tr("%@ updated", summary.updated))
      }
      if summary.unchanged > 0 { parts.append(tr("%@ unchanged", summary.unchanged)) }
      print(
        dryRun
          ? trn(
            "%@: %@ is valid and would give %@; nothing was written (--dry-run).",
            "%@: %@ are valid and would give %@; nothing was written (--dry-run).", summary.rows, file,
            Plural.count(summary.rows, "row"), parts.joined(separator: ", "))
          : tr("Imported %@: %@.", file, parts.joined(separator: ", ")))
      if let course = summary.enrolments.first?.request.course ?? (summary.enrolledBefore > 0 ? "" : nil) {
        if summary.enrolledBefore > 0 {
          print(
            trn(
              "%@ of the file was enrolled in %@ before.", "%@ of the file were enrolled in %@ before.", summary.enrolledBefore,
              Plural.count(summary.enrolledBefore, "participant"), course.isEmpty ? tr("the cohort") : course)
          )
        }
        if !summary.enrolments.isEmpty { EnrolmentCommand.summarise(summary.enrolments, dryRun: dryRun) }
      }
    }
  }
}
