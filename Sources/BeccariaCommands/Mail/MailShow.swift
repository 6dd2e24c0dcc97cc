import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension MailCommand {
  /// `beccaria mail show ID`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: tr("Show one message: its status, attempts, the server's last answer and its text."),
      discussion: """
        Example:
          beccaria mail show 42
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("Message number (mail list).", valueName: "id")) var message: Int64
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func validate() throws {
      if message < 1 { throw ValidationError(tr("the message number must be 1 or more.")) }
      if format == .csv { throw ValidationError(tr("mail show prints table or json.")) }
    }

    func run() throws {
      try reportingFailures {
        let detail = try MailStore(try global.connect()).show(message)
        if format == .json {
          print(try JSONOutput.encode(detail), terminator: "")
          return
        }
        let m = detail.message
        var lines = [
          "Message \(m.id) (\(m.kind)): \(m.status)",
          "  to:          \(m.recipient ?? "(erased)")",
          "  subject:     \(m.subject ?? "(erased)")",
          "  about:       "
            + ([
              m.participant.map { "participant \($0)" }, m.trainer.map { "trainer \($0)" }, m.serial.map { "certificate \($0)" },
              m.session.map { "session \($0)" },
            ].compactMap { $0 }.joined(separator: ", ")),
          "  queued:      \(MailTime.format(m.queuedAt))",
          "  attempts:    \(m.attempts)" + (m.nextAttemptAt.map { ", next from \(MailTime.format($0))" } ?? ""),
        ]
        if let finished = m.finishedAt { lines.append("  finished:    \(MailTime.format(finished))") }
        if let reply = m.lastReply { lines.append("  last answer: \(reply)") }
        if let id = m.messageID { lines.append("  Message-ID:  \(id)") }
        if let original = m.resendOf {
          lines.append("  resends:     message \(original)\(m.requestedBy.map { " (by \($0))" } ?? "")")
        }
        if !detail.resends.isEmpty {
          lines.append("  resent as:   " + detail.resends.map { "message \($0)" }.joined(separator: ", "))
        }
        var attachments: [String] = []
        if detail.attachesCertificate, let serial = m.serial { attachments.append("\(serial).pdf") }
        if detail.calendar != nil { attachments.append(m.kind == "cancellation" ? "absage.ics" : "termin.ics") }
        if !attachments.isEmpty { lines.append("  attached:    " + attachments.joined(separator: ", ")) }
        print(lines.map { InertText.escape($0) }.joined(separator: "\n"))
        if let body = detail.body {
          print("")
          print(InertText.escape(body, keepNewlines: true), terminator: body.hasSuffix("\n") ? "" : "\n")
        } else if let deleted = detail.bodyDeletedAt {
          print(tr("\n(The text was deleted on %@.)", MailTime.format(deleted)))
        }
      }
    }
  }
}
