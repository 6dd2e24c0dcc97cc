import ArgumentParser
import BeccariaCore
import BeccariaStore
import CSVImport
import Foundation

extension AssessmentCommand {
  /// `beccaria assessment import FILE --course CODE`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: tr("Record a cohort's project results (or exams, colloquia) from CSV; all or nothing."),
      discussion: tr(
        """
        Columns: participant (number or e-mail), result (passed or failed; bestanden, nicht \
        bestanden) and optionally title, date (YYYY-MM-DD or TT.MM.JJJJ; default --date, else \
        today), kind (project, exam, colloquium; default project) and note. Everyone must have \
        been enrolled in the cohort. Every bad row is reported as FILE:LINE: column "x": reason, \
        and nothing is recorded unless every row is good. Every attempt is kept.

        Example:
          beccaria assessment import projekte.csv --course BQ-SN-2026-1 \\
            --date 2026-10-24
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("The CSV file."), valueName: "file")) var file: String
    @Option(help: ArgumentHelp(tr("The cohort the results belong to."), valueName: "code")) var course: String
    @Option(help: ArgumentHelp(tr("Day of the assessments for rows without a date (default: today)."), valueName: "date"))
    var date: DateArgument?
    @Flag(help: ArgumentHelp(tr("Check everything; write nothing."))) var dryRun = false

    static let aliases = [
      "teilnehmer": "participant", "teilnehmer-nr": "participant", "nr": "participant", "e-mail": "participant",
      "email": "participant", "ergebnis": "result", "titel": "title", "projekt": "title", "projekttitel": "title",
      "datum": "date", "art": "kind", "bemerkung": "note", "notiz": "note", "anmerkung": "note",
      "teilnehmer-nr.": "participant", "nr.": "participant", "teilnehmende": "participant", "bewertung": "result",
      "prüfungsart": "kind", "titel der projektarbeit": "title",
    ]
    static let results: [String: AssessmentResult] = [
      "passed": .passed, "bestanden": .passed, "failed": .failed, "nicht bestanden": .failed, "not passed": .failed,
    ]
    static let kinds: [String: AssessmentKind] = [
      "project": .project, "projekt": .project, "projektarbeit": .project, "exam": .exam, "prüfung": .exam,
      "colloquium": .colloquium, "kolloquium": .colloquium,
    ]

    func validate() throws {
      if let date, date.value > CalendarDate.today() { throw ValidationError(tr("--date %@ is in the future.", date.value)) }
      try date?.requireEventDay("--date")
    }

    func run() throws {
      try reportingFailures {
        let input = try CSVFile.read(
          path: file, required: ["participant", "result"], optional: ["title", "date", "kind", "note"], aliases: Self.aliases)
        try input.naming {
          var problems: [InputProblem] = []
          var unchecked: [(line: Int, participant: String)] = []
          var rows: [AssessmentRow] = []
          for record in input.records {
            let line = record.line
            var fine = true
            func problem(_ column: String, _ reason: String) {
              problems.append(InputProblem(line: line, column: column, reason: reason))
              fine = false
            }
            let participant = record.value("participant")
            if participant == nil { problem("participant", tr("is required")) }
            let resultText = record.value("result")?.lowercased() ?? ""
            let result = Self.results[resultText]
            if result == nil {
              problem(
                "result",
                resultText.isEmpty
                  ? tr("is required") : tr("\"%@\" is not passed or failed (bestanden, nicht bestanden)", resultText))
            }
            let kindText = record.value("kind")?.lowercased()
            let kind = kindText.map { Self.kinds[$0] } ?? .project
            if kind == nil { problem("kind", tr("\"%@\" is not project, exam or colloquium", kindText ?? "")) }
            var day = date?.value ?? CalendarDate.today()
            if let text = record.value("date") {
              switch Validation.date(text) {
              case .success(let parsed):
                if DateArgument.eventYears.contains(parsed.year) {
                  day = parsed
                } else {
                  problem("date", tr("%@ is outside the years a programme runs", parsed))
                }
              case .failure(let dateProblem): problem("date", dateProblem.description)
              }
            }
            if let title = record.value("title"), let reason = Validation.name(title, maxLength: 300) { problem("title", reason) }
            if let note = record.value("note"), let scalar = InertText.firstControl(in: note) {
              problem("note", tr("contains the control or invisible character %@", InertText.name(scalar)))
            }
            guard fine, let participant, let result, let kind else {
              if let participant { unchecked.append((line, participant.trimmingPrefix("#"))) }
              continue
            }
            rows.append(
              AssessmentRow(
                line: line, participant: participant.trimmingPrefix("#"), kind: kind, result: result,
                title: record.value("title"),
                assessedOn: day, note: record.value("note")))
          }
          if rows.isEmpty && problems.isEmpty { throw InputProblems(file: file, reason: tr("has no results to record")) }
          let counts = try CertificateStore(try global.connect()).importAssessments(
            courseCode: course, rows, file: file, dryRun: dryRun, problems: problems, unchecked: unchecked)
          print(
            dryRun
              ? tr(
                "Would record %@ for %@: %@ passed, %@ failed (--dry-run: nothing was written).",
                Plural.count(counts.passed + counts.failed, "result"), course, counts.passed, counts.failed)
              : tr(
                "Recorded %@ for %@: %@ passed, %@ failed.", Plural.count(counts.passed + counts.failed, "result"), course,
                counts.passed, counts.failed))
        }
      }
    }
  }
}
