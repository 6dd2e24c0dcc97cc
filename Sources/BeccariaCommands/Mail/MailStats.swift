import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension MailCommand {
  /// `beccaria mail stats`.
  struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "stats",
      abstract: tr("Count messages by kind and status; the oldest still waiting."),
      discussion: tr(
        """
        Example:
          beccaria mail stats
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Output format: table or json."))) var format: OutputFormat = .table

    func validate() throws {
      if format == .csv { throw ValidationError(tr("mail stats prints table or json.")) }
    }

    func run() throws {
      try reportingFailures {
        let statistics = try MailStore(try global.connect()).statistics()
        if format == .json {
          print(try JSONOutput.encode(statistics), terminator: "")
          return
        }
        let statuses = MailStatusArgument.allCases.map(\.rawValue)
        let kinds = MailKind.allCases.map(\.rawValue)
        struct Line: Encodable {
          var kind: String
          var counts: [Int]
        }
        let lines = kinds.map { kind in
          Line(
            kind: kind,
            counts: statuses.map { status in
              statistics.counts.first { $0.kind == kind && $0.status == status }?.messages ?? 0
            })
        }
        var columns: [Listing<Line>.Column] = [.init(header: "KIND") { Term.word($0.kind) }]
        for (index, status) in statuses.enumerated() {
          columns.append(
            .init(header: status == "failed" ? tr("FAILED") : Term.word(status).uppercased(), alignRight: true) {
              .integer(Int64($0.counts[index]))
            })
        }
        print(try Listing(items: lines, columns: columns).render(.table), terminator: "")
        print(
          tr(
            "Sent in the last 24 hours: %@; failed or bounced in the last 7 days: %@.", statistics.sentLast24Hours,
            statistics.failedLast7Days)
        )
        print(tr("Addresses on the suppression list: %@.", statistics.suppressedAddresses))
        if let oldest = statistics.oldestWaiting {
          print(tr("Oldest message still waiting: queued %@.", Reader.dateTime(oldest)))
        } else {
          print(tr("No message is waiting."))
        }
      }
    }
  }

  /// `beccaria mail suppressed`.
  struct Suppressed: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "suppressed",
      abstract: tr("List the addresses that are not mailed (a permanent address error or a bounce)."),
      discussion: tr(
        """
        Example:
          beccaria mail suppressed --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() throws {
      try reportingFailures {
        try Listing(
          items: try MailStore(try global.connect()).suppressed(),
          columns: [
            .init(header: "ADDRESS") { $0.address },
            .init(header: "SINCE") { .dateTime($0.since) },
            .init(header: "MESSAGE", alignRight: true) { $0.message.map(String.init) ?? "" },
            .init(header: "REASON") { $0.reason },
          ]
        ).print(output)
      }
    }
  }

  /// `beccaria mail unsuppress ADDRESS`.
  struct Unsuppress: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "unsuppress",
      abstract: tr("Mail an address on the suppression list again (its mailbox was repaired)."),
      discussion: tr(
        """
        Example:
          beccaria mail unsuppress anna.schulz@example.org
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("The address."), valueName: "address")) var address: String

    func run() throws {
      try reportingFailures {
        if try MailStore(try global.connect()).unsuppress(address) {
          print(InertText.escape(tr("%@ may be mailed again.", address)))
        } else {
          throw CommandFailure(tr("%@ is not on the suppression list", address))
        }
      }
    }
  }
}
