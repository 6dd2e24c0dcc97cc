import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria session list`.
struct SessionList: ParsableCommand {
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

enum SessionColumns {
  static let weekdays = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
  static let all: [Listing<SessionListing>.Column] = [
    .init(header: "ID", alignRight: true) { $0.id.description },
    .init(header: "DATE") { "\(weekdays[$0.day.weekday - 1]) \($0.day)" },
    .init(header: "TIME") { "\($0.startsAt)–\($0.endsAt)" },
    .init(header: "MODULE") { "\($0.module) \($0.moduleTitle)" },
    .init(header: "UE", alignRight: true) { String($0.ue) },
    .init(header: "TRAINERS") { $0.trainers.joined(separator: ", ") },
    .init(header: "LOCATION") { $0.location ?? "" },
  ]
}
