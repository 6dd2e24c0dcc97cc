import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AttendanceCommand {
  /// `beccaria attendance roster`.
  struct Roster: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "roster",
      abstract: "Show who is expected at a session and what is recorded so far.",
      discussion: """
        Example:
          beccaria attendance roster --session 3
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp("Session number.", valueName: "id")) var session: SessionArgument

    func run() throws {
      try reportingFailures {
        let store = AttendanceStore(try global.connect())
        let header = try store.header(SessionID(session.id))
        let roster = try store.roster(SessionID(session.id))
        if output.format == .table {
          print(
            "Session \(header.id): \(header.course), module \(header.module) \(header.moduleTitle), \(header.day.german) \(header.startsAt)–\(header.endsAt), \(header.ue) UE"
          )
        }
        try Listing(
          items: roster,
          columns: [
            .init(header: "ID", alignRight: true) { $0.participantID.description },
            .init(header: "NAME") { "\($0.familyName), \($0.givenNames)" },
            .init(header: "ORGANISATION") { $0.organisation ?? "" },
            .init(header: "MUNICIPALITY") { $0.municipality ?? "" },
            .init(header: "STATUS") { $0.status?.rawValue ?? "" },
            .init(header: "UE", alignRight: true) { $0.ueAttended.map(UE.format) ?? "" },
            .init(header: "") { $0.makeUp ? "make-up" : $0.singleModules ? "single module" : "" },
          ]
        ).print(output.format)
      }
    }
  }
}
