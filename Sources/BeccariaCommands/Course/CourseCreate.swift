import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CourseCommand {
  /// `beccaria course create`.
  struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "create",
      abstract: tr("Open a cohort, pinned to the programme's current version."),
      discussion: tr(
        """
        Example:
          beccaria course create --programme beccaria-fachkraft --code BQ-SN-2027-1 \\
            --capacity 25 --venue "Dresden, Landespräventionsrat" \\
            --starts 2027-03-06
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Programme code."))) var programme: String
    @Option(help: ArgumentHelp(tr("Cohort code: capital letters, digits and hyphens (BQ-SN-2027-1)."))) var code: String
    @Option(help: ArgumentHelp(tr("Title (default: programme title and code)."))) var title: String?
    @Option(help: ArgumentHelp(tr("Places (1–500)."))) var capacity = 25
    @Option(help: ArgumentHelp(tr("Where the cohort meets."))) var venue: String?
    @Option(help: ArgumentHelp(tr("First day."), valueName: "date")) var starts: DateArgument?
    @Option(help: ArgumentHelp(tr("Last day."), valueName: "date")) var ends: DateArgument?

    func validate() throws {
      if code.range(of: "^[A-Z0-9][A-Z0-9-]{1,40}$", options: .regularExpression) == nil {
        throw ValidationError(tr("--code must be capital letters, digits and hyphens, like BQ-SN-2027-1."))
      }
      if !(1...500).contains(capacity) { throw ValidationError(tr("--capacity must be between 1 and 500.")) }
      try CourseCommand.validate(starts: starts, ends: ends, title: title)
    }

    func run() throws {
      try reportingFailures {
        let course = try CourseStore(try global.connect()).create(
          NewCourse(
            programmeCode: programme, code: code, title: title, capacity: capacity, venue: venue,
            startsOn: starts?.value, endsOn: ends?.value))
        print(
          tr(
            "Opened cohort %@ (%@), %@ places, programme %@ version %@.", course.code, course.title, course.capacity,
            course.programme, course.programmeVersion)
        )
      }
    }
  }
}
