import BeccariaCore
import CCurl
import Foundation
import ProgrammeLoader
import TestSupport
import Testing

@testable import Mail

/// The parts of a message beccaria writes itself: header values, the calendar file, and the
/// reading of delivery reports.
struct MailFormatTests {
  /// Decodes `=?UTF-8?B?…?=` words as a mail reader does (RFC 2047 § 6).
  func decodeWords(_ value: String) -> String {
    let words = value.replacingOccurrences(of: "\r\n ", with: " ").split(separator: " ")
    var bytes = Data()
    for word in words {
      #expect(word.count <= 75, "\(word)")
      #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
      bytes.append(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data())
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  @Test func subjectsStayASCIIOrBecomeEncodedWordsThatSplitNoCharacter() {
    #expect(HeaderText.unstructured("Zertifikat BQ-2026-000001") == "Zertifikat BQ-2026-000001")
    let names = [
      "Zertifikat BQ-2026-000001 – Fachkraft für Kriminalprävention", "Šołćina Hańža: Teilnahmebescheinigung",
      "S\u{30C}oł\u{107}ina: NFD", "Nguyễn Thị Minh Khai: Zertifikat", "محمد الحسن: Zertifikat",
      String(repeating: "Ä", count: 200), "=?UTF-8?B?not a word?= looks like one",
    ]
    for subject in names {
      let header = HeaderText.unstructured(subject)
      #expect(header.split(separator: "\r\n").allSatisfy { $0.count <= 78 })
      #expect(decodeWords(header) == subject)
    }
    // A grapheme cluster (S + combining caron) is never split between words.
    let decomposed = String(repeating: "S\u{30C}", count: 40)
    let header = HeaderText.unstructured(decomposed)
    for word in header.replacingOccurrences(of: "\r\n ", with: " ").split(separator: " ") {
      let text = String(decoding: Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data(), as: UTF8.self)
      #expect(text.unicodeScalars.first == "S")
    }
    // Control characters cannot start a new header line.
    #expect(!HeaderText.unstructured("a\r\nBcc: x@example.org").contains("\r\nBcc"))
    #expect(HeaderText.phrase("Landespräventionsrat Sachsen").hasPrefix("=?UTF-8?B?"))
    // A letter with a thousand combining marks is split between its scalars.
    let heavy = "Raum " + "a" + String(repeating: "\u{301}", count: 1000)
    let folded = HeaderText.unstructured(heavy)
    #expect(decodeWords(folded) == heavy)
    #expect(folded.split(separator: "\r\n").allSatisfy { $0.count <= 78 })
    #expect(HeaderText.phrase("LPR \"Sachsen\"") == "\"LPR \\\"Sachsen\\\"\"")
  }

  @Test func addressesAreOneMailboxOrNothing() {
    for good in ["a@b.de", "anna.schulz@example.org", "o'brien@example.ie", "müller@beispiel.de", "x+m42@lpr.sachsen.de"] {
      #expect(Validation.isMailable(good), "\(good)")
    }
    for bad in [
      "a@b", "a b@c.de", "a,b@c.de", "<a>@b.de", "a@b.de.", ".a@b.de", "a..b@c.de", "a@-b.de", "a@b.de\r\nBcc: c@d.de",
      "\"a\"@b.de", "a@[127.0.0.1]", String(repeating: "a", count: 65) + "@b.de", "",
    ] {
      #expect(!Validation.isMailable(bad), "\(bad)")
    }
    let sender = MailAddress("Landespräventionsrat Sachsen <beccaria@lpr.sachsen.de>")
    #expect(sender?.address == "beccaria@lpr.sachsen.de" && sender?.name == "Landespräventionsrat Sachsen")
    #expect(sender?.domain == "lpr.sachsen.de")
    #expect(MailAddress("\"LPR\" <lpr@example.org>")?.name == "LPR")
    #expect(MailAddress("LPR <not an address>") == nil)
    #expect(MailAddress("a@b.de, c@d.de") == nil)
    #expect(MailAddress("X <a@b.de>, Y <c@d.de>") == nil)
    #expect(CalendarEvent.mailto("a'b%c#d?e@example.org") == "a'b%25c%23d%3Fe@example.org")
    #expect(CalendarEvent.mailto("müller@example.org") == "m%C3%BCller@example.org")
  }

  @Test func theCalendarFileFoldsEscapesAndKeepsBerlinTime() throws {
    let event = CalendarEvent(
      uid: "session-7@www.lpr.sachsen.de", sequence: 2, start: "2027-03-27T09:00:00", end: "2027-03-27T16:30:00",
      timeZone: "Europe/Berlin",
      summary: "Fachkraft für Kriminalprävention: Modul 2 – Kriminalprävention, Teil; \\ \"eins\"\nzwei "
        + String(repeating: "ä", count: 60),
      location: "Dresden, Raum 3", organizerName: "Landespräventionsrat Sachsen", cancelled: false)
    let sender = try #require(MailAddress("LPR <beccaria@lpr.sachsen.de>"))
    let ics = event.ics(organizer: sender, attendee: "anna@example.org", stamp: Date(timeIntervalSince1970: 1_800_000_000))
    #expect(ics.hasSuffix("\r\n") && !ics.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    let lines = ics.components(separatedBy: "\r\n").dropLast()
    #expect(lines.allSatisfy { $0.utf8.count <= 75 })
    // Unfolded (RFC 5545 § 3.1), the lines are whole again and every character survived.
    let unfolded = ics.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
    #expect(
      unfolded.contains(
        "SUMMARY:Fachkraft für Kriminalprävention: Modul 2 – Kriminalprävention\\, Teil\\; \\\\ \"eins\"\\nzwei "
          + String(repeating: "ä", count: 60)))
    #expect(unfolded.contains("DTSTART;TZID=Europe/Berlin:20270327T090000"))
    #expect(unfolded.contains("DTEND;TZID=Europe/Berlin:20270327T163000"))
    #expect(unfolded.contains("DTSTAMP:20270115T080000Z"))
    #expect(unfolded.contains("SEQUENCE:2") && unfolded.contains("METHOD:REQUEST") && unfolded.contains("STATUS:CONFIRMED"))
    #expect(unfolded.contains("LOCATION:Dresden\\, Raum 3"))
    #expect(unfolded.contains("ORGANIZER;CN=\"Landespräventionsrat Sachsen\":mailto:beccaria@lpr.sachsen.de"))
    #expect(unfolded.contains("TZID:Europe/Berlin") && unfolded.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"))
    var cancelled = event
    cancelled.cancelled = true
    let cancellation = cancelled.ics(organizer: sender, attendee: "anna@example.org", stamp: Date())
    #expect(cancellation.contains("METHOD:CANCEL\r\n") && cancellation.contains("STATUS:CANCELLED\r\n"))
  }

  static let report = """
    From: MAILER-DAEMON@mx.example.org\r
    To: beccaria+m42.0123456789abcdef@lpr.sachsen.de\r
    Subject: Undelivered Mail Returned to Sender\r
    MIME-Version: 1.0\r
    Content-Type: multipart/report; report-type="delivery-status";\r
    \tboundary="B1"\r
    \r
    --B1\r
    Content-Type: text/plain\r
    \r
    Your message could not be delivered.\r
    --B1\r
    Content-Type: message/delivery-status\r
    \r
    Reporting-MTA: dns; mx.example.org\r
    \r
    Final-Recipient: rfc822; gone@example.org\r
    Action: failed\r
    Status: 5.1.1\r
    Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>:\r
     Recipient address rejected\r
    \r
    --B1\r
    Content-Type: text/rfc822-headers\r
    \r
    Message-ID: <42.0123456789abcdef@lpr.sachsen.de>\r
    Subject: Zertifikat\r
    --B1--\r

    """

  @Test func deliveryReportsAreReadWhateverTheirLineEndsAndEncoding() throws {
    let report = try #require(DeliveryReport(Data(Self.report.utf8)))
    #expect(report.originalMessageID == "<42.0123456789abcdef@lpr.sachsen.de>")
    #expect(report.returnPath?.number == 42 && report.returnPath?.token == "0123456789abcdef")
    let failure = try #require(report.failure)
    #expect(failure.address == "gone@example.org" && failure.status == "5.1.1" && failure.action == "failed")
    #expect(failure.diagnostic == "smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected")
    // Unix line ends, and the status part in base64.
    let lf = Self.report.replacingOccurrences(of: "\r\n", with: "\n")
    #expect(DeliveryReport(Data(lf.utf8)) == report)
    let status = "Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    let encoded = Self.report.replacingOccurrences(
      of: "Content-Type: message/delivery-status\r\n\r\n",
      with: "Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    ).replacingOccurrences(
      of:
        "Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <gone@example.org>:\r\n Recipient address rejected\r\n",
      with: Data(status.utf8).base64EncodedString() + "\r\n")
    #expect(DeliveryReport(Data(encoded.utf8))?.failure?.status == "5.1.1")
    // A delay is a report without a failure; other mail is no report.
    let delayed = Self.report.replacingOccurrences(of: "Action: failed", with: "Action: delayed")
    #expect(DeliveryReport(Data(delayed.utf8))?.failure == nil)
    #expect(DeliveryReport(Data("From: a@b.de\r\nSubject: Danke\r\n\r\nVielen Dank".utf8)) == nil)
    #expect(DeliveryReport(Data()) == nil)
    #expect(DeliveryReport(Data([0xFF, 0x00, 0x0A, 0x0D])) == nil)
  }

