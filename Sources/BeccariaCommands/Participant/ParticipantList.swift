import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ParticipantCommand {
  /// `beccaria participant list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("Find participants by municipality, cohort or name."),
      discussion: tr(
        """
        --search ignores case and accents and knows German spellings: "Muller" and "Mueller" find \
        "Müller", "Koehler" finds "Köhler", "Strasse" finds "Straße", "wjenka" finds "Wjeńka"; the \
        likely-duplicate checks compare names the same way. \
        --municipality takes an AGS or a name (an ambiguous name lists the candidates). A table \
        shows the first 1,000 and says how many more there are; --format csv and json write \
        every match unless --limit is given.

        Example:
          beccaria participant list --search muller --municipality Dresden
          beccaria participant list --course BQ-SN-2027-1 --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only participants of this municipality (AGS or name)."), valueName: "ags-or-name"))
    var municipality: String?
    @Option(help: ArgumentHelp(tr("Only participants enrolled or waiting in this cohort."), valueName: "code")) var course:
      String?
    @Option(help: ArgumentHelp(tr("Part of a name or e-mail."))) var search: String?
    @Option(help: ArgumentHelp(tr("At most this many rows (0: all; a table shows 1,000 unless told)."))) var limit: Int?

    func validate() throws {
      if let limit, limit < 0 { throw ValidationError(tr("--limit must be 0 (all) or more.")) }
      if let search, search.trimmingCharacters(in: .whitespaces).isEmpty {
        throw ValidationError(tr("--search must not be empty."))
      }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let ags = try municipality.map { try MunicipalityStore(connection).resolve($0).ags }
        let cut = limit.map { $0 == 0 ? nil : $0 } ?? (output.format == .table ? 1000 : nil)
        let (items, total) = try ParticipantStore(connection).listCounted(
          .init(municipality: ags, course: course, search: search?.trimmingCharacters(in: .whitespaces), limit: cut))
        try Listing(
          items: items,
          columns: [
            .init(header: "ID", alignRight: true) { .integer($0.id.rawValue) },
            .init(header: "NAME", formats: [.table, .csv]) { $0.displayName },
            .init(header: "FAMILY NAME", formats: [.xlsx]) { $0.familyName },
            .init(header: "GIVEN NAMES", formats: [.xlsx]) { $0.givenNames },
            .init(header: "BORN") { $0.birthDate.map(Cell.date) ?? .empty },
            .init(header: "E-MAIL") { $0.email ?? "" },
            .init(header: "MUNICIPALITY") { $0.municipality ?? "" },
            .init(header: "ORGANISATION") { $0.organisation ?? "" },
          ],
          title: tr("Participants")
        ).print(output)
        LimitNote.say(shown: items.count, total: total, noun: "participant", format: output.format)
      }
    }
  }
}
