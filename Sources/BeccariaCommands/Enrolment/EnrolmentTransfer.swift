import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension EnrolmentCommand {
  /// `beccaria enrolment transfer`.
  struct Transfer: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "transfer",
      abstract: tr("Move a participant to a later cohort; completed modules stay credited."),
      discussion: tr(
        """
        The new enrolment books the modules not yet completed (make-up); a place freed in the old \
        cohort goes to its waiting list. A transfer into a full cohort is refused, and the \
        participant keeps their place, unless --onto-waiting-list accepts a place on its waiting \
        list instead (the old place is then given up). --course names the cohort the participant \
        is in, as in enrolment add and withdraw (--from and --to are the older names).

        Example:
          beccaria enrolment transfer --participant 12 --course BQ-SN-2027-1 \\
            --to-course BQ-SN-2028-1 --reason "Elternzeit"
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument
    @Option(
      name: [.customLong("course"), .customLong("from")],
      help: ArgumentHelp(tr("Cohort the participant leaves."), valueName: "code"))
    var from: String
    @Option(
      name: [.customLong("to-course"), .customLong("to")],
      help: ArgumentHelp(tr("Cohort the participant joins."), valueName: "code"))
    var to: String
    @Option(help: ArgumentHelp(tr("Why, for the record."))) var reason = "Wechsel in einen späteren Durchgang"
    @Flag(help: ArgumentHelp(tr("When the later cohort is full, give up the old place for one on its waiting list.")))
    var ontoWaitingList = false

    func validate() throws {
      if from == to { throw ValidationError(tr("--course and --to-course must be different cohorts.")) }
      try requireReason(reason)
    }

    func run() throws {
      try reportingFailures {
        let result = try EnrolmentStore(try global.connect()).transfer(
          participant: participant.id, from: from, to: to, reason: reason, ontoWaitingList: ontoWaitingList)
        let credited = result.credited.isEmpty ? tr("none") : result.credited.map(String.init).joined(separator: ", ")
        print(
          tr(
            "Transferred participant %@ from %@ to %@. Credited modules: %@; booked in %@: %@.", participant.id, from, to,
            credited, to, result.booked.map(String.init).joined(separator: ", "))
        )
        if case .waiting(_, let position) = result.outcome {
          print(tr("%@ is full: the participant is number %@ on its waiting list.", to, position))
        }
        if !result.unplanned.isEmpty {
          warn(
            trn(
              "%@ plans no session for module %@ yet; the participant is booked there and needs it planned (or a make-up elsewhere)",
              "%@ plans no session for module %@ yet; the participant is booked there and needs them planned (or a make-up elsewhere)",
              result.unplanned.count, to, result.unplanned.map(String.init).joined(separator: ", ")))
        }
        if let promoted = result.promoted {
          print(
            tr("Moved up from the waiting list of %@: %@ %@ (%@).", from, promoted.givenNames, promoted.familyName, promoted.id))
        }
      }
    }
  }
}
