import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Mail

extension MailCommand {
  /// `beccaria mail send`.
  struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "send",
      abstract: tr("Send every due message through the SMTP server."),
      discussion: tr(
        """
        Queues the reminders now due, deletes message texts past their retention period, then \
        claims due messages (FOR UPDATE SKIP LOCKED: several runs may go at once) and hands each \
        to the server: 2xx sent; 4xx, connection or TLS failures deferred (tried again after 5 \
        minutes, doubling up to 4 hours, until --give-up-after, then failed); 5xx failed, and a \
        5.1.x answer (no such mailbox or domain) puts the address on the suppression list. A \
        message left "sending" by a killed run is sent by the next with the same Message-ID.

        The server and sender come from options or the environment: BECCARIA_SMTP_URL, \
        BECCARIA_SMTP_CREDENTIALS (a netrc file: machine HOST login USER password PASS, mode \
        0600, read by libcurl), BECCARIA_MAIL_FROM, BECCARIA_MAIL_REPLY_TO, BECCARIA_MAIL_RETURN_PATH. Credentials never \
        appear in output or logs. Exit status: 0 when every due message was sent or deferred, 3 \
        when some failed for good (mail list --status failed), 4 when the run stopped because the \
        server could not be reached or refused the login (nothing is lost: the messages wait), 1 \
        on other errors. Runs as the office (admin) or a login with the role mailer. A local test \
        server or a relay on this host without STARTTLS needs --starttls never.

        Example:
          beccaria mail send --smtp-url smtp://mail.lpr.sachsen.de:587 \\
            --smtp-credentials /etc/beccaria/smtp.netrc \\
            --from "Landespräventionsrat Sachsen <beccaria@lpr.sachsen.de>" --workers 2
          beccaria mail send --dry-run
        """))

    @OptionGroup var global: GlobalOptions
    @Option(
      help: ArgumentHelp(
        tr("smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT] (default: BECCARIA_SMTP_URL)."), valueName: "url"))
    var smtpURL: String?
    @Option(help: ArgumentHelp(tr("STARTTLS on smtp://: required (default), opportunistic or never (a relay on this host).")))
    var starttls: StartTLSArgument = .required
    @Option(help: ArgumentHelp(tr("Certificate authorities to trust (PEM) instead of the system's."), valueName: "file"))
    var caFile: String?
    @Option(
      help: ArgumentHelp(tr("netrc file with the login, mode 0600 (default: BECCARIA_SMTP_CREDENTIALS)."), valueName: "file"))
    var smtpCredentials: String?
    @Option(help: ArgumentHelp(tr("Sender, \"Name <address>\" (default: BECCARIA_MAIL_FROM)."), valueName: "address"))
    var from: String?
    @Option(help: ArgumentHelp(tr("Where answers go (default: BECCARIA_MAIL_REPLY_TO, else the sender)."), valueName: "address"))
    var replyTo: String?
    @Option(help: ArgumentHelp(tr("Envelope sender, where bounces go (default: the sender's address)."), valueName: "address"))
    var returnPath: String?
    @Flag(
      help: ArgumentHelp(
        tr("Put each message's number into the envelope sender (office+m42@…), so every bounce names its message.")))
    var perMessageReturnPath = false
    @Option(help: ArgumentHelp(tr("Messages sent at once, each worker with its own connections."))) var workers = 2
    @Option(help: ArgumentHelp(tr("Messages one worker claims at a time."))) var batch = 20
    @Flag(help: ArgumentHelp(tr("Try deferred messages now instead of at their time (after the server was repaired).")))
    var retryDeferred = false
    @Option(help: ArgumentHelp(tr("A deferred message fails this many hours after its first attempt."), valueName: "hours"))
    var giveUpAfter = 120
    @Option(help: ArgumentHelp(tr("Time limit for handing over one message."), valueName: "seconds")) var timeout = 60
    @Option(help: ArgumentHelp(tr("Time limit for connecting."), valueName: "seconds")) var connectTimeout = 10
    @Flag(help: ArgumentHelp(tr("Show what would be sent; change nothing, connect to no SMTP server."))) var dryRun = false
    @Option(help: ArgumentHelp(tr("Output format of the summary: table or json."))) var format: OutputFormat = .table

    enum StartTLSArgument: String, ExpressibleByArgument, CaseIterable {
      case required, opportunistic, never
    }

    func validate() throws {
      if !(1...32).contains(workers) { throw ValidationError(tr("--workers must be between 1 and 32.")) }
      if !(1...500).contains(batch) { throw ValidationError(tr("--batch must be between 1 and 500.")) }
      if !(1...24 * 60).contains(giveUpAfter) { throw ValidationError(tr("--give-up-after must be between 1 and 1440 hours.")) }
      if !(1...3600).contains(timeout) { throw ValidationError(tr("--timeout must be between 1 and 3600 seconds.")) }
      if !(1...600).contains(connectTimeout) { throw ValidationError(tr("--connect-timeout must be between 1 and 600 seconds.")) }
      if format == .csv { throw ValidationError(tr("mail send prints table or json.")) }
    }

    func settings() throws -> SMTPSettings {
      let environment = ProcessInfo.processInfo.environment
      func value(_ option: String?, _ name: String) -> String? {
        (option ?? environment[name]).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
      }
      guard let url = value(smtpURL, "BECCARIA_SMTP_URL") else {
        throw CommandFailure(tr("no SMTP server: give --smtp-url smtp://HOST:587 or set BECCARIA_SMTP_URL"))
      }
      guard let fromText = value(from, "BECCARIA_MAIL_FROM") else {
        throw CommandFailure(tr("no sender: give --from \"Name <address>\" or set BECCARIA_MAIL_FROM"))
      }
      guard let sender = MailAddress(fromText) else {
        throw CommandFailure(tr("the sender \"%@\" is not an address (\"Name <local@domain>\" or local@domain)", fromText))
      }
      var reply: MailAddress?
      if let text = value(replyTo, "BECCARIA_MAIL_REPLY_TO") {
        guard let address = MailAddress(text) else { throw CommandFailure(tr("the Reply-To \"%@\" is not an address", text)) }
        reply = address
      }
      let settings = SMTPSettings(
        url: url,
        startTLS: SMTPSettings.StartTLS(rawValue: starttls.rawValue) ?? .required, caFile: caFile,
        credentialsFile: value(smtpCredentials, "BECCARIA_SMTP_CREDENTIALS"), from: sender, replyTo: reply,
        returnPath: value(returnPath, "BECCARIA_MAIL_RETURN_PATH"), perMessageReturnPath: perMessageReturnPath,
        connectTimeout: connectTimeout, timeout: timeout)
      if let problem = settings.problems().first { throw CommandFailure(problem) }
      return settings
    }

    func run() throws {
      let summary: MailRunSummary = try reportingFailures {
        if dryRun {
          let due = try MailStore(try global.connect()).due(retryDeferred: retryDeferred)
          if format == .json {
            print(try JSONOutput.encode(due), terminator: "")
          } else {
            print(
              try Listing(
                items: due,
                columns: [
                  .init(header: "ID", alignRight: true) { $0.id.map(String.init) ?? tr("new") },
                  .init(header: "KIND") { Term.word($0.kind) },
                  .init(header: "STATUS") { $0.id == nil ? tr("reminder to queue") : MailWords.status($0.status) },
                  .init(header: "TO", label: "RECIPIENT") { .text($0.recipient) },
                  .init(header: "SUBJECT") { $0.subject ?? "" },
                ]
              ).render(.table), terminator: "")
            let reminders = due.filter { $0.id == nil }.count
            print(
              tr("Would send %@", Plural.count(due.count, "message"))
                + (reminders > 0 ? " " + tr("(%@ queued first)", Plural.count(reminders, "reminder")) : "")
                + tr("; nothing was changed."))
          }
          return MailRunSummary()
        }
        let options = MailRunOptions(
          settings: try settings(), workers: workers, batch: batch, retryDeferred: retryDeferred,
          giveUpAfterHours: giveUpAfter)
        let database = try global.makeDatabase()
        // The schema is checked once; workers open their own connections.
        let first = try database.connect()
        try database.requireCurrentSchema(first)
        let summary = try format.content { try MailRun(options: options) { try database.connect() }.run() }
        if format == .json {
          print(try JSONOutput.encode(summary), terminator: "")
        } else {
          print(Self.describe(summary))
        }
        return summary
      }
      if summary.stoppedBecause != nil { throw ExitCode(4) }
      if summary.failed > 0 { throw ExitCode(3) }
    }

    static func describe(_ summary: MailRunSummary) -> String {
      var lines = [
        tr(
          "Sent %@; %@ deferred, %@ failed, %@ not sent to suppressed addresses. %@ queued; %@ deleted after the retention period.",
          Plural.count(summary.sent, "message"), summary.deferred, summary.failed, summary.suppressed,
          Plural.count(summary.remindersQueued, "reminder"), Plural.count(summary.bodiesPurged, "message text"))
      ]
      for problem in summary.problems.prefix(50) {
        lines.append(
          tr("  message %@ to %@: %@ — %@", problem.message, problem.recipient, MailWords.status(problem.status), problem.reply)
            + (problem.suppressed ? " " + tr("(the address is now on the suppression list)") : ""))
      }
      if summary.problems.count > 50 {
        lines.append(tr("  … and %@ more: mail list --status deferred / failed", summary.problems.count - 50))
      }
      if let postponed = summary.postponed { lines.append(tr("Note: %@.", postponed)) }
      if let reason = summary.stoppedBecause {
        lines.append(tr("Stopped: %@. Nothing is lost.", reason))
      }
      if summary.waiting > 0 {
        if let next = summary.nextAttempt {
          lines.append(
            trn(
              "%@ message waits for a later run (the next deferred one from %@; --retry-deferred tries them now).",
              "%@ messages wait for a later run (the next deferred one from %@; --retry-deferred tries them now).",
              summary.waiting, summary.waiting, MailTime.format(next)))
        } else {
          lines.append(
            trn("%@ message waits for a later run.", "%@ messages wait for a later run.", summary.waiting, summary.waiting))
        }
      }
      if summary.failed > 0 {
        lines.append(
          tr("Failed messages are not tried again: mail list --status failed; correct the address, then mail resend ID."))
      }
      return lines.map { InertText.escape($0) }.joined(separator: "\n")
    }
  }
}
