import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ProgrammeCommand {
  /// `beccaria programme list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List programmes with their current version."),
      discussion: tr(
        """
        Example:
          beccaria programme list --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let programmes = try ProgrammeStore(connection).list()
        try Listing(
          items: programmes,
          columns: [
            .init(header: "CODE") { $0.code },
            .init(header: "TITLE") { $0.title },
            .init(header: "VERSION", alignRight: true) { .integer(Int64($0.version)) },
            .init(header: "MODULES", alignRight: true) { .integer(Int64($0.modules)) },
            .init(header: "UE", alignRight: true) { .integer(Int64($0.totalUE)) },
            .init(header: "THRESHOLD", alignRight: true) { .percent($0.attendanceThreshold) },
            .init(header: "COHORTS", alignRight: true) { .integer(Int64($0.courses)) },
            .init(header: "LOADED") { .dateTime($0.loadedAt) },
          ]
        ).print(output)
      }
    }
  }
}
