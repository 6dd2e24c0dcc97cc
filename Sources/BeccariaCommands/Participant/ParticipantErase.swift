import ArgumentParser
import BeccariaStore
import Foundation

/// `beccaria participant erase ID`.
struct ParticipantErase: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "erase",
    abstract: "Erase a person's data on request (Art. 17 GDPR); their certificates stay verifiable.",
    discussion: """
      Names, birth date, e-mail, organisation, notes and free text are removed or pseudonymised \
      everywhere (participant record, name history, attendance, enrolments, assessments, the \
      certificates' printed fields and stored PDFs, the audit log's values). Kept: attendance \
      figures, results, and each certificate's serial, SHA-256 and signature, so that the PDF the \
      holder keeps still verifies as genuine, with a note that their data was erased. Cannot be undone.

      Example:
        beccaria participant erase 17 --reason "Antrag auf Löschung vom 20.11.2026"
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: ArgumentHelp("Participant number.", valueName: "id")) var participant: ParticipantArgument
  @Option(help: "Why (e.g. the request's date); kept in the audit log.") var reason: String

  func validate() throws {
    if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("--reason must not be empty.") }
  }

  func run() throws {
    try reportingFailures {
      try DataProtection(try global.connect()).erase(participant.id, reason: reason)
      print("Erased the personal data of participant \(participant.id); their certificates remain verifiable.")
    }
  }
}
