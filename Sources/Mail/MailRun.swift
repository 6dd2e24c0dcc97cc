import BeccariaCore
import BeccariaStore
import Foundation
import Postgres

/// How `mail send` runs.
public struct MailRunOptions: Sendable {
  public var settings: SMTPSettings
  /// Workers sending at once, each with its own database session and SMTP connection.
  public var workers: Int
  /// Messages claimed at a time by one worker.
  public var batch: Int
  /// Try deferred messages now instead of at their time (after the server was repaired).
  public var retryDeferred: Bool
  /// A deferred message fails when this many hours have passed since its first attempt.
  public var giveUpAfterHours: Int

  public init(settings: SMTPSettings, workers: Int, batch: Int, retryDeferred: Bool, giveUpAfterHours: Int) {
    self.settings = settings
    self.workers = workers
    self.batch = batch
    self.retryDeferred = retryDeferred
    self.giveUpAfterHours = giveUpAfterHours
  }
}

/// What one `mail send` did.
public struct MailRunSummary: Sendable, Codable, Equatable {
  /// One message that was not sent this time, and why.
  public struct Problem: Sendable, Codable, Equatable {
    public var message: Int64
    public var recipient: String
    public var status: String
    public var reply: String
    /// Whether the address went on the suppression list.
    public var suppressed: Bool
  }

  public var remindersQueued = 0
  public var bodiesPurged = 0
  public var sent = 0
  public var deferred = 0
  public var failed = 0
  /// Messages to an address on the suppression list, finished without sending.
  public var suppressed = 0
  public var problems: [Problem] = []
  /// Why the run stopped before the queue was empty: the server could not be reached, or it
  /// refused the login. The message it was sending is deferred; those it had not tried wait as
  /// they were.
  public var stoppedBecause: String?
  /// What this run left to the next one, as a sentence (a lock held elsewhere), if anything.
  public var postponed: String?
  /// Messages waiting after the run (queued, deferred, or being sent by another run).
  public var waiting = 0
  /// When the next deferred message is tried again.
  public var nextAttempt: Date?

  public init() {}
}

/// The sending side of the outbox: workers claim due messages (`mail_claim`, FOR UPDATE SKIP
/// LOCKED), hand each to the SMTP server through libcurl, and record the outcome
/// (`mail_record`) right after, message by message. The run registers a claimant and holds its
/// row locked from a connection of its own for as long as it runs; a run that is killed loses
/// that connection, and the next claim takes its messages up again with the same Message-ID. The
/// one duplicate this allows — a server that accepted a message whose outcome was never
/// recorded — is recognisable by that Message-ID.
public final class MailRun: @unchecked Sendable {
  private let options: MailRunOptions
  private let open: @Sendable () throws -> Connection
  private let lock = NSLock()
  private var summary = MailRunSummary()
  private var stop: String?
  private var failure: (any Error)?

  public init(options: MailRunOptions, open: @escaping @Sendable () throws -> Connection) {
    self.options = options
    self.open = open
  }

  /// Queues due reminders, purges old bodies, sends every due message.
  public func run() throws -> MailRunSummary {
    SMTPClient.initialiseLibrary()
    let connection = try open()
    let store = MailStore(connection)
    // A lock held elsewhere (an office's transaction left open on a participant) delays
    // reminders and the purge to the next run; it does not keep the mail that is due.
    do {
      summary.remindersQueued = try store.queueReminders()
      summary.bodiesPurged = try store.purge()
    } catch let error as PostgresError where error.sqlState == "55P03" {
      summary.postponed = tr("reminders and the deletion of old texts wait for the next run (%@)", error.message)
    }
    let claimant = try store.newClaimant()
    // Held while this object lives: its transaction ends with the connection (or the process).
    let holder = try open()
    try MailStore(holder).hold(claimant)
    let retryBefore = options.retryDeferred ? try store.now() : nil
    // Threads of their own, not a concurrentPerform: workers wait on the network, and their
    // number is the administrator's, not the number of cores.
    let done = DispatchGroup()
    for _ in 0..<max(1, options.workers) {
      done.enter()
      // In the language of the caller: English for a JSON summary (`Localisation.inEnglish`).
      let thread = Thread(
        block: Localisation.carried { [self] in
          defer { done.leave() }
          do {
            try work(claimant, retryBefore: retryBefore)
          } catch {
            lock.withLock {
              if failure == nil { failure = error }
              // The other workers finish the message in hand and stop.
              if stop == nil { stop = tr("a worker failed: %@", "\(error)") }
            }
          }
        })
      thread.start()
    }
    withExtendedLifetime(holder) { done.wait() }
    if let failure { throw failure }
    (summary.waiting, summary.nextAttempt) = try store.waiting()
    summary.stoppedBecause = stop
    return summary
  }

