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
      discussion: tr(
        """
        Example:
          beccaria mail show 42
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Message number (mail list)."), valueName: "id")) var message: Int64
    @Option(help: ArgumentHelp(tr("Output format: table or json."))) var format: OutputFormat = .table

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
        let about = [
          m.participant.map { tr("participant %@", $0) }, m.trainer.map { tr("trainer %@", $0) },
          m.serial.map { tr("certificate %@", $0) }, m.session.map { tr("session %@", $0) },
        ].compactMap { $0 }.joined(separator: ", ")
        var lines = [
          tr("Message %@ (%@): %@", m.id, Term.word(m.kind), MailWords.status(m.status)),
          tr("  to:          %@", m.recipient ?? tr("(erased)")),
          tr("  subject:     %@", m.subject ?? tr("(erased)")),
          tr("  about:       %@", about),
          tr("  queued:      %@", MailTime.format(m.queuedAt)),
          m.nextAttemptAt.map { tr("  attempts:    %@, next from %@", m.attempts, MailTime.format($0)) }
            ?? tr("  attempts:    %@", m.attempts),
        ]
        if let finished = m.finishedAt { lines.append(tr("  finished:    %@", MailTime.format(finished))) }
        if let reply = m.lastReply { lines.append(tr("  last answer: %@", MailWords.reply(reply))) }
        if let id = m.messageID { lines.append(tr("  Message-ID:  %@", id)) }
        if let original = m.resendOf {
          lines.append(tr("  resends:     message %@%@", original, m.requestedBy.map { " " + tr("(by %@)", $0) } ?? ""))
        }
        if !detail.resends.isEmpty {
          lines.append(tr("  resent as:   %@", detail.resends.map { tr("message %@", $0) }.joined(separator: ", ")))
        }
        var attachments: [String] = []
        if detail.attachesCertificate, let serial = m.serial { attachments.append("\(serial).pdf") }
        if detail.calendar != nil { attachments.append(m.kind == "cancellation" ? "absage.ics" : "termin.ics") }
        if !attachments.isEmpty { lines.append(tr("  attached:    %@", attachments.joined(separator: ", "))) }
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
