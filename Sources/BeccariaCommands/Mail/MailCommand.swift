import ArgumentParser
import BeccariaCore
import Foundation
import Mail

/// `beccaria mail`.
struct MailCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mail",
    abstract: tr("Send the office's mail from the outbox, and see what was sent."),
    discussion: tr(
      """
      Messages are queued by the database in the same transaction as what causes them: a \
      certificate issued or re-issued (to its holder, the PDF attached), a place given from the \
      waiting list (to the person, a copy to the office), a session moved or cancelled (to its \
      participants and trainers, with an .ics file), and reminders before sessions (queued by \
      mail send). Texts come from the programme definition's `mail` section.
      """),
    subcommands: [
      Send.self, List.self, Show.self, Resend.self, Cancel.self, Stats.self, Bounces.self, Suppressed.self,
      Unsuppress.self,
    ])
}

/// Time as the office reads it in mail listings.
enum MailTime {
  static func format(_ date: Date?) -> String { date.map(Reader.dateTime) ?? "" }
}

/// A message's kind and status as the reader reads them; the keys stay in CSV and JSON.
enum MailWords {
  /// "failed" of a message is not an exam's "failed" (`Term`): the heading's word serves.
  static func status(_ key: String) -> String {
    key == "failed" ? tr("FAILED").lowercased() : Term.word(key)
  }

  /// A reply the outbox wrote itself (schema 0024, 0025) in the reader's words; an SMTP
  /// server's reply as it came.
  static func reply(_ text: String) -> String {
    switch text {
    case "replaced by a later notice about the session": return tr("replaced by a later notice about the session")
    case "the address was removed before the message was sent":
      return tr("the address was removed before the message was sent")
    case "the certificate was revoked before the message was sent":
      return tr("the certificate was revoked before the message was sent")
    case "the certificate was superseded before the message was sent":
      return tr("the certificate was superseded before the message was sent")
    default: return SMTPClient.reasons.localised(text)
    }
  }

  static func kindCell(_ key: String) -> Cell { .localised(machine: key, human: Term.word(key)) }
  static func statusCell(_ key: String) -> Cell { .localised(machine: key, human: status(key)) }
}
