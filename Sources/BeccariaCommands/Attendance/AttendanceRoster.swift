import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AttendanceCommand {
  /// `beccaria attendance roster`.
  struct Roster: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "roster",
      abstract: tr("Show who is expected at a session and what is recorded so far."),
      discussion: tr(
        """
        A roster written with --format xlsx (or csv), filled in (STATUS, UE) and saved as CSV \
        ("CSV UTF-8" in Excel) imports back with `beccaria attendance import`.

        Example:
          beccaria attendance roster --session 3
          beccaria attendance roster --session 3 --format xlsx \\
            --output termin-3.xlsx
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Session number."), valueName: "id")) var session: SessionArgument

    func run() throws {
      try reportingFailures {
        let store = AttendanceStore(try global.connect())
        let header = try store.header(SessionID(session.id))
        let roster = try store.roster(SessionID(session.id))
        if output.format == .table {
          print(
            tr(
              "Session %@: %@, module %@ %@, %@ %@–%@, %@ UE", header.id, header.course, header.module, header.moduleTitle,
              Reader.date(header.day), header.startsAt, header.endsAt, header.ue))
        }
        try Listing(
          items: roster,
          columns: [
            .init(header: "SESSION", alignRight: true, formats: [.csv, .xlsx]) { _ in .integer(header.id.rawValue) },
            .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
            .init(header: "NAME", formats: [.table, .csv]) { "\($0.familyName), \($0.givenNames)" },
            .init(header: "FAMILY NAME", formats: [.xlsx]) { $0.familyName },
            .init(header: "GIVEN NAMES", formats: [.xlsx]) { $0.givenNames },
            .init(header: "ORGANISATION") { $0.organisation ?? "" },
            .init(header: "MUNICIPALITY") { $0.municipality ?? "" },
            .init(header: "STATUS") { $0.status.map { .term($0.rawValue) } ?? .empty },
            .init(header: "UE", alignRight: true) { $0.ueAttended.map(Cell.number) ?? .empty },
            .init(header: "ENROLMENT") { $0.makeUp ? .term("make-up") : $0.singleModules ? .term("single module") : .empty },
          ],
          title: tr("Session %@", header.id)
        ).print(output)
      }
    }
  }
}
