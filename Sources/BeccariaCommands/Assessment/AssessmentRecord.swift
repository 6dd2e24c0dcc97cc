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
      discussion: tr(
        """
        Every attempt is kept; a passed project counts for the Zertifikat.

        Example:
          beccaria assessment record --participant 12 --result passed \\
            --title "Sicher im Quartier" --date 2026-10-24
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp(tr("The result."))) var result: AssessmentResult
    @Option(help: ArgumentHelp(tr("What was assessed."))) var kind = AssessmentKind.project
    @Option(help: ArgumentHelp(tr("Title of the project work."))) var title: String?
    @Option(help: ArgumentHelp(tr("Day of the assessment (default: today)."), valueName: "date")) var date: DateArgument?
    @Option(help: ArgumentHelp(tr("Programme code."))) var programme = "beccaria-fachkraft"
    @Option(help: ArgumentHelp(tr("Cohort in which it was assessed."))) var course: String?
    @Option(help: ArgumentHelp(tr("A remark."))) var note: String?

    func validate() throws {
      if let date, date.value > CalendarDate.today() { throw ValidationError(tr("--date %@ is in the future.", date.value)) }
      try date?.requireEventDay("--date")
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        try CertificateStore(connection).recordAssessment(
          participant: participant.id, programmeCode: programme, kind: kind, result: result, title: title,
          assessedOn: date?.value ?? CalendarDate.today(), courseCode: course, note: note)
        print(tr("Recorded %@ of participant %@ as %@.", Term.word(kind), participant.id, Term.word(result)))
        let resting = try CertificateReview(connection).resting(
          participant: participant.id, session: nil, programmeCode: programme)
        if !resting.isEmpty {
          warn(
            tr(
              "participant %@ already holds %@; it stays as issued: beccaria report review lists certificates whose basis changed since (revoke or re-issue)",
              participant.id, resting.joined(separator: ", ")))
        }
      }
    }
  }
}
