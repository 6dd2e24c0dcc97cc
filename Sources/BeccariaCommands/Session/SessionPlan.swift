import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension SessionCommand {
  /// `beccaria session plan`: a module's weekends in one command.
  struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "plan",
      abstract: tr("Lay out a module's weekend blocks as Saturday and Sunday sessions."),
      discussion: tr(
        """
        One --weekend (its Saturday) per block of the module as the programme defines it; each \
        block's UE are split over Saturday and Sunday (Saturday takes the odd one), between \
        --start and the end time they need plus a 45-minute lunch break. All sessions are \
        created in one transaction or none.

        Example:
          beccaria session plan --course BQ-SN-2027-1 --module 1 \\
            --weekend 2027-03-06 --weekend 2027-04-10 \\
            --trainer anna.schulz@example.org
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Cohort code."))) var course: String
    @Option(help: ArgumentHelp(tr("Module number."))) var module: Int
    @Option(help: ArgumentHelp(tr("Saturday of a weekend block (one per block, in order)."), valueName: "date")) var weekend:
      [DateArgument] = []
    @Option(help: ArgumentHelp(tr("Daily start time."), valueName: "HH:MM")) var start = TimeArgument(minutes: 9 * 60)
    @Option(help: ArgumentHelp(tr("Trainer by e-mail (repeatable)."), valueName: "email")) var trainer: [String] = []
    @Option(help: ArgumentHelp(tr("Room or address."))) var location: String?

    func validate() throws {
      if weekend.isEmpty { throw ValidationError(tr("give each weekend's Saturday with --weekend DATE.")) }
      for day in weekend {
        try day.requireEventDay("--weekend")
        if day.value.weekday != 6 { throw ValidationError(tr("--weekend %@ is not a Saturday.", day.value)) }
      }
      for (earlier, later) in zip(weekend, weekend.dropFirst()) where later.value <= earlier.value {
        throw ValidationError(
          tr("--weekend %@ comes after %@: give the weekends in order, each once.", later.value, earlier.value))
      }
      if module < 1 { throw ValidationError(tr("--module must be 1 or more.")) }
    }

    func run() throws {
      try reportingFailures {
        let store = SessionStore(try global.connect())
        let (blocks, ueMinutes) = try store.blocks(courseCode: course, module: module)
        guard
          let days = WeekendPlan.days(
            blocks: blocks.map(\.ue), saturdays: weekend.map(\.value), start: start.minutes, ueMinutes: ueMinutes)
        else {
          throw CommandFailure(
            tr(
              "module %@ has %@; give exactly that many --weekend dates (%@ given)", module,
              Plural.count(blocks.count, "weekend block"), weekend.count)
          )
        }
        let sessions = days.map {
          NewSession(
            courseCode: course, module: module, day: $0.day, start: $0.start, end: $0.end, ue: $0.ue, location: location,
            trainerEmails: trainer)
        }
        let ids = try store.add(sessions)
        for (id, session) in zip(ids, sessions) {
          print(
            tr(
              "Scheduled session %@: %@ %@–%@, %@ UE", id, Reader.date(session.day), NewSession.clock(session.start),
              NewSession.clock(session.end), session.ue)
          )
        }
        print(
          tr(
            "Planned module %@ of %@: %@, %@ UE.", module, course, Plural.count(ids.count, "session"),
            sessions.reduce(0) { $0 + $1.ue })
        )
        if let sentence = try store.overplanned(courseCode: course, module: module) { warn(sentence) }
      }
    }
  }
}
