import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import ProgrammeLoader
import TestSupport
import Testing

@testable import Mail

/// The outbox's rules as PostgreSQL keeps them (schema 0024), for any client.
@Suite(.serialized) struct OutboxTests {
  func count(_ db: Connection, _ sql: SQL) throws -> Int {
    try db.queryOne(sql)?.decode("n", as: Int.self) ?? -1
  }

  @Test func eachCertificateQueuesOneMessageWhoseCauseCannotRepeat() throws {
    let cohort = try CertifiedCohort(count: 3)
    defer { cohort.database.drop() }
    let db = cohort.connection
    let issued = try cohort.run().issued
    #expect(issued.count == 3)
    let causes = try db.query("SELECT cause FROM mail_message WHERE kind = 'certificate' ORDER BY cause").map {
      try $0.decode("cause", as: String.self)
    }
    #expect(causes == issued.map { "certificate:\($0.serial)" }.sorted())
    // The event told once: queueing it again adds nothing, inserting it again is refused.
    let programme = try count(db, "SELECT id AS n FROM programme")
    let again = try db.queryOne(
      "SELECT mail_queue(\(causes[0]), 'certificate', \(programme), NULL, NULL, 'x@example.org', '{}') AS id")
    #expect(try again?.isNull("id") == true)
    #expect(
      sqlState {
        try db.execute(
          "INSERT INTO mail_message (cause, kind, programme_id, recipient) VALUES (\(causes[0]), 'certificate', \(programme), 'x@example.org')"
        )
      } == "23505")
    #expect(sqlState { try db.execute("TRUNCATE mail_message, mail_suppression") } == "42501")
  }

  @Test func aNameThatLooksLikeAPlaceholderIsPrintedAsItIs() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let db = cohort.connection
    try db.execute("UPDATE participant SET given_names = '{{nummer}} \\1 {{pruefadresse}}' WHERE id = \(cohort.people[0])")
    let serial = try #require(try cohort.run().issued.first?.serial)
    let body = try #require(
      try db.queryOne("SELECT body FROM mail_message WHERE kind = 'certificate'")?.decode("body", as: String.self))
    #expect(body.hasPrefix("Guten Tag {{nummer}} \\1 {{pruefadresse}} "))
    #expect(body.contains("(Nummer \(serial),"))
  }

  @Test func anAddressThatCannotBeMailedIsNotQueuedAndThePersonIsNamed() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let db = cohort.connection
    let person = cohort.people[0]
    // New addresses must be mailable…
    #expect(sqlState { try db.execute("UPDATE participant SET email = 'a,b@example.org' WHERE id = \(person)") } == "23514")
    // …one stored before the rule existed is refused when a message to it is queued.
    try db.execute("ALTER TABLE participant DROP CONSTRAINT participant_email_mailable")
    try db.execute("UPDATE participant SET email = 'a,b@example.org' WHERE id = \(person)")
    try db.execute(
      "ALTER TABLE participant ADD CONSTRAINT participant_email_mailable CHECK (beccaria_mail_address_ok(email)) NOT VALID")
    // The certificate is issued all the same; its message is recorded as failed, naming the person.
    let serial = try #require(try cohort.run().issued.first?.serial)
    let row = try #require(
      try db.queryOne("SELECT status, recipient, last_reply, subject FROM mail_message WHERE cause = \("certificate:" + serial)"))
    #expect(try row.decode("status", as: String.self) == "failed")
    #expect(try row.isNull("recipient"))
    let reply = try row.decode("last_reply", as: String.self)
    #expect(reply.contains("participant \(person) ("), "\(reply)")
    #expect(reply.contains("\"a,b@example.org\", which cannot be mailed"), "\(reply)")
    // Once corrected, the office sends it again.
    try db.execute("UPDATE participant SET email = 'ab@example.org' WHERE id = \(person)")
    let id = try #require(
      try db.queryOne("SELECT id FROM mail_message WHERE cause = \("certificate:" + serial)")?.decode("id", as: Int64.self))
    let copy = try MailStore(db).resend(id, to: nil)
    #expect(try MailStore(db).show(copy).message.recipient == "ab@example.org")
  }

  @Test func sessionsMovedOrCancelledAreToldFromTodayOnAndOnlyWithMailTexts() throws {
    let cohort = try CertifiedCohort(count: 2)
    defer { cohort.database.drop() }
    let db = cohort.connection
    _ = try TrainerStore(db).add(name: "Dr. Anna Schulz", email: "anna.schulz@example.org", login: nil)
    let today = CalendarDate.today()
    let sessions = try SessionStore(db).add([
      NewSession(
        courseCode: CertifiedCohort.course, module: 2, day: today.adding(days: 10), start: 540, end: 945, ue: 8,
        location: "Raum 1", trainerEmails: ["anna.schulz@example.org"]),
      NewSession(
        courseCode: CertifiedCohort.course, module: 3, day: today.adding(days: 11), start: 540, end: 945, ue: 8,
        location: "Raum 1", trainerEmails: ["anna.schulz@example.org"]),
    ]).map(\.rawValue)
    // A past session moved within the past tells nobody.
    let past = try count(db, "SELECT min(id)::integer AS n FROM session")
    try db.execute("UPDATE session SET location = 'Raum 9' WHERE id = \(past)")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM mail_message WHERE kind = 'change'") == 0)
    // A change of nothing that is printed (the UE) tells nobody either.
    try db.execute("UPDATE session SET ue = 7 WHERE id = \(sessions[0])")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM mail_message WHERE kind = 'change'") == 0)
    try db.execute("UPDATE session SET location = 'Raum 2' WHERE id = \(sessions[0])")
    // Two participants and the trainer, SEQUENCE 1, same UID as the session.
    let changed = try db.query(
      "SELECT recipient, calendar->>'uid' AS uid, (calendar->>'sequence')::integer AS sequence, body FROM mail_message WHERE kind = 'change' ORDER BY recipient"
    )
    #expect(changed.count == 3)
    for row in changed {
      #expect(try row.decode("uid", as: String.self) == "session-\(sessions[0])@www.lpr.sachsen.de")
      #expect(try row.decode("sequence", as: Int.self) == 1)
      #expect(try row.decode("body", as: String.self).contains("Bisher: "))
    }
    _ = try SessionStore(db).cancel(SessionID(sessions[1]), reason: "Referentin erkrankt")
    #expect(
      try count(
        db, "SELECT count(*)::integer AS n FROM mail_message WHERE kind = 'cancellation' AND (calendar->>'cancelled')::boolean")
        == 3)
    // A programme whose newest version has no mail texts sends nothing more.
    var definition = try ProgrammeFile.load(path: Checkout.programmeFile)
    definition.version = 2
    definition.mail = nil
    _ = try ProgrammeStore(db).load(definition)
    try db.execute("UPDATE session SET location = 'Raum 3' WHERE id = \(sessions[0])")
    #expect(try count(db, "SELECT count(*)::integer AS n FROM mail_message WHERE kind = 'change'") == 3)
  }

  @Test func aClaimIsHeldByItsRunAndTakenUpAgainWhenItEnds() throws {
    let cohort = try CertifiedCohort(count: 3)
    defer { cohort.database.drop() }
    _ = try cohort.run()
    let worker = try cohort.database.connect()
    let store = MailStore(worker)
    let domain = "lpr.sachsen.de"
    // A claimant nobody holds may not claim; a wrong token is refused.
    let loose = try store.newClaimant()
    #expect(sqlState { _ = try store.claim(loose, batch: 5, retryBefore: nil, domain: domain) } == "55000")
    var forged = loose
    forged.token = String(repeating: "0", count: 64)
    #expect(sqlState { _ = try store.claim(forged, batch: 5, retryBefore: nil, domain: domain) } == "42501")
    let first = try store.newClaimant()
    let second = try store.newClaimant()
    let claimed: [ClaimedMail]
    let secondHolder = try cohort.database.connect()
    try MailStore(secondHolder).hold(second)
    do {
      let firstHolder = try cohort.database.connect()
      try MailStore(firstHolder).hold(first)
      // Nobody else can hold a claimant, with or without its token.
      #expect(sqlState { try MailStore(try cohort.database.connect()).hold(first) } == "55P03")
      #expect(sqlState { try MailStore(try cohort.database.connect()).hold(forged) } == "42501")
      claimed = try store.claim(first, batch: 2, retryBefore: nil, domain: domain)
      #expect(claimed.count == 2)
      #expect(
        claimed.allSatisfy { $0.attachment?.starts(with: Data("%PDF".utf8)) == true && $0.messageID.hasSuffix("@\(domain)>") })
      // While the first run holds its claimant, another leaves its messages alone.
      let rest = try store.claim(second, batch: 10, retryBefore: nil, domain: domain)
      #expect(Set(rest.map(\.id)).isDisjoint(with: claimed.map(\.id)) && rest.count == 1)
      // Only the claimant's token records its outcomes.
      #expect(
        sqlState {
          _ = try store.record(
            forged, message: claimed[0].id, outcome: "sent", reply: "250", addressError: false, giveUpAfterHours: 1)
        } == "42501")
      #expect(
        try store.record(second, message: claimed[0].id, outcome: "sent", reply: "250", addressError: false, giveUpAfterHours: 1)
          == nil)
      _ = try firstHolder.queryOne("SELECT 1 AS one")
    }
    // The first run's holding session ended (as a killed process's does): the next claim takes
    // its messages, with the same Message-IDs.
    let third = try store.newClaimant()
    let thirdHolder = try cohort.database.connect()
    try MailStore(thirdHolder).hold(third)
    let retaken = try store.claim(third, batch: 10, retryBefore: nil, domain: "other.example")
    #expect(Set(retaken.map(\.id)) == Set(claimed.map(\.id)))
    #expect(Set(retaken.map(\.messageID)) == Set(claimed.map(\.messageID)))
    #expect(retaken.allSatisfy { $0.attempts == 2 })
    #expect(
      try store.record(
        third, message: retaken[0].id, outcome: "sent", reply: "250 OK", addressError: false, giveUpAfterHours: 120)
        == "sent")
    _ = try secondHolder.queryOne("SELECT 1 AS one")
    _ = try thirdHolder.queryOne("SELECT 1 AS one")
  }

  @Test func aDeferredMessageBacksOffWithoutOverflowAndFailsAtTheLimit() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    _ = try cohort.run()
    let db = cohort.connection
    let store = MailStore(db)
    let claimant = try store.newClaimant()
    let holder = try cohort.database.connect()
    try MailStore(holder).hold(claimant)
    // Forty attempts (kills, stops) and the back-off stays at its cap, with its jitter.
    try db.execute(
      "UPDATE mail_message SET attempts = 39, status = 'deferred', next_attempt_at = now(), first_attempt_at = now()")
    let mail = try #require(try store.claim(claimant, batch: 1, retryBefore: nil, domain: "lpr.sachsen.de").first)
    #expect(
      try store.record(claimant, message: mail.id, outcome: "deferred", reply: "451", addressError: false, giveUpAfterHours: 120)
        == "deferred")
    let wait = try #require(
      try db.queryOne("SELECT extract(epoch FROM next_attempt_at - now())::integer AS n FROM mail_message")?.decode(
        "n", as: Int.self))
    #expect((11_000...17_500).contains(wait), "\(wait)")
    // Retrying deferred messages takes each once per run.
    let before = try store.now()
    #expect(try store.claim(claimant, batch: 5, retryBefore: before, domain: "lpr.sachsen.de").count == 1)
    try db.execute("UPDATE mail_message SET first_attempt_at = now() - interval '6 days'")
    #expect(
      try store.record(claimant, message: mail.id, outcome: "deferred", reply: "451", addressError: false, giveUpAfterHours: 120)
        == "failed")
    #expect(try store.claim(claimant, batch: 5, retryBefore: before, domain: "lpr.sachsen.de").isEmpty)
    _ = try holder.queryOne("SELECT 1 AS one")
  }
}
