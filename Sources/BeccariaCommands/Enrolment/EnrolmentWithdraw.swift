import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension EnrolmentCommand {
  /// `beccaria enrolment withdraw`.
  struct Withdraw: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "withdraw",
      abstract: tr("Withdraw a participant; the freed place goes to the first on the waiting list."),
      discussion: tr(
        """
        Example:
          beccaria enrolment withdraw --course BQ-SN-2027-1 --participant 12 \\
            --reason "Dienstliche Gründe"
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Cohort code."))) var course: String
    @Option(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp(tr("Why, for the record."))) var reason: String

    func validate() throws { try requireReason(reason) }

    func run() throws {
      try reportingFailures {
        let outcome = try EnrolmentStore(try global.connect()).withdraw(
          courseCode: course, participant: participant.id, reason: reason)
        print(
          outcome.previousStatus == .waiting
            ? tr("Withdrew participant %@ from %@ (from the waiting list).", participant.id, course)
            : tr("Withdrew participant %@ from %@.", participant.id, course)
        )
        if let promoted = outcome.promoted {
          print(tr("Moved up from the waiting list: %@ %@ (%@).", promoted.givenNames, promoted.familyName, promoted.id))
        } else if outcome.previousStatus == .enrolled {
          print(tr("The waiting list is empty; one place is free."))
        }
      }
    }
  }
}
