import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AuditCommand {
  /// `beccaria audit log`.
  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "log",
      abstract: "Show audit entries, oldest first (the newest --limit of them).",
      discussion: """
        Reading the log needs the auditor role (or the owner); the programme office cannot read it.

        Example:
          beccaria audit log --participant 17
          beccaria audit log --table attendance --since 2026-11-01 --format json
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: "Only changes to this table.") var table: String?
    @Option(help: ArgumentHelp("Only changes concerning this participant.", valueName: "id")) var participant:
      ParticipantArgument?
    @Option(help: ArgumentHelp("Only changes on or after this day (YYYY-MM-DD or DD.MM.YYYY).", valueName: "date"))
    var since: DateArgument?
    @Option(help: "At most this many entries.") var limit = 200

    func validate() throws {
      if !(1...100_000).contains(limit) { throw ValidationError("--limit must be between 1 and 100000.") }
      if let table, table.range(of: "^[a-z_]{1,63}$", options: .regularExpression) == nil {
        throw ValidationError("--table takes a table name such as attendance.")
      }
    }

    func run() throws {
      try reportingFailures {
        let entries = try AuditStore(try global.connect()).list(
          table: table, participant: participant?.id, since: since?.value, limit: limit)
        try Listing(
          items: entries,
          columns: [
            .init(header: "ID", alignRight: true) { String($0.id) },
            .init(header: "AT") { GermanTime.dateTime($0.at) },
            .init(header: "DB USER") { $0.databaseUser },
            .init(header: "ACTOR") { $0.actor ?? "" },
            .init(header: "TABLE") { $0.table },
            .init(header: "ACTION") { $0.action },
            .init(header: "KEY") { $0.key },
            .init(header: "OLD") { $0.oldValues ?? "" },
            .init(header: "NEW") { $0.newValues ?? "" },
            .init(header: "REASON") { $0.reason ?? "" },
          ]
        ).print(output.format)
      }
    }
  }
}
