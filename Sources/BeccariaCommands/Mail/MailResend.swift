import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension MailCommand {
  /// `beccaria mail resend ID`.
  struct Resend: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "resend",
      abstract: tr("Queue a finished message again, as a new message."),
      discussion: tr(
        """
        The new message has the same text and attachments and goes to --to, or else to the \
        person's current address (corrected since, perhaps). The next mail send sends it. A \
        message whose text was deleted after the retention period, or to a person who was \
        erased, cannot be sent again; an address on the suppression list must be removed from it \
        first (mail unsuppress).

        Example:
          beccaria mail resend 42
          beccaria mail resend 42 --to anna.neu@example.org
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Message number (mail list)."), valueName: "id")) var message: Int64
    @Option(help: ArgumentHelp(tr("Send to this address instead."), valueName: "address")) var to: String?

    func validate() throws {
      if message < 1 { throw ValidationError(tr("the message number must be 1 or more.")) }
      if let to, let problem = Validation.email(to) { throw ValidationError("--to \(problem).") }
    }

    func run() throws {
      try reportingFailures {
        let store = MailStore(try global.connect())
        let made = try store.resend(message, to: to?.trimmingCharacters(in: .whitespaces))
        let detail = try store.show(made)
        print(
          InertText.escape(
            tr(
              "Queued message %@, a copy of message %@, to %@; the next mail send sends it.", made, message,
              detail.message.recipient ?? "?")))
      }
    }
  }

  /// `beccaria mail cancel ID`.
  struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "cancel",
      abstract: tr("Do not send a queued or deferred message."),
      discussion: tr(
        """
        Example:
          beccaria mail cancel 42
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Message number (mail list)."), valueName: "id")) var message: Int64

    func validate() throws {
      if message < 1 { throw ValidationError(tr("the message number must be 1 or more.")) }
    }

    func run() throws {
      try reportingFailures {
        let store = MailStore(try global.connect())
        try store.cancel(message)
        let detail = try store.show(message)
        print(InertText.escape(tr("Cancelled message %@ to %@: it will not be sent.", message, detail.message.recipient ?? "?")))
      }
    }
  }
}
