import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension EnrolmentCommand {
  /// `beccaria enrolment add`.
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Enrol a participant in a cohort (whole programme, or --module N for single modules).",
      discussion: """
        When the cohort is full the participant goes onto its waiting list (first come, first \
        served); the database makes overbooking impossible under any number of simultaneous \
        enrolments.

        Example:
          beccaria enrolment add --course BQ-SN-2027-1 --participant 12
          beccaria enrolment add --course BQ-SN-2028-1 --participant 12 --module 2
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Cohort code.") var course: String
    @Option(help: ArgumentHelp("Participant number.", valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp("Book only this module (repeatable).", valueName: "n")) var module: [Int] = []

    func validate() throws {
      if module.contains(where: { $0 < 1 }) { throw ValidationError("--module must be 1 or more.") }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let outcome = try EnrolmentStore(connection).enrol(
          courseCode: course, participant: participant.id, modules: module.isEmpty ? nil : module)
        let person = try ParticipantStore(connection).find(participant.id)
        let what = module.isEmpty ? "the whole programme" : "module \(module.map(String.init).joined(separator: ", "))"
        switch outcome {
        case .enrolled:
          print("Enrolled \(person.givenNames) \(person.familyName) (\(person.id)) in \(course) for \(what).")
        case .waiting(_, let position):
          print(
            "\(course) is full: \(person.givenNames) \(person.familyName) (\(person.id)) is number \(position) on the waiting list for \(what)."
          )
        }
        for concern in try EnrolmentStore(connection).concerns(
          courseCode: course, participant: participant.id, modules: module.isEmpty ? nil : module)
        {
          warn(concern)
        }
      }
    }
  }
}
