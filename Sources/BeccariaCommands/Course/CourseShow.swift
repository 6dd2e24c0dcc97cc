import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CourseCommand {
  /// `beccaria course show CODE`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: tr("Show a cohort: schedule, roster, capacity and waiting list."),
      discussion: tr(
        """
        Example:
          beccaria course show BQ-SN-2027-1
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Cohort code."), valueName: "code")) var code: String
    @Option(help: ArgumentHelp(tr("Output format: table or json."))) var format: OutputFormat = .table

    func validate() throws {
      if format == .csv {
        throw ValidationError(tr("course show prints table or json; use session list or enrolment list for CSV."))
      }
    }

    struct Details: Encodable {
      var course: CourseListing
      var sessions: [SessionListing]
      var enrolled: [EnrolmentListing]
      var waiting: [EnrolmentListing]
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        // A trainer's login sees the cohorts it teaches in; another's would show empty lists.
        _ = try CourseStore(connection).idOfCohortTaught(code: code)
        let course = try CourseStore(connection).find(code: code)
        let sessions = try SessionStore(connection).list(courseCode: code)
        let enrolments = try EnrolmentStore(connection).list(courseCode: code, includeEnded: false)
        let details = Details(
          course: course, sessions: sessions, enrolled: enrolments.filter { $0.status == .enrolled },
          waiting: enrolments.filter { $0.status == .waiting })
        if format == .json {
          print(try JSONOutput.encode(details), terminator: "")
          return
        }
        print("\(course.code) — \(course.title)")
        print(
          tr(
            "Programme %@ version %@; %@; status %@", course.programme, course.programmeVersion,
            course.venue ?? tr("no venue set"), Term.word(course.status.rawValue))
        )
        print(
          tr(
            "Places: %@ of %@ taken, %@ free, %@ waiting", course.enrolled, course.capacity, course.capacity - course.enrolled,
            course.waiting) + "\n"
        )
        print(tr("Schedule (%@, %@ UE):", Plural.count(sessions.count, "session"), sessions.reduce(0) { $0 + $1.ue }))
        print(try Listing(items: sessions, columns: SessionColumns.all).render(.table))
        print(tr("Roster (%@):", details.enrolled.count))
        print(try Listing(items: details.enrolled, columns: EnrolmentColumns.roster).render(.table))
        print(tr("Waiting list (%@):", details.waiting.count))
        print(try Listing(items: details.waiting, columns: EnrolmentColumns.waiting).render(.table), terminator: "")
      }
    }
  }
}
