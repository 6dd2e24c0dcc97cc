import ArgumentParser
import BeccariaCore
import BeccariaStore
import CSVImport
import Foundation

extension EnrolmentCommand {
  /// `beccaria enrolment import FILE`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: tr("Enrol a list of participants from CSV, in file order; all or nothing."),
      discussion: tr(
        """
        Columns: participant (number or e-mail), course (cohort code; or --course for the whole \
        file) and optionally modules ("2" or "1 3"; empty books the whole programme). German \
        headers are understood (Teilnehmer, E-Mail, Durchgang, Module). When a cohort is full, \
        the rest go onto its waiting list in the order of the file. Every bad row is reported as \
        FILE:LINE: column "x": reason, and nothing is enrolled unless every row is good.

        Example:
          beccaria enrolment import anmeldungen.csv --course BQ-SN-2027-1
          beccaria enrolment import anmeldungen.csv --dry-run
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("The CSV file."), valueName: "file")) var file: String
    @Option(help: ArgumentHelp(tr("Cohort for rows that name none (or a file without a course column)."), valueName: "code"))
    var course: String?
    @Flag(help: ArgumentHelp(tr("Check and try everything, then write nothing."))) var dryRun = false

    static let aliases = [
      "teilnehmer": "participant", "teilnehmer-nr": "participant", "teilnehmer-nr.": "participant", "nr": "participant",
      "nr.": "participant", "e-mail": "participant", "email": "participant", "participant_id": "participant",
      "durchgang": "course", "kohorte": "course", "cohort": "course", "kurs": "course", "lehrgang": "course",
      "modul": "modules", "module": "modules", "teilnehmende": "participant", "e-mail-adresse": "participant",
    ]

    func run() throws {
      try reportingFailures {
        let input = try CSVFile.read(
          path: file, required: course == nil ? ["participant", "course"] : ["participant"],
          optional: course == nil ? ["modules"] : ["course", "modules"], aliases: Self.aliases)
        try input.naming {
          var problems: [InputProblem] = []
          var requests: [EnrolmentRequest] = []
          for record in input.records {
            guard let participant = record.value("participant") else {
              problems.append(InputProblem(line: record.line, column: "participant", reason: tr("is required")))
              continue
            }
            guard let code = record.value("course") ?? course else {
              problems.append(InputProblem(line: record.line, column: "course", reason: tr("is required (or give --course)")))
              continue
            }
            var modules: [Int]?
            if let text = record.value("modules") {
              let parts = text.split(whereSeparator: { " ,;/+".contains($0) })
              let numbers = parts.compactMap { Int($0) }
              guard numbers.count == parts.count, numbers.allSatisfy({ $0 >= 1 }) else {
                problems.append(
                  InputProblem(
                    line: record.line, column: "modules",
                    reason: tr("\"%@\" is not a list of module numbers such as 2 or 1 3", text)))
                continue
              }
              modules = numbers
            }
            requests.append(EnrolmentRequest(line: record.line, participant: participant, course: code, modules: modules))
          }
          if !problems.isEmpty { throw InputProblems(file: file, problems) }
          if requests.isEmpty { throw InputProblems(file: file, reason: tr("has no rows to enrol")) }
          let made = try EnrolmentStore(try global.connect()).enrolAll(requests, file: file, dryRun: dryRun)
          EnrolmentCommand.summarise(made, dryRun: dryRun)
        }
      }
    }
  }

  /// One line per cohort ("BQ-SN-2027-1: 23 enrolled, 2 on the waiting list"), and who waits.
  static func summarise(_ made: [EnrolmentMade], dryRun: Bool) {
    var order: [String] = []
    var byCourse: [String: [EnrolmentMade]] = [:]
    for entry in made {
      if byCourse[entry.request.course] == nil { order.append(entry.request.course) }
      byCourse[entry.request.course, default: []].append(entry)
    }
    print(
      dryRun
        ? tr("Would enrol %@ (--dry-run: nothing was written):", Plural.count(made.count, "participant"))
        : tr("Enrolled %@:", Plural.count(made.count, "participant")))
    for code in order {
      let entries = byCourse[code] ?? []
      let waiting = entries.compactMap { entry -> String? in
        guard case .waiting(_, let position) = entry.outcome else { return nil }
        return "\(position). \(entry.name) (\(entry.participant))"
      }
      print("  " + tr("%@: %@ enrolled, %@ on the waiting list", code, entries.count - waiting.count, waiting.count))
      for line in waiting { print("    " + tr("waiting %@", line)) }
    }
  }
}
