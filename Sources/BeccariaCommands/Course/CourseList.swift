import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension CourseCommand {
  /// `beccaria course list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List cohorts with their places taken and waiting list."),
      discussion: tr(
        """
        Example:
          beccaria course list --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only cohorts of this programme."))) var programme: String?

    func run() throws {
      try reportingFailures {
        let items = try CourseStore(try global.connect()).list(programme: programme)
        try Listing(items: items, columns: CourseColumns.all).print(output)
      }
    }
  }
}
