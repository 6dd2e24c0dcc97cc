import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension EnrolmentCommand {
  /// `beccaria enrolment add`.
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: tr("Enrol participants in a cohort (whole programme, or --module N for single modules)."),
      discussion: tr(
        """
        When the cohort is full the participant goes onto its waiting list (first come, first \
        served); the database makes overbooking impossible under any number of simultaneous \
        enrolments. Several --participant are enrolled together, in their order, or none of \
        them (enrolment import takes a list from a file).

        Example:
          beccaria enrolment add --course BQ-SN-2027-1 --participant 12
          beccaria enrolment add --course BQ-SN-2027-1 --participant 12 \\
            --participant 14 --participant p.meier@example.org
          beccaria enrolment add --course BQ-SN-2028-1 --participant 12 --module 2
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Cohort code."))) var course: String
    @Option(help: ArgumentHelp(tr("Participant number or e-mail (repeatable)."), valueName: "id"))
    var participant: [String] = []
    @Option(help: ArgumentHelp(tr("Book only this module (repeatable)."), valueName: "n")) var module: [Int] = []

    func validate() throws {
      if module.contains(where: { $0 < 1 }) { throw ValidationError(tr("--module must be 1 or more.")) }
      if Set(module).count < module.count { throw ValidationError(tr("a --module is given twice.")) }
      if participant.isEmpty { throw ValidationError(tr("give --participant (a number or an e-mail; repeatable).")) }
      for value in participant where value.trimmingCharacters(in: .whitespaces).isEmpty {
        throw ValidationError(tr("--participant must not be empty."))
      }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let store = EnrolmentStore(connection)
        let modules = module.isEmpty ? nil : module
        let made = try store.enrolAll(
          participant.map {
            EnrolmentRequest(
              participant: $0.trimmingCharacters(in: .whitespaces).trimmingPrefix("#"), course: course, modules: modules)
          }, file: nil)
        let what =
          module.isEmpty ? tr("the whole programme") : tr("module %@", module.map(String.init).joined(separator: ", "))
        for entry in made {
          let person = "\(entry.name) (\(entry.participant))"
          switch entry.outcome {
          case .enrolled: print(tr("Enrolled %@ in %@ for %@.", person, course, what))
          case .waiting(_, let position):
            print(tr("%@ is full: %@ is number %@ on the waiting list for %@.", course, person, position, what))
          }
          for concern in try store.concerns(courseCode: course, participant: entry.participant, modules: modules) {
            warn(concern)
          }
        }
      }
    }
  }
}
