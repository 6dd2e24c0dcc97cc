import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension SessionCommand {
  /// `beccaria session list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "List a cohort's sessions in time order.",
      discussion: """
        Example:
          beccaria session list --course BQ-SN-2027-1 --format csv
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: "Cohort code.") var course: String

    func run() throws {
      try reportingFailures {
        let items = try SessionStore(try global.connect()).list(courseCode: course)
        try Listing(items: items, columns: SessionColumns.all).print(output.format)
      }
    }
  }
}
