import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CourseCommand {
  /// `beccaria course update`.
  struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update",
      abstract: "Change a cohort's capacity, title, venue or dates.",
      discussion: """
        A larger capacity gives its new places to the waiting list at once, first come first \
        served (the database does this for psql too); a capacity below the places taken, or dates \
        that would leave a planned session outside the cohort, are refused. Options not given \
        stay as they are.

        Example:
          beccaria course update BQ-SN-2027-1 --capacity 28
          beccaria course update BQ-SN-2027-1 --venue "Leipzig, Rathaus" --ends 2027-07-10
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("Cohort code.", valueName: "code")) var code: String
    @Option(help: "Title.") var title: String?
    @Option(help: "Places (1–500).") var capacity: Int?
    @Option(help: "Where the cohort meets.") var venue: String?
    @Option(help: ArgumentHelp("First day.", valueName: "date")) var starts: DateArgument?
    @Option(help: ArgumentHelp("Last day.", valueName: "date")) var ends: DateArgument?

    func validate() throws {
      if title == nil && capacity == nil && venue == nil && starts == nil && ends == nil {
        throw ValidationError("give at least one of --title, --capacity, --venue, --starts, --ends.")
      }
      if let capacity, !(1...500).contains(capacity) { throw ValidationError("--capacity must be between 1 and 500.") }
      try CourseCommand.validate(starts: starts, ends: ends, title: title)
    }

    func run() throws {
      try reportingFailures {
        let result = try CourseStore(try global.connect()).update(
          code: code,
          CourseChange(title: title, capacity: capacity, venue: venue, startsOn: starts?.value, endsOn: ends?.value))
        let course = result.course
        print(
          "Updated cohort \(course.code): \(course.capacity) places (\(course.enrolled) enrolled, \(course.waiting) waiting), "
            + "\(course.startsOn?.description ?? "open") to \(course.endsOn?.description ?? "open")\(course.venue.map { ", \($0)" } ?? "")."
        )
        for person in result.movedUp {
          print("Moved up from the waiting list: \(person.givenNames) \(person.familyName) (\(person.id)).")
        }
      }
    }
  }
}