  private var stopped: Bool { lock.withLock { stop != nil } }

  private func work(_ claimant: MailClaimant, retryBefore: Date?) throws {
    let connection = try open()
    let store = MailStore(connection)
    let client = try SMTPClient(settings: options.settings)
    while !stopped {
      let claimed = try store.claim(
        claimant, batch: options.batch, retryBefore: retryBefore, domain: options.settings.from.domain)
      if claimed.isEmpty { break }
      Failpoint.pass("mail-claimed")
      for mail in claimed {
        if mail.suppressed {
          lock.withLock { summary.suppressed += 1 }
          continue
        }
        if stopped {
          // Claimed but not tried: back as it was, the attempt not counted.
          try record(store, claimant, mail, outcome: "released", reply: "", addressError: false)
          continue
        }
        let outgoing = try message(mail)
        let outcome = client.send(outgoing)
        if case .sent = outcome { Failpoint.pass("mail-sent") }
        switch outcome {
        case .sent(let reply):
          try record(
            store, claimant, mail, outcome: "sent", reply: reply, addressError: false,
            returnPath: options.settings.envelopeSender(message: mail.id, messageID: mail.messageID))
        case .deferred(let reply):
          try record(store, claimant, mail, outcome: "deferred", reply: reply, addressError: false)
        case .failed(let reply, let addressError):
          try record(store, claimant, mail, outcome: "failed", reply: reply, addressError: addressError)
        case .unreachable(let reason):
          lock.withLock {
            stop =
              stop
              ?? tr("the SMTP server %@ could not be reached: %@", options.settings.url, SMTPClient.reasons.localised(reason))
          }
          try record(store, claimant, mail, outcome: "deferred", reply: reason, addressError: false)
        case .refused(let reason):
          lock.withLock {
            stop = stop ?? tr("the SMTP server %@ refused %@", options.settings.url, SMTPClient.reasons.localised(reason))
          }
          try record(store, claimant, mail, outcome: "deferred", reply: reason, addressError: false)
        }
      }
    }
  }

  private func record(
    _ store: MailStore, _ claimant: MailClaimant, _ mail: ClaimedMail, outcome: String, reply: String, addressError: Bool,
    returnPath: String? = nil
  ) throws {
    let status = try store.record(
      claimant, message: mail.id, outcome: outcome, reply: reply, addressError: addressError,
      giveUpAfterHours: options.giveUpAfterHours, returnPath: returnPath)
    lock.withLock {
      switch outcome == "released" ? nil : status {
      case "sent": summary.sent += 1
      case "deferred": summary.deferred += 1
      case "failed": summary.failed += 1
      default: break
      }
      if let status, status != "sent", outcome != "released" {
        summary.problems.append(
          .init(
            message: mail.id, recipient: mail.recipient, status: status, reply: reply,
            suppressed: status == "failed" && addressError))
      }
    }
  }

  /// The message as it goes out: the text, the certificate's PDF, the session's `.ics`.
  func message(_ mail: ClaimedMail) throws -> OutgoingMessage {
    var attachments: [OutgoingMessage.Attachment] = []
    if let pdf = mail.attachment, let name = mail.attachmentName {
      attachments.append(.init(fileName: name, mediaType: "application/pdf", data: pdf))
    }
    if let json = mail.calendarJSON,
      let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
      let event = CalendarEvent(json: object)
    {
      let ics = event.ics(organizer: options.settings.from, attendee: mail.recipient, stamp: Date())
      attachments.append(
        .init(
          fileName: event.cancelled ? "absage.ics" : "termin.ics",
          mediaType: "text/calendar; charset=UTF-8; method=\(event.method)", data: Data(ics.utf8)))
    }
    return OutgoingMessage(
      number: mail.id, messageID: mail.messageID, to: mail.recipient, toName: mail.recipientName, subject: mail.subject,
      body: mail.body,
      attachments: attachments, date: Date())
  }
}
