import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Postgres

extension AuditCommand {
  /// `beccaria audit log`.
  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "log",
      abstract: tr("Show audit entries, oldest first (the newest --limit of them)."),
      discussion: tr(
        """
        Reading the log needs the auditor role (or the owner); the programme office cannot read it. \
        On the screen each entry is a block: when, which login and actor, what changed and why, \
        and for a change only the fields that changed (old → new). --format csv and json give \
        whole rows as stored, every entry unless --limit is given.

        Example:
          beccaria audit log --participant 17
          beccaria audit log --table attendance --since 2026-11-01 --format json
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only changes to this table."))) var table: String?
    @Option(help: ArgumentHelp(tr("Only changes concerning this participant."), valueName: "id")) var participant:
      ParticipantArgument?
    @Option(help: ArgumentHelp(tr("Only changes on or after this day (YYYY-MM-DD or DD.MM.YYYY)."), valueName: "date"))
    var since: DateArgument?
    @Option(help: ArgumentHelp(tr("At most this many, the newest (0: all; the screen shows 200 unless told)."))) var limit: Int?

    func validate() throws {
      if let limit, limit < 0 { throw ValidationError(tr("--limit must be 0 (all) or more.")) }
      if let table, table.range(of: "^[a-z_]{1,63}$", options: .regularExpression) == nil {
        throw ValidationError(tr("--table takes a table name such as attendance."))
      }
    }

    func run() throws {
      try reportingFailures {
        let cut = limit.map { $0 == 0 ? nil : $0 } ?? (output.format == .table ? 200 : nil)
        let connection = try global.connect()
        if let table,
          try connection.queryOne(
            "SELECT to_regclass(\("public." + table)) IS NOT NULL AS known")?.decode("known", as: Bool.self) != true
        {
          throw CommandFailure(
            tr("there is no table %@ (audited tables are named in the singular: participant, session, …)", table))
        }
        let (entries, total) = try AuditStore(connection).listCounted(
          table: table, participant: participant?.id, since: since?.value, limit: cut)
        if output.format == .table {
          var text = ""
          if total > entries.count {
            text +=
              tr(
                "… %@ not shown (--limit 0 shows all).",
                Plural.count(total - entries.count, "earlier entry", plural: "earlier entries")) + "\n\n"
          }
          if entries.isEmpty { text += tr("(no entries)") + "\n" }
          for entry in entries { text += Self.block(entry) + "\n" }
          try output.emit(text, rows: entries.count)
          return
        }
        try Listing(
          items: entries,
          columns: [
            .init(header: "ID", alignRight: true) { .integer(Int64($0.id)) },
            .init(header: "AT") { .dateTime($0.at) },
            .init(header: "DB USER") { $0.databaseUser },
            .init(header: "ACTOR") { $0.actor ?? "" },
            .init(header: "TABLE") { $0.table },
            .init(header: "ACTION") { $0.action },
            .init(header: "KEY") { $0.key },
            .init(header: "OLD") { $0.oldValues ?? "" },
            .init(header: "NEW") { $0.newValues ?? "" },
            .init(header: "REASON") { $0.reason ?? "" },
          ]
        ).print(output)
        LimitNote.say(shown: entries.count, total: total, noun: "entry", plural: "entries", format: output.format)
      }
    }

    /// One entry as a readable block: a heading line, what happened, and the fields.
    static func block(_ entry: AuditEntry) -> String {
      let heading =
        tr("#%@ · %@ · login %@", entry.id, Reader.dateTime(entry.at), entry.databaseUser)
        + (entry.actor.map { $0 == entry.databaseUser ? "" : tr(" · actor %@", $0) } ?? "")
      let verb =
        ["INSERT": tr("added"), "UPDATE": tr("changed"), "DELETE": tr("deleted")][entry.action] ?? entry.action.lowercased()
      var lines = [heading, "\(entry.table) \(entry.keyValues) \(verb)" + (entry.reason.map { tr(" — reason: %@", $0) } ?? "")]
      for field in entry.fields {
        switch entry.action {
        case "UPDATE" where field.old != field.new:
          lines.append("  \(field.name): \(Self.short(field.old ?? "–")) → \(Self.short(field.new ?? "–"))")
        case "INSERT" where field.new != nil: lines.append("  \(field.name): \(Self.short(field.new ?? ""))")
        case "DELETE" where field.old != nil: lines.append(tr("  %@ was: %@", field.name, Self.short(field.old ?? "")))
        default: break
        }
      }
      return lines.map { InertText.escape($0) }.joined(separator: "\n") + "\n"
    }

    /// A value cut to 80 characters for the screen (the JSON output has it whole).
    static func short(_ value: String) -> String {
      value.count > 80 ? String(value.prefix(79)) + "…" : value
    }
  }
}
