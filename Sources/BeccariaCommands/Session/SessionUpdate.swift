import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension SessionCommand {
  /// `beccaria session move`.
  struct Move: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "move",
      abstract: tr("Move a session to another day or time; its participants and trainers are told by mail."),
      discussion: tr(
        """
        --date alone keeps the times; --start and --end alone keep the day. A session with \
        recorded attendance stays in the past; the session must stay within the cohort's dates \
        and must not overlap another session of its cohort or of one of its trainers. The reason \
        is kept in the audit log.

        Example:
          beccaria session move 37 --date 2027-03-14 --reason "Raum am 7.3. belegt"
          beccaria session move 37 --start 09:30 --end 16:15 \\
            --reason "Anreise mit der Bahn"
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Session number."), valueName: "id")) var session: Int64
    @OptionGroup var times: SessionTimes
    @Option(help: ArgumentHelp(tr("Why it moves (kept in the audit log)."))) var reason: String?

    func validate() throws {
      if session < 1 { throw ValidationError(tr("the session number must be 1 or more.")) }
      if times.isEmpty { throw ValidationError(tr("give --date, --start and --end, or some of them.")) }
      if let reason { try requireReason(reason) }
    }

    func run() throws {
      try reportingFailures {
        let outcome = try SessionStore(try global.connect()).change(
          SessionID(session),
          SessionChange(day: times.date?.value, start: times.start?.minutes, end: times.end?.minutes, reason: reason))
        SessionCommand.report(outcome)
      }
    }
  }

  /// `beccaria session update`.
  struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update",
      abstract: tr("Change a session's UE, location or trainers (and its day or times, as session move does)."),
      discussion: tr(
        """
        --add-trainer and --remove-trainer take a trainer's e-mail and may be repeated; both \
        together replace one trainer by another. Fewer UE than a participant is recorded with \
        are refused. Options not given stay as they are.

        Example:
          beccaria session update 37 --location "Raum 2.04"
          beccaria session update 37 --remove-trainer anna.schulz@example.org \\
            --add-trainer jan.nowak@example.org
          beccaria session update 37 --ue 6 --end 14:15 --reason "verkürzt: Feiertag"
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Session number."), valueName: "id")) var session: Int64
    @OptionGroup var times: SessionTimes
    @Option(help: ArgumentHelp(tr("Unterrichtseinheiten (45 minutes each)."))) var ue: Int?
    @Option(help: ArgumentHelp(tr("Room or address (\"\" for the cohort's venue)."), valueName: "text")) var location: String?
    @Option(help: ArgumentHelp(tr("A trainer who teaches it too, by e-mail (repeatable)."), valueName: "email"))
    var addTrainer: [String] = []
    @Option(help: ArgumentHelp(tr("A trainer who no longer teaches it, by e-mail (repeatable)."), valueName: "email"))
    var removeTrainer: [String] = []
    @Option(help: ArgumentHelp(tr("Why it changes (kept in the audit log)."))) var reason: String?

    var change: SessionChange {
      SessionChange(
        day: times.date?.value, start: times.start?.minutes, end: times.end?.minutes, ue: ue, location: location,
        addTrainers: addTrainer,
        removeTrainers: removeTrainer, reason: reason)
    }

    func validate() throws {
      if session < 1 { throw ValidationError(tr("the session number must be 1 or more.")) }
      if change.isEmpty {
        throw ValidationError(
          tr("give at least one of --date, --start, --end, --ue, --location, --add-trainer, --remove-trainer."))
      }
      if let ue, !(1...24).contains(ue) { throw ValidationError(tr("--ue must be between 1 and 24.")) }
      for list in [addTrainer, removeTrainer] where Set(list.map { $0.lowercased() }).count < list.count {
        throw ValidationError(tr("a trainer is named twice."))
      }
      let both = Set(addTrainer.map { $0.lowercased() }).intersection(removeTrainer.map { $0.lowercased() })
      if let email = both.first { throw ValidationError(tr("%@ is both added and removed.", email)) }
      if let reason { try requireReason(reason) }
    }

    func run() throws {
      try reportingFailures {
        SessionCommand.report(try SessionStore(try global.connect()).change(SessionID(session), change))
      }
    }
  }

  /// The day and times `move` and `update` take.
  struct SessionTimes: ParsableArguments {
    @Option(help: ArgumentHelp(tr("New day."), valueName: "date")) var date: DateArgument?
    @Option(help: ArgumentHelp(tr("New start time."), valueName: "HH:MM")) var start: TimeArgument?
    @Option(help: ArgumentHelp(tr("New end time."), valueName: "HH:MM")) var end: TimeArgument?

    var isEmpty: Bool { date == nil && start == nil && end == nil }

    func validate() throws { try date?.requireEventDay("--date") }
  }

  /// Says what a change did and whom it concerns.
  static func report(_ outcome: SessionChangeOutcome) {
    let session = outcome.after
    guard !outcome.changes.isEmpty else {
      print(tr("Session %@ is so already; nothing changed.", session.id))
      return
    }
    print(
      tr(
        "Changed session %@ of %@ (module %@): %@.", session.id, session.course, session.module,
        outcome.changes.joined(separator: "; "))
    )
    let trainers = session.trainers.isEmpty ? tr("no trainer") : session.trainers.joined(separator: ", ")
    var concerns = tr("It concerns %@ and %@", Plural.count(outcome.participants, "participant"), trainers)
    if let messages = outcome.messagesQueued {
      concerns +=
        messages == 0
        ? tr("; no notice was queued (the session is past, or the programme sends no mail)")
        : tr("; %@ queued for beccaria mail send", Plural.count(messages, "notice"))
    }
    print(concerns + ".")
  }
}
