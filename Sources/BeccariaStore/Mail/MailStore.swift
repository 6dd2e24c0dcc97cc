import BeccariaCore
import Foundation
import Postgres

/// A message of the outbox as the office sees it (schema 0024).
public struct MailListing: Codable, Sendable, Equatable {
  public var id: Int64
  public var kind: String
  public var status: String
  /// NULL once the person was erased.
  public var recipient: String?
  public var subject: String?
  public var participant: Int64?
  public var trainer: Int64?
  public var serial: String?
  public var session: Int64?
  public var attempts: Int
  public var queuedAt: Date
  /// When it will be tried again (deferred), else nil.
  public var nextAttemptAt: Date?
  public var finishedAt: Date?
  public var lastReply: String?
  public var messageID: String?
  public var resendOf: Int64?
  public var requestedBy: String?
}

/// One message in full: the listing, its body and calendar event (until purged) and the
/// attachments it carries.
public struct MailDetail: Codable, Sendable, Equatable {
  public var message: MailListing
  public var body: String?
  public var calendar: String?
  public var attachesCertificate: Bool
  public var bodyDeletedAt: Date?
  public var resends: [Int64]
}

/// Counts by status and kind, and the oldest message still waiting.
public struct MailStatistics: Codable, Sendable, Equatable {
  public struct Count: Codable, Sendable, Equatable {
    public var kind: String
    public var status: String
    public var messages: Int
  }
  public var counts: [Count]
  public var oldestWaiting: Date?
  public var suppressedAddresses: Int
  public var sentLast24Hours: Int
  public var failedLast7Days: Int
}

/// One run of `mail send` as the outbox knows it: the key its claims carry, and the secret token
/// that proves the caller is that run.
public struct MailClaimant: Sendable {
  public var key: Int32
  public var token: String
}

/// A claimed message, everything a sender needs.
public struct ClaimedMail: Sendable {
  public var id: Int64
  public var kind: String
  public var recipient: String
  /// The person's name, for the To header (nil on the office's copies).
  public var recipientName: String?
  public var subject: String
  public var body: String
  /// The stored calendar event as JSON text, for reminders, moves and cancellations.
  public var calendarJSON: String?
  public var attachment: Data?
  public var attachmentName: String?
  public var messageID: String
  public var attempts: Int
  /// To an address on the suppression list: finished as 'suppressed' by the claim, not to be sent.
  public var suppressed: Bool
}

/// A message `mail send` would send now (id nil: a reminder it would queue first).
public struct DueMail: Codable, Sendable, Equatable {
  public var id: Int64?
  public var kind: String
  public var status: String
  public var recipient: String
  public var subject: String?
  public var attempts: Int
}

/// An entry of the suppression list.
public struct SuppressedAddress: Codable, Sendable, Equatable {
  public var address: String
  public var reason: String
  public var message: Int64?
  public var since: Date
}

/// What a delivery status notification matched.
public struct BounceMatch: Sendable, Equatable {
  public var message: Int64
  /// The message's status before: `bounced` when the report was imported before.
  public var statusBefore: String
}

