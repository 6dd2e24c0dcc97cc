import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension MailCommand {
  /// `beccaria mail list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List messages of the outbox, oldest first."),
      discussion: tr(
        """
        Statuses: queued, sending, deferred (tried again later), sent, failed, bounced (a \
        delivery report came back), cancelled, suppressed (the address is on the suppression \
        list). Kinds: certificate, reissue, offer, reminder, change, cancellation.

        Example:
          beccaria mail list --status failed
          beccaria mail list --participant 17 --format json
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only messages with this status."))) var status: MailStatusArgument?
    @Option(help: ArgumentHelp(tr("Only messages of this kind."))) var kind: MailKind?
    @Option(help: ArgumentHelp(tr("Only messages to or about this participant."), valueName: "id")) var participant: Int64?
    @Option(help: ArgumentHelp(tr("At most this many in the table, the newest (0: all); JSON and CSV have every message.")))
    var limit = 200

    func validate() throws {
      if limit < 0 { throw ValidationError(tr("--limit must be 0 (all) or more.")) }
      if let participant, participant < 1 { throw ValidationError(tr("--participant must be a participant number.")) }
    }

    func run() throws {
      try reportingFailures {
        let store = MailStore(try global.connect())
        let all = try store.list(
          status: status?.rawValue, kind: kind?.rawValue, participant: participant.map { ParticipantID($0) }, limit: nil)
        let shown = limit == 0 || output.format != .table ? all : Array(all.suffix(limit))
        try Listing(items: shown, columns: MailColumns.listing).print(output)
        if shown.count < all.count {
          print(
            tr("… %@ not shown (--limit 0 shows all).", Plural.count(all.count - shown.count, "older message"))
          )
        }
      }
    }
  }
}

extension MailKind: StateWordArgument {}

/// The statuses of a message (schema 0024).
enum MailStatusArgument: String, StateWordArgument {
  case queued, sending, deferred, sent, failed, bounced, cancelled, suppressed
}

enum MailColumns {
  static let listing: [Listing<MailListing>.Column] = [
    .init(header: "ID", alignRight: true) { .integer(Int64($0.id)) },
    .init(header: "KIND") { MailWords.kindCell($0.kind) },
    .init(header: "STATUS") { MailWords.statusCell($0.status) },
    .init(header: "TO", label: "RECIPIENT") {
      $0.recipient.map(Cell.text) ?? .localised(machine: "(erased)", human: tr("(erased)"))
    },
    .init(header: "SUBJECT") { $0.subject ?? "" },
    .init(header: "TRIES", alignRight: true) { .integer(Int64($0.attempts)) },
    .init(header: "QUEUED") { .dateTime($0.queuedAt) },
    .init(header: "DONE / NEXT TRY") { ($0.finishedAt ?? $0.nextAttemptAt).map(Cell.dateTime) ?? .empty },
    .init(header: "LAST ANSWER") { .localised(machine: $0.lastReply ?? "", human: MailWords.reply($0.lastReply ?? "")) },
  ]
}