  @Test func serverRepliesAreClassifiedByCodeAndEnhancedStatus() {
    let transcript = Transcript()
    transcript.outgoing("RCPT TO:<gone@example.org>\r\n")
    transcript.incoming("550-5.1.1 The email account that you tried to reach does not exist.\r\n")
    transcript.incoming("550 5.1.1 Please try again.\r\n")
    #expect(transcript.lastReply.hasPrefix("550 5.1.1 The email account"))
    #expect(SMTPClient.enhancedStatus(transcript.lastReply) == "5.1.1")
    #expect(SMTPClient.enhancedStatus("250 OK") == nil)
    #expect(SMTPClient.enhancedStatus("451 4.7.1 later") == "4.7.1")
    // Credentials sent after AUTH never become the remembered verb.
    transcript.outgoing("AUTH PLAIN AGxwcgBnZWhlaW0=\r\n")
    transcript.outgoing("bHByAGdlaGVpbQ==\r\n")
    #expect(transcript.lastCommand == "AUTH")
    // A refusal before the recipient stops the run; only a recipient's bad mailbox suppresses.
    func outcome(_ command: String, _ reply: String) -> SMTPOutcome {
      let transcript = Transcript()
      transcript.outgoing("\(command) x\r\n")
      transcript.incoming(reply + "\r\n")
      return SMTPClient.failure(
        code: Int(reply.prefix(3)) ?? 0, libraryError: "Failed sending data to the peer", transcript: transcript)
    }
    #expect(outcome("RCPT", "550 5.1.1 User unknown") == .failed(reply: "550 5.1.1 User unknown", addressError: true))
    #expect(outcome("RCPT", "550 5.1.2 Host unknown") == .failed(reply: "550 5.1.2 Host unknown", addressError: true))
    // A recipient's own policy fails that message only.
    let policy = "554 5.7.1 <x@example.org>: Recipient address rejected: Access denied"
    #expect(outcome("RCPT", policy) == .failed(reply: policy, addressError: false))
    for refusal in [
      "550 Relaying denied", "554 5.7.1 <x@example.org>: Relay access denied",
      "550 5.1.1 <beccaria@lpr.sachsen.de>: Sender address rejected: undeliverable address",
    ] {
      guard case .refused = outcome("RCPT", refusal) else {
        Issue.record("\(refusal): a refusal of the client at RCPT must stop the run")
        continue
      }
    }
    #expect(outcome("RCPT", "553 5.1.7 Bad mailbox") == .failed(reply: "553 5.1.7 Bad mailbox", addressError: false))
    #expect(outcome("RCPT", "451 4.7.1 later") == .deferred(reply: "451 4.7.1 later"))
    #expect(outcome("DATA", "554 5.6.0 rejected") == .failed(reply: "554 5.6.0 rejected", addressError: false))
    for command in ["MAIL", "EHLO", "STARTTLS"] {
      guard case .refused = outcome(command, "553 5.1.8 Sender address rejected") else {
        Issue.record("\(command): a refusal before the recipient must stop the run")
        continue
      }
    }
  }

