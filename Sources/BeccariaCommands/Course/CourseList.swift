import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria course list`.
struct CourseList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List cohorts with their places taken and waiting list.",
    discussion: """
      Example:
        beccaria course list --format csv
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: FormatOption
  @Option(help: "Only cohorts of this programme.") var programme: String?

  func run() throws {
    try reportingFailures {
      let items = try CourseStore(try global.connect()).list(programme: programme)
      try Listing(items: items, columns: CourseColumns.all).print(output.format)
    }
  }
}

enum CourseColumns {
  static let all: [Listing<CourseListing>.Column] = [
    .init(header: "CODE") { $0.code },
    .init(header: "TITLE") { $0.title },
    .init(header: "PROGRAMME") { "\($0.programme) v\($0.programmeVersion)" },
    .init(header: "PLACES", alignRight: true) { "\($0.enrolled)/\($0.capacity)" },
    .init(header: "WAITING", alignRight: true) { String($0.waiting) },
    .init(header: "SESSIONS", alignRight: true) { String($0.sessions) },
    .init(header: "FROM") { $0.startsOn?.description ?? "" },
    .init(header: "TO") { $0.endsOn?.description ?? "" },
    .init(header: "STATUS") { $0.status.rawValue },
  ]
}