/// The outbox: claims and outcomes for `mail send` (through the `mail_*` functions the mailer
/// role may call), and the office's view and decisions.
public struct MailStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Registers a claimant for one run of `mail send`: its key and secret token (schema 0024,
  /// `mail_claim_key`). The run then holds it with `hold` and names it in every claim and record.
  public func newClaimant() throws -> MailClaimant {
    guard let row = try connection.queryOne("SELECT key, token FROM mail_claim_key()") else {
      throw StoreError.corrupt(tr("mail_claim_key returned nothing"))
    }
    return MailClaimant(key: Int32(try row.decode("key", as: Int.self)), token: try row.decode("token"))
  }

  /// Holds `claimant` until this connection's transaction ends: opens one that stays open (no
  /// idle timeout applies to it), for a connection that does nothing else while the run lasts.
  public func hold(_ claimant: MailClaimant) throws {
    try connection.executeScript(unsafeSQL: "BEGIN; SET LOCAL idle_in_transaction_session_timeout = 0")
    try connection.execute("SELECT mail_claim_hold(\(Int(claimant.key))::integer, \(claimant.token))")
  }

  /// The database's clock: where a run's "before now" comes from, whatever the machine's clock.
  public func now() throws -> Date {
    guard let now = try connection.queryOne("SELECT clock_timestamp() AS now")?.decode("now", as: Date.self) else {
      throw StoreError.corrupt(tr("clock_timestamp returned nothing"))
    }
    return now
  }

  /// Queues the reminders now due (sessions within their programme's `reminder_days`).
  public func queueReminders() throws -> Int {
    try connection.queryOne("SELECT mail_queue_reminders() AS n")?.decode("n", as: Int.self) ?? 0
  }

  /// Purges bodies past their retention period; the number purged.
  public func purge() throws -> Int {
    try connection.queryOne("SELECT mail_purge() AS n")?.decode("n", as: Int.self) ?? 0
  }

  /// Claims up to `batch` due messages for `claimant` (see `mail_claim`); deferred ones last
  /// tried before `retryBefore` too.
  public func claim(_ claimant: MailClaimant, batch: Int, retryBefore: Date?, domain: String) throws -> [ClaimedMail] {
    try connection.queryPrepared(
      """
      SELECT id, kind, recipient, recipient_name, subject, body, calendar::text AS calendar, attachment, attachment_name, message_id, attempts,
             status = 'suppressed' AS suppressed
      FROM mail_claim(\(Int(claimant.key))::integer, \(claimant.token), \(batch)::integer, \(retryBefore), \(domain))
      """
    ).map { row in
      ClaimedMail(
        id: try row.decode("id"), kind: try row.decode("kind"), recipient: try row.decode("recipient"),
        recipientName: try row.decode("recipient_name"), subject: try row.decode("subject", as: String?.self) ?? "",
        body: try row.decode("body", as: String?.self) ?? "",
        calendarJSON: try row.decode("calendar"), attachment: try row.decode("attachment"),
        attachmentName: try row.decode("attachment_name"), messageID: try row.decode("message_id"),
        attempts: try row.decode("attempts"), suppressed: try row.decode("suppressed"))
    }
  }

  /// Records an outcome (`sent`, `failed`, `deferred`, or `released`: not tried); the status
  /// recorded, nil when the claim was no longer this session's.
  public func record(
    _ claimant: MailClaimant, message: Int64, outcome: String, reply: String, addressError: Bool, giveUpAfterHours: Int,
    returnPath: String? = nil
  ) throws -> String? {
    try connection.queryOnePrepared(
      """
      SELECT mail_record(\(Int(claimant.key))::integer, \(claimant.token), \(message), \(outcome), \(reply), \(addressError),
                         make_interval(hours => \(giveUpAfterHours)::integer), \(returnPath)) AS status
      """
    )?.decode("status")
  }

  /// Messages due now (queued, deferred whose time came, or all deferred with `retryDeferred`),
  /// oldest first, with reminders due now as if queued: what `mail send --dry-run` shows. Read
  /// through `mail_due`, which the mailer may call; nothing is written.
  public func due(retryDeferred: Bool) throws -> [DueMail] {
    try connection.query("SELECT * FROM mail_due(\(retryDeferred))").map {
      DueMail(
        id: try $0.decode("id"), kind: try $0.decode("kind"), status: try $0.decode("status"),
        recipient: try $0.decode("recipient"), subject: try $0.decode("subject"), attempts: try $0.decode("attempts"))
    }
  }

  /// How many messages wait to be sent (queued, deferred or being sent), and when the next
  /// deferred one is tried again.
  public func waiting() throws -> (count: Int, nextAttempt: Date?) {
    guard let row = try connection.queryOne("SELECT waiting, next_attempt FROM mail_waiting()") else { return (0, nil) }
    return (try row.decode("waiting"), try row.decode("next_attempt"))
  }

  /// The columns `listing` reads, of `mail_message m` and `certificate c`.
  static let listingColumns: SQL = """
    m.id, m.kind, m.status, m.recipient, m.subject, m.participant_id, m.trainer_id, c.serial, m.session_id,
    m.attempts, m.queued_at, CASE WHEN m.status = 'deferred' THEN m.next_attempt_at END AS next_attempt_at,
    m.finished_at, m.last_reply, m.message_id, m.resend_of, m.requested_by
    """
  static let listingSQL: SQL = """
    SELECT \(listingColumns) FROM mail_message m LEFT JOIN certificate c ON c.id = m.certificate_id
    """

  static func listing(_ row: Row) throws -> MailListing {
    MailListing(
      id: try row.decode("id"), kind: try row.decode("kind"), status: try row.decode("status"),
      recipient: try row.decode("recipient"), subject: try row.decode("subject"), participant: try row.decode("participant_id"),
      trainer: try row.decode("trainer_id"), serial: try row.decode("serial"), session: try row.decode("session_id"),
      attempts: try row.decode("attempts"), queuedAt: try row.decode("queued_at"),
      nextAttemptAt: try row.decode("next_attempt_at"),
      finishedAt: try row.decode("finished_at"), lastReply: try row.decode("last_reply"), messageID: try row.decode("message_id"),
      resendOf: try row.decode("resend_of"), requestedBy: try row.decode("requested_by"))
  }

  func list(where condition: SQL, limit: Int?) throws -> [MailListing] {
    let cap: SQL = limit.map { "LIMIT \($0)" } ?? ""
    return try connection.query("\(Self.listingSQL) WHERE \(condition) ORDER BY m.id \(cap)").map(Self.listing)
  }

  /// The office's list: by status and kind, for a participant, newest last.
  public func list(status: String?, kind: String?, participant: ParticipantID?, limit: Int?) throws -> [MailListing] {
    var condition: SQL = "true"
    if let status { condition = "\(condition) AND m.status = \(status)" }
    if let kind { condition = "\(condition) AND m.kind = \(kind)" }
    if let participant { condition = "\(condition) AND m.participant_id = \(participant)" }
    return try list(where: condition, limit: limit)
  }

  /// One message with its body.
  public func show(_ id: Int64) throws -> MailDetail {
    guard
      let row = try connection.queryOne(
        """
        SELECT \(Self.listingColumns), m.body, m.calendar::text AS calendar, m.attach_certificate, m.purged_at,
               (SELECT coalesce(jsonb_agg(r.id ORDER BY r.id), '[]') FROM mail_message r WHERE r.resend_of = m.id) AS resends
        FROM mail_message m LEFT JOIN certificate c ON c.id = m.certificate_id
        WHERE m.id = \(id)
        """)
    else { throw StoreError.notFound(tr("message %@", id)) }
    return MailDetail(
      message: try Self.listing(row), body: try row.decode("body"), calendar: try row.decode("calendar"),
      attachesCertificate: try row.decode("attach_certificate"), bodyDeletedAt: try row.decode("purged_at"),
      resends: try row.decodeJSON("resends", as: [Int64].self))
  }

  /// `mail resend`: the new message's number.
  public func resend(_ id: Int64, to address: String?) throws -> Int64 {
    guard let row = try connection.queryOne("SELECT mail_resend(\(id), \(address)) AS id") else {
      throw StoreError.corrupt(tr("mail_resend returned nothing"))
    }
    return try row.decode("id")
  }

  /// `mail cancel`.
  public func cancel(_ id: Int64) throws {
    try connection.execute("SELECT mail_cancel(\(id))")
  }

  /// `mail unsuppress`: whether the address was on the list.
  public func unsuppress(_ address: String) throws -> Bool {
    try connection.queryOne("SELECT mail_unsuppress(\(address)) AS found")?.decode("found") ?? false
  }

  /// The suppression list.
  public func suppressed() throws -> [SuppressedAddress] {
    try connection.query("\(Self.suppressionSQL) ORDER BY created_at, address_key").map(Self.suppression)
  }

  /// The suppression-list entry of `address`, if it has one.
  public func suppression(of address: String) throws -> SuppressedAddress? {
    try connection.queryOne("\(Self.suppressionSQL) WHERE address_key = lower(\(address))").map(Self.suppression)
  }

  static let suppressionSQL: SQL = "SELECT address, reason, message_id, created_at FROM mail_suppression"

  static func suppression(_ row: Row) throws -> SuppressedAddress {
    SuppressedAddress(
      address: try row.decode("address"), reason: try row.decode("reason"), message: try row.decode("message_id"),
      since: try row.decode("created_at"))
  }

  /// Records a bounce: the message it matched, if any (see `mail_bounce`).
  public func bounce(
    messageID: String?, number: Int64?, numberToken: String?, status: String, diagnostic: String?, finalRecipient: String?,
    originalRecipient: String?
  ) throws -> BounceMatch? {
    guard
      let row = try connection.queryOne(
        """
        SELECT id, status_before
        FROM mail_bounce(\(messageID), \(number), \(numberToken), \(status), \(diagnostic), \(finalRecipient), \(originalRecipient))
        """)
    else { return nil }
    return BounceMatch(message: try row.decode("id"), statusBefore: try row.decode("status_before"))
  }

  /// `mail stats`.
  public func statistics() throws -> MailStatistics {
    let counts = try connection.query(
      "SELECT kind, status, count(*)::integer AS n FROM mail_message GROUP BY kind, status ORDER BY kind, status"
    ).map { MailStatistics.Count(kind: try $0.decode("kind"), status: try $0.decode("status"), messages: try $0.decode("n")) }
    guard
      let row = try connection.queryOne(
        """
        SELECT (SELECT min(queued_at) FROM mail_message WHERE status IN ('queued', 'deferred', 'sending')) AS oldest,
               (SELECT count(*)::integer FROM mail_suppression) AS suppressed,
               (SELECT count(*)::integer FROM mail_message WHERE status = 'sent' AND finished_at > now() - interval '24 hours') AS sent,
               (SELECT count(*)::integer FROM mail_message WHERE status IN ('failed', 'bounced')
                  AND finished_at > now() - interval '7 days') AS failed
        """)
    else { throw StoreError.corrupt(tr("mail statistics returned nothing")) }
    return MailStatistics(
      counts: counts, oldestWaiting: try row.decode("oldest"), suppressedAddresses: try row.decode("suppressed"),
      sentLast24Hours: try row.decode("sent"), failedLast7Days: try row.decode("failed"))
  }
}
