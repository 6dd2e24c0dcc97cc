import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension EnrolmentCommand {
  /// `beccaria enrolment list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List a cohort's enrolments with status and waiting-list position."),
      discussion: tr(
        """
        Example:
          beccaria enrolment list --course BQ-SN-2027-1 --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Cohort code."))) var course: String
    @Flag(help: ArgumentHelp(tr("Leave out withdrawn and transferred enrolments."))) var activeOnly = false

    func run() throws {
      try reportingFailures {
        let items = try EnrolmentStore(try global.connect()).list(courseCode: course, includeEnded: !activeOnly)
        try Listing(items: items, columns: EnrolmentColumns.all, title: tr("Enrolments")).print(output)
      }
    }
  }
}
