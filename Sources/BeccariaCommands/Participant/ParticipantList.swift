import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ParticipantCommand {
  /// `beccaria participant list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "Find participants by municipality, cohort or name.",
      discussion: """
        --search ignores case and accents: "Muller" finds "Müller", "wjenka" finds "Wjeńka".

        Example:
          beccaria participant list --search muller --municipality 14612000
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp("Only participants of this municipality.", valueName: "ags")) var municipality: String?
    @Option(help: ArgumentHelp("Only participants enrolled or waiting in this cohort.", valueName: "code")) var course: String?
    @Option(help: "Part of a name or e-mail.") var search: String?
    @Option(help: "At most this many rows.") var limit = 1000

    func validate() throws {
      if limit < 1 { throw ValidationError("--limit must be 1 or more.") }
      if let search, search.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--search must not be empty.") }
    }

    func run() throws {
      try reportingFailures {
        let items = try ParticipantStore(try global.connect()).list(
          .init(municipality: municipality, course: course, search: search?.trimmingCharacters(in: .whitespaces), limit: limit))
        try Listing(
          items: items,
          columns: [
            .init(header: "ID", alignRight: true) { $0.id.description },
            .init(header: "NAME") { $0.displayName },
            .init(header: "BORN") { $0.birthDate?.description ?? "" },
            .init(header: "E-MAIL") { $0.email ?? "" },
            .init(header: "MUNICIPALITY") { $0.municipality ?? "" },
            .init(header: "ORGANISATION") { $0.organisation ?? "" },
          ]
        ).print(output.format)
      }
    }
  }
}