  @Test func templatesWithUnknownPlaceholdersAreRefusedWithTheirPath() throws {
    let source = try String(contentsOfFile: Checkout.programmeFile, encoding: .utf8)
    let broken = source.replacingOccurrences(of: "wir erinnern an den nächsten Termin", with: "{{nachnahme}}, wir erinnern")
    let error = #expect(throws: ProgrammeFileError.self) { try ProgrammeFile.parse(broken, file: "programm.yaml") }
    let text = error?.description ?? ""
    #expect(text.contains("programm.yaml:"), "\(text)")
    #expect(
      text.contains(": mail.templates.reminder.body: uses the unknown placeholder {{nachnahme}} (known here: vorname,"), "\(text)"
    )
    for (from, to, message) in [
      ("{{pruefadresse}}", "", "mail.templates.certificate.body: must contain {{pruefadresse}}"),
      ("Termin abgesagt: Modul {{modul}}", "Termin abgesagt: Modul {{ modul", "has \"{{\" without \"}}\""),
      ("Erinnerung: {{programm}}", "Erinnerung: {{Programm}}", "which is not a placeholder"),
      ("office: beccaria@lpr.sachsen.de", "office: beccaria at lpr", "mail.office: \"beccaria at lpr\" is not an e-mail address"),
      ("reminder_days: 7", "reminder_days: 99", "mail.reminder_days: must be between 0 and 60 days"),
      ("certificate:\n      subject:", "zertifikat:\n      subject:", "mail.templates.zertifikat: is not a known key"),
    ] {
      let changed = source.replacingOccurrences(of: from, with: to)
      #expect(changed != source, "\(from)")
      let failure = #expect(throws: ProgrammeFileError.self) { try ProgrammeFile.parse(changed, file: "p.yaml") }
      #expect(failure?.description.contains(message) == true, "\(message): \(failure?.description ?? "")")
    }
    // The shipped definition loads, every kind with a text.
    let definition = try ProgrammeFile.parse(source)
    #expect(Set(definition.mail?.templates.keys.map { $0 } ?? []) == Set(MailKind.allCases.map(\.rawValue)))
  }
}
