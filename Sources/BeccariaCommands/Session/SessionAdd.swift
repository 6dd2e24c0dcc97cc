import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension SessionCommand {
  /// `beccaria session add`.
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: tr("Schedule one session of a module."),
      discussion: tr(
        """
        The UE (45 minutes each) must fit between start and end; a trainer's overlapping session \
        is refused.

        Example:
          beccaria session add --course BQ-SN-2027-1 --module 1 --date 2027-03-06 \\
            --start 09:00 --end 16:30 --ue 8 --trainer anna.schulz@example.org \\
            --location "Raum 2"
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Cohort code."))) var course: String
    @Option(help: ArgumentHelp(tr("Module number."))) var module: Int
    @Option(help: ArgumentHelp(tr("Day of the session."), valueName: "date")) var date: DateArgument
    @Option(help: ArgumentHelp(tr("Start time."), valueName: "HH:MM")) var start: TimeArgument
    @Option(help: ArgumentHelp(tr("End time."), valueName: "HH:MM")) var end: TimeArgument
    @Option(help: ArgumentHelp(tr("Unterrichtseinheiten (45 minutes each)."))) var ue: Int
    @Option(help: ArgumentHelp(tr("Trainer by e-mail (repeatable)."), valueName: "email")) var trainer: [String] = []
    @Option(help: ArgumentHelp(tr("Room or address."))) var location: String?

    var session: NewSession {
      NewSession(
        courseCode: course, module: module, day: date.value, start: start.minutes, end: end.minutes, ue: ue,
        location: location, trainerEmails: trainer)
    }

    func validate() throws {
      if module < 1 { throw ValidationError(tr("--module must be 1 or more.")) }
      try date.requireEventDay("--date")
      // Whether the UE fit is the programme version's question (its UE minutes), asked by the store.
      if let problem = session.timeProblem(ueMinutes: 0) { throw ValidationError(problem + ".") }
    }

    func run() throws {
      try reportingFailures {
        let store = SessionStore(try global.connect())
        let ids = try store.add([session])
        print(
          tr(
            "Scheduled session %@ of %@: module %@, %@ %@–%@, %@ UE.", ids.map(\.description).joined(), course, module,
            Reader.date(date.value), NewSession.clock(start.minutes), NewSession.clock(end.minutes), ue)
        )
        if let sentence = try store.overplanned(courseCode: course, module: module) { warn(sentence) }
      }
    }
  }
}
