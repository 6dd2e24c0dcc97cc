import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CourseCommand {
  /// `beccaria course update`.
  struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update",
      abstract: tr("Change a cohort's capacity, title, venue, dates or status."),
      discussion: tr(
        """
        A larger capacity gives its new places to the waiting list at once, first come first \
        served (the database does this for psql too); a capacity below the places taken, or dates \
        that would leave a planned session outside the cohort, are refused. --status ended or \
        cancelled closes the waiting list; cancelled (with --reason) also cancels the sessions \
        still to come that nobody was recorded at (their people are told by mail) and ends the \
        enrolments; what took place stays recorded. open or running again fills free places from \
        the waiting list. Options not given stay as they are.

        Example:
          beccaria course update BQ-SN-2027-1 --capacity 28
          beccaria course update BQ-SN-2027-1 --venue "Leipzig, Rathaus" \\
            --ends 2027-07-10
          beccaria course update BQ-SN-2027-1 --status cancelled \\
            --reason "zu wenige Anmeldungen"
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Cohort code."), valueName: "code")) var code: String
    @Option(help: ArgumentHelp(tr("Title."))) var title: String?
    @Option(help: ArgumentHelp(tr("Places (1–500)."))) var capacity: Int?
    @Option(help: ArgumentHelp(tr("Where the cohort meets."))) var venue: String?
    @Option(help: ArgumentHelp(tr("First day."), valueName: "date")) var starts: DateArgument?
    @Option(help: ArgumentHelp(tr("Last day."), valueName: "date")) var ends: DateArgument?
    @Option(help: ArgumentHelp(tr("open, running, ended or cancelled."), valueName: "status")) var status: CourseStatus?
    @Option(help: ArgumentHelp(tr("Why it changes (kept in the audit log)."))) var reason: String?

    func validate() throws {
      if title == nil && capacity == nil && venue == nil && starts == nil && ends == nil && status == nil {
        throw ValidationError(tr("give at least one of --title, --capacity, --venue, --starts, --ends, --status."))
      }
      if let reason { try requireReason(reason) }
      if status == .cancelled && reason == nil {
        throw ValidationError(tr("--status cancelled needs --reason (it is kept in the audit log)."))
      }
      if let capacity, !(1...500).contains(capacity) { throw ValidationError(tr("--capacity must be between 1 and 500.")) }
      try CourseCommand.validate(starts: starts, ends: ends, title: title)
    }

    func run() throws {
      try reportingFailures {
        let result = try CourseStore(try global.connect()).update(
          code: code,
          CourseChange(
            title: title, capacity: capacity, venue: venue, startsOn: starts?.value, endsOn: ends?.value, status: status,
            reason: reason))
        let course = result.course
        print(
          tr(
            "Updated cohort %@ (%@): %@ places (%@ enrolled, %@ waiting), %@ to %@", course.code,
            Term.word(course.status.rawValue),
            course.capacity, course.enrolled, course.waiting, course.startsOn.map(Reader.date) ?? tr("open"),
            course.endsOn.map(Reader.date) ?? tr("open")) + (course.venue.map { ", \($0)" } ?? "") + "."
        )
        for person in result.movedUp {
          print(tr("Moved up from the waiting list: %@ %@ (%@).", person.givenNames, person.familyName, person.id))
        }
        if result.sessionsCancelled + result.enrolmentsEnded > 0 {
          print(
            tr(
              "Cancelled %@ still to come and ended %@.", Plural.count(result.sessionsCancelled, "session"),
              Plural.count(result.enrolmentsEnded, "enrolment")))
        }
        if !result.waitingListClosed.isEmpty {
          print(
            tr("The waiting list is closed; no longer waiting: ")
              + result.waitingListClosed.map { "\($0.givenNames) \($0.familyName) (\($0.id))" }.joined(separator: ", ") + ".")
        }
      }
    }
  }
}
