import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AssessmentCommand {
  /// `beccaria assessment record`.
  struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "record",
      abstract: tr("Record a participant's project work (or exam, colloquium) as passed or failed."),
      discussion: """
        Every attempt is kept; a passed project counts for the Zertifikat.

        Example:
          beccaria assessment record --participant 12 --result passed \\
            --title "Sicher im Quartier" --date 2026-10-24
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Participant number.", valueName: "id")) var participant: ParticipantArgument
    @Option(help: "The result.") var result: AssessmentResult
    @Option(help: "What was assessed.") var kind = AssessmentKind.project
    @Option(help: "Title of the project work.") var title: String?
    @Option(help: ArgumentHelp("Day of the assessment (default: today).", valueName: "date")) var date: DateArgument?
    @Option(help: "Programme code.") var programme = "beccaria-fachkraft"
    @Option(help: "Cohort in which it was assessed.") var course: String?
    @Option(help: "A remark.") var note: String?

    func validate() throws {
      if let date, date.value > CalendarDate.today() { throw ValidationError("--date \(date.value) is in the future.") }
      try date?.requireEventDay("--date")
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        try CertificateStore(connection).recordAssessment(
          participant: participant.id, programmeCode: programme, kind: kind, result: result, title: title,
          assessedOn: date?.value ?? CalendarDate.today(), courseCode: course, note: note)
        print("Recorded \(kind) of participant \(participant.id) as \(result).")
        let resting = try CertificateReview(connection).resting(
          participant: participant.id, session: nil, programmeCode: programme)
        if !resting.isEmpty {
          warn(
            "participant \(participant.id) already holds \(resting.joined(separator: ", ")); it stays as issued: "
              + "beccaria report review lists certificates whose basis changed since (revoke or re-issue)")
        }
      }
    }
  }
}
