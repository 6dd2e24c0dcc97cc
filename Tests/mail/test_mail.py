"""Mail delivery end to end: the outbox filled by what happens in the database, `beccaria mail
send` through libcurl to a real SMTP server, and every delivered message read back with Python's
`email` package (and `icalendar` for the calendar files)."""
import collections
import datetime
import itertools
import json
import os
import signal
import subprocess
import time
import unicodedata
import zoneinfo

import icalendar
import pytest

from conftest import BIN, PEOPLE, SENDER
from smtp_support import SMTPSink, make_dsn, self_signed_cert, write_maildir

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
FAILPOINTS = ["claimed", "rendered", "inserted", "committed", "exporting"]


def nfc(text):
    return unicodedata.normalize("NFC", text)


def by_subject(messages):
    return {str(message["Subject"]): message for message in messages}


def pdf_of(message):
    attachments = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(attachments) <= 1
    return attachments[0] if attachments else None


def calendar_of(message):
    parts = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1, f"{message['Subject']}: {len(parts)} calendar parts"
    return parts[0]


def delivered_certificate_mails(sink):
    """Delivered messages about certificates, by serial (from the subject), each a list."""
    found = collections.defaultdict(list)
    for message in sink.messages():
        attachment = pdf_of(message)
        if attachment is not None:
            found[attachment.get_filename()[:-4]].append(message)
    return found


def test_every_certificate_is_mailed_once_with_its_pdf_and_the_office_sees_it(office, sink):
    office.run("certificate", "run", "--workers", "2", "--output", office.folder + "/pdf")
    certificates = office.certificates()
    assert len(certificates) == len(PEOPLE)
    result = office.send(sink)
    assert f"Sent {len(PEOPLE)} messages; 0 deferred, 0 failed" in result.stdout
    stored = office.exported_pdfs()
    mails = delivered_certificate_mails(sink)
    assert sorted(mails) == sorted(stored)
    people = {nfc(given + " " + family): address for family, given, _, address in PEOPLE}
    for serial, copies in mails.items():
        assert len(copies) == 1
        message = copies[0]
        # The attachment's bytes are the stored PDF's, byte for byte.
        assert pdf_of(message).get_content() == stored[serial]
        # The subject decodes (RFC 2047) to the programme's text.
        assert str(message["Subject"]) == f"Zertifikat {serial} – Fachkraft für Kriminalprävention" or \
            str(message["Subject"]).startswith("Teilnahmebescheinigung")
        body = message.get_body(("plain",)).get_content()
        assert f"https://www.lpr.sachsen.de/beccaria/pruefen?nr={serial}" in body
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["From"].addresses[0].addr_spec == "beccaria@lpr.sachsen.de"
        assert message["From"].addresses[0].display_name == "Landespräventionsrat Sachsen"
        assert message["Reply-To"].addresses[0].addr_spec == "beccaria@lpr.sachsen.de"
        # The greeting carries the holder's name as stored (NFC or NFD, Sorbian, Vietnamese, Arabic).
        greeting = nfc(body.splitlines()[0])
        name = greeting.removeprefix("Guten Tag ").rstrip(",")
        assert name in people
        assert message["To"].addresses[0].addr_spec == people[name]
        assert nfc(message["To"].addresses[0].display_name) == name
        # No tracking: no HTML, no remote images, no links but the verification address.
        assert message.get_body(("html",)) is None
        assert [word for word in body.split() if "://" in word] == [f"https://www.lpr.sachsen.de/beccaria/pruefen?nr={serial}"]
    # Each Message-ID is the stored one; the office's view shows every message as sent.
    listed = office.messages(kind="certificate")
    assert {entry["status"] for entry in listed} == {"sent"}
    assert {entry["message_id"] for entry in listed} == {str(m[0]["Message-ID"]) for m in mails.values()}
    # A second run sends nothing more.
    again = office.send(sink)
    assert "Sent 0 messages" in again.stdout
    assert len(sink.messages()) == len(PEOPLE)


def test_names_in_subjects_when_the_programme_puts_them_there(office, sink):
    # A newer version of the definition, whose subject names the holder: its texts apply from now on.
    office.load_programme_version(lambda text: text.replace(
        'subject: "{{dokument}} {{nummer}} – {{programm}}"', 'subject: "{{name}}: {{dokument}} {{nummer}}"', 1))
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    office.send(sink)
    subjects = [nfc(str(message["Subject"])) for message in sink.messages()]
    for family, given, _, _ in PEOPLE:
        assert any(subject.startswith(nfc(f"{given} {family}: ")) for subject in subjects), (family, subjects)
    # Long non-ASCII subjects are folded into encoded-words; no line of the Subject field is
    # longer than 78 characters.
    for raw in sink.raw_messages():
        header = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        subject = header[header.index("\r\nSubject: ") + 2:]
        lines = subject.split("\r\n")
        field = [lines[0]] + list(itertools.takewhile(lambda line: line.startswith(" "), lines[1:]))
        assert all(len(line) <= 78 for line in field), field


@pytest.mark.parametrize("failpoint", FAILPOINTS)
def test_exactly_one_message_per_certificate_after_a_killed_run(office, sink, failpoint):
    killed = office.run("certificate", "run", "--output", office.folder + "/pdf", check=False,
                        env=dict(office.env, BECCARIA_FAILPOINT=f"{failpoint}:1"))
    assert killed.returncode == -signal.SIGKILL
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    office.send(sink)
    serials = sorted(c["serial"] for c in office.certificates())
    assert len(serials) == len(PEOPLE)
    mails = delivered_certificate_mails(sink)
    assert sorted(mails) == serials
    assert all(len(copies) == 1 for copies in mails.values())
    causes = office.sql("SELECT cause FROM mail_message WHERE kind = 'certificate' ORDER BY cause").split()
    assert causes == [f"certificate:{serial}" for serial in serials]


def test_a_temporary_refusal_is_deferred_then_sent(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"recipients": {"nguyen@example.org": "451 4.7.1 Try again later"}})
    first = office.send(sink)
    assert "1 deferred" in first.stdout and "451 4.7.1 Try again later" in first.stdout
    [deferred] = office.messages(status="deferred")
    assert deferred["recipient"] == "nguyen@example.org" and deferred["attempts"] == 1
    # Its time has not come: a plain run leaves it.
    assert "Sent 0 messages" in office.send(sink).stdout
    sink.set_rules({})
    office.send(sink, "--retry-deferred")
    shown = office.json("mail", "show", str(deferred["id"]))["message"]
    assert shown["status"] == "sent" and shown["attempts"] == 2
    delivered = [m for m in sink.messages() if m["To"].addresses[0].addr_spec == "nguyen@example.org"]
    assert len(delivered) == 1
    assert str(delivered[0]["Message-ID"]) == shown["message_id"] == deferred["message_id"]


def test_a_deferred_message_fails_after_the_limit(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"recipients": {"nguyen@example.org": "452 4.2.2 Mailbox full"}})
    office.send(sink)
    # The first attempt was long ago: the next 4xx ends it.
    office.sql("UPDATE mail_message SET first_attempt_at = now() - interval '6 days' WHERE recipient = 'nguyen@example.org'")
    result = office.send(sink, "--retry-deferred", check=False)
    assert result.returncode == 3 and "1 failed" in result.stdout
    [failed] = office.messages(status="failed")
    assert failed["last_reply"] == "452 4.2.2 Mailbox full"
    assert office.json("mail", "suppressed") == []


def test_an_address_error_fails_and_suppresses_the_address(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"recipients": {"gone@example.org": "550 5.1.1 User unknown"}})
    result = office.send(sink, check=False)
    assert result.returncode == 3
    assert "1 failed" in result.stdout and "suppression list" in result.stdout and "mail resend ID" in result.stdout
    [failed] = office.messages(status="failed")
    assert failed["recipient"] == "gone@example.org"
    [entry] = office.json("mail", "suppressed")
    assert entry["address"] == "gone@example.org" and "5.1.1" in entry["reason"]
    # Resending to it is refused while it is suppressed; another message to it is not sent.
    refused = office.run("mail", "resend", str(failed["id"]), check=False)
    assert refused.returncode != 0 and "suppression list" in refused.stderr
    person = next(p for p in office.json("participant", "list") if p["email"] == "gone@example.org")
    office.run("participant", "rename", str(person["id"]), "--family-name", "Müller-Lüdenscheidt", "--reason", "Heirat")
    serial = next(c["serial"] for c in office.certificates() if c["participant_id"] == person["id"])
    office.run("certificate", "reissue", serial, "--reason", "Namensänderung", "--output", office.folder + "/pdf")
    sink.set_rules({})
    second = office.send(sink)
    assert "1 not sent to suppressed addresses" in second.stdout
    assert not [m for m in sink.messages() if m["To"].addresses[0].addr_spec == "gone@example.org"]
    [suppressed] = office.messages(status="suppressed")
    assert suppressed["kind"] == "reissue"
    # Once removed from the list, a resend goes out.
    office.run("mail", "unsuppress", "gone@example.org")
    office.run("mail", "resend", str(suppressed["id"]))
    office.send(sink)
    [delivered] = [m for m in sink.messages() if m["To"].addresses[0].addr_spec == "gone@example.org"]
    assert "Neu ausgestellt" in str(delivered["Subject"])


def test_a_permanent_refusal_of_the_message_fails_without_suppressing(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"data_reply": "554 5.6.0 Message content rejected"})
    result = office.send(sink, check=False)
    assert result.returncode == 3 and f"{len(PEOPLE)} failed" in result.stdout
    assert office.json("mail", "suppressed") == []


def test_server_down_then_back(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.stop()
    down = office.send(sink, check=False)
    assert down.returncode == 4
    assert "could not be reached" in down.stdout and "Nothing is lost" in down.stdout
    # The message in hand is deferred; those claimed but not tried wait as they were.
    statuses = collections.Counter(m["status"] for m in office.messages())
    assert set(statuses) == {"deferred", "queued"} and statuses["deferred"] <= 2
    assert all(m["attempts"] == 0 for m in office.messages(status="queued"))
    assert f"{len(PEOPLE)} messages wait for a later run" in down.stdout
    sink.start()
    back = office.send(sink, "--retry-deferred")
    assert back.returncode == 0
    assert {m["status"] for m in office.messages()} == {"sent"}
    mails = delivered_certificate_mails(sink)
    assert len(mails) == len(PEOPLE) and all(len(copies) == 1 for copies in mails.values())


def test_garbage_and_slowness_defer_and_lose_nothing(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"greeting_garbage": True})
    garbage = office.send(sink, check=False)
    assert garbage.returncode == 4
    assert {m["status"] for m in office.messages()} <= {"deferred", "queued"}
    sink.set_rules({"data_delay_seconds": 5})
    slow = office.send(sink, "--retry-deferred", "--timeout", "2", "--workers", "1", check=False)
    assert slow.returncode == 4 and "timeout was reached" in slow.stdout.lower()
    sink.set_rules({})
    office.send(sink, "--retry-deferred")
    assert {m["status"] for m in office.messages()} == {"sent"}
    # The slow server stored the one message it then answered too late: the documented rare
    # duplicate, recognisable by its Message-ID.
    mails = delivered_certificate_mails(sink)
    assert sorted(mails) == sorted(c["serial"] for c in office.certificates())
    for copies in mails.values():
        assert len({str(m["Message-ID"]) for m in copies}) == 1
    assert sum(len(copies) for copies in mails.values()) <= len(PEOPLE) + 1


def test_mail_send_killed_while_sending(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    # Each hand-over takes a second; the process is killed in the middle of the second.
    sink.set_rules({"data_delay_seconds": 1})
    process = subprocess.Popen(
        [BIN, "mail", "send", "--smtp-url", sink.url, "--starttls", "never", "--from", SENDER, "--workers", "1",
         "--batch", "3"], env=office.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Killed once it is handing over its first batch, however slowly the machine started it.
    for _ in range(200):
        if office.sql("SELECT count(*) FROM mail_message WHERE status = 'sending'").strip() != "0":
            break
        time.sleep(0.05)
    time.sleep(0.5)
    process.kill()
    process.wait()
    statuses = collections.Counter(m["status"] for m in office.messages())
    assert statuses["sending"] >= 1, statuses
    # Left "sending" by a run that is gone: the office may still cancel it.
    orphan = office.messages(status="sending")[-1]
    office.run("mail", "cancel", str(orphan["id"]))
    sink.set_rules({})
    again = office.send(sink, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert {m["status"] for m in office.messages()} == {"sent", "cancelled"}, again.stdout
    mails = delivered_certificate_mails(sink)
    cancelled_serial = next(m["serial"] for m in office.messages(status="cancelled"))
    assert sorted(mails) == sorted(c["serial"] for c in office.certificates() if c["serial"] != cancelled_serial) \
        or sorted(mails) == sorted(c["serial"] for c in office.certificates())
    for copies in mails.values():
        # A message the server stored before the kill comes twice, with the same Message-ID.
        assert len(copies) in (1, 2) and len({str(m["Message-ID"]) for m in copies}) == 1
    assert sum(len(copies) - 1 for copies in mails.values()) <= 2


def test_several_senders_at_once_send_each_message_once(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    processes = [
        subprocess.Popen([BIN, "mail", "send", "--smtp-url", sink.url, "--starttls", "never", "--from", SENDER,
                          "--workers", "2", "--batch", "1"], env=office.env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for process in processes:
        assert process.wait(timeout=120) == 0, process.stderr.read()
    mails = delivered_certificate_mails(sink)
    assert len(mails) == len(PEOPLE) and all(len(copies) == 1 for copies in mails.values())


def test_bounces_imported_from_a_maildir(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    office.send(sink, "--per-message-return-path")
    by_address = {m["recipient"]: m for m in office.messages()}
    # The envelope sender names the message and the random part of its Message-ID.
    envelopes = {tuple(e["rcpt_tos"]): e["mail_from"] for e in sink.envelopes()}
    gone = by_address["gone@example.org"]
    token = lambda m: m["message_id"].split(".", 1)[1].split("@", 1)[0]  # noqa: E731
    assert envelopes[("gone@example.org",)] == f"beccaria+m{gone['id']}.{token(gone)}@lpr.sachsen.de"
    later = by_address["later@example.org"]
    nguyen = by_address["nguyen@example.org"]
    mailbox = os.path.join(office.folder, "bounces")
    write_maildir(mailbox, [
        # Matched by the Message-ID it quotes.
        make_dsn(gone["message_id"], "gone@example.org", status="5.1.1", diagnostic="smtp; 550 5.1.1 User unknown"),
        # No headers quoted: matched by the per-message return address it was sent to.
        make_dsn("<unknown@elsewhere>", "later@example.org", status="5.2.2", diagnostic="smtp; 552 5.2.2 Mailbox full",
                 to=f"beccaria+m{later['id']}.{token(later)}@lpr.sachsen.de", include_headers=False),
        # Forged: the right number without its Message-ID's part; a real Message-ID with
        # another recipient. Neither matches.
        make_dsn("<forged@evil.example>", "nguyen@example.org", to=f"beccaria+m{nguyen['id']}.0000000000000000@lpr.sachsen.de",
                 include_headers=False),
        make_dsn(nguyen["message_id"], "someone@evil.example"),
        # A delay report and a person's answer change nothing.
        make_dsn(by_address["nguyen@example.org"]["message_id"], "nguyen@example.org", status="4.4.7", action="delayed"),
        b"From: someone@example.org\r\nTo: beccaria@lpr.sachsen.de\r\nSubject: Danke\r\n\r\nVielen Dank!\r\n",
    ])
    write_maildir(mailbox, [make_dsn("<nothing@lpr.sachsen.de>", "x@example.org")], subfolder="cur")
    result = office.run("mail", "bounces", "import", mailbox)
    assert "Read 7 files: 2 messages marked bounced, 0 reports already imported, 0 about a message never sent, " \
           "1 delay or success report, 1 not a delivery report, 3 matching no message, 0 skipped." in result.stdout
    statuses = {m["recipient"]: m["status"] for m in office.messages()}
    assert statuses["gone@example.org"] == "bounced" and statuses["later@example.org"] == "bounced"
    assert statuses["nguyen@example.org"] == "sent"
    # Only the address error (5.1.1) is suppressed, not the full mailbox (5.2.2).
    assert [entry["address"] for entry in office.json("mail", "suppressed")] == ["gone@example.org"]
    shown = office.run("mail", "show", str(gone["id"])).stdout
    assert "bounce 5.1.1" in shown
    again = office.run("mail", "bounces", "import", mailbox)
    assert "0 messages marked bounced, 2 reports already imported" in again.stdout
    # A link, a folder and a file too large for a report are skipped; the rest is read.
    os.symlink("/etc/passwd", os.path.join(mailbox, "new", "link"))
    os.mkdir(os.path.join(mailbox, "new", "folder"))
    with open(os.path.join(mailbox, "new", "huge"), "wb") as huge:
        huge.truncate(9 << 20)
    skipping = office.run("mail", "bounces", "import", mailbox)
    assert "2 reports already imported" in skipping.stdout and "3 skipped" in skipping.stdout
    assert office.run("mail", "bounces", "import", office.folder, check=False).returncode != 0


def test_session_reminders_moves_and_cancellations_carry_calendar_files(office, sink):
    sessions = office.future_cohort()
    first, second = sessions
    office.send(sink)
    reminders = [m for m in sink.messages() if str(m["Subject"]).startswith("Erinnerung")]
    # Everyone enrolled and the trainer, for the session within seven days only.
    assert len(reminders) == len(PEOPLE) + 1
    start = datetime.datetime.fromisoformat(f"{first['day']}T09:00").replace(tzinfo=BERLIN)
    uids = set()
    for message in reminders:
        event = next(iter(icalendar.Calendar.from_ical(calendar_of(message).get_content()).walk("VEVENT")))
        assert event.decoded("dtstart") == start
        assert event.decoded("dtend") == start.replace(hour=16, minute=30)
        assert str(event["dtstart"].params["TZID"]) == "Europe/Berlin"
        assert event["sequence"] == 0 and str(event["location"]) == "Dresden, Raum 3"
        uids.add(str(event["uid"]))
    assert len(uids) == 1
    # Another run sends no second reminder.
    assert "0 reminders queued" in office.send(sink).stdout
    # The session is moved (by psql: every client's change is told) and moved again.
    for hour in ("10:00", "11:00"):
        office.sql(f"UPDATE session SET starts_at = '{hour}', ends_at = '17:30' WHERE id = {first['id']}")
    office.run("session", "cancel", str(second["id"]), "--reason", "Referentin erkrankt")
    office.send(sink)
    # Moved twice before the next run: the first notice, no longer true, was replaced.
    changes = [m for m in sink.messages() if str(m["Subject"]).startswith("Terminänderung")]
    assert len(changes) == len(PEOPLE) + 1
    replaced = office.messages(kind="change", status="cancelled")
    assert len(replaced) == len(PEOPLE) + 1
    assert all(m["last_reply"] == "replaced by a later notice about the session" for m in replaced)
    sequences = collections.Counter()
    for message in changes:
        calendar = icalendar.Calendar.from_ical(calendar_of(message).get_content())
        assert str(calendar["method"]) == "REQUEST"
        event = next(iter(calendar.walk("VEVENT")))
        assert str(event["uid"]) in uids
        sequences[int(event["sequence"])] += 1
        assert "Bisher:" in message.get_body(("plain",)).get_content()
    assert sequences == {2: len(PEOPLE) + 1}
    last = max(changes, key=lambda m: int(next(iter(icalendar.Calendar.from_ical(calendar_of(m).get_content()).walk("VEVENT")))["sequence"]))
    event = next(iter(icalendar.Calendar.from_ical(calendar_of(last).get_content()).walk("VEVENT")))
    assert event.decoded("dtstart") == start.replace(hour=11)
    # Those told of the move get no second reminder of the moved session.
    assert not [m for m in sink.messages()[len(reminders):] if str(m["Subject"]).startswith("Erinnerung")]
    # A notice of the session as it was before a later move is not sent again.
    stale = next(m for m in office.messages(kind="change") if m["status"] == "sent")
    stale_sequence = office.sql(f"SELECT calendar->>'sequence' FROM mail_message WHERE id = {stale['id']}").strip()
    outdated = [m for m in office.messages(kind="change")
                if office.sql(f"SELECT calendar->>'sequence' FROM mail_message WHERE id = {m['id']}").strip() == "1"]
    refused = office.run("mail", "resend", str(outdated[0]["id"]), check=False)
    assert refused.returncode != 0 and "before a later change" in refused.stderr, refused.stderr
    assert stale_sequence in ("1", "2")
    cancellations = [m for m in sink.messages() if str(m["Subject"]).startswith("Termin abgesagt")]
    assert len(cancellations) == len(PEOPLE) + 1
    for message in cancellations:
        calendar = icalendar.Calendar.from_ical(calendar_of(message).get_content())
        assert str(calendar["method"]) == "CANCEL"
        event = next(iter(calendar.walk("VEVENT")))
        assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
        assert str(event["uid"]) not in uids
        assert calendar_of(message).get_filename() == "absage.ics"


def test_a_place_from_the_waiting_list_is_told_with_a_copy_to_the_office(office, sink):
    office.run("course", "create", "--programme", "beccaria-fachkraft", "--code", "WAIT-1", "--capacity", "1",
               "--starts", "2027-03-06")
    people = office.json("participant", "list")
    office.run("enrolment", "add", "--course", "WAIT-1", "--participant", str(people[0]["id"]))
    office.run("enrolment", "add", "--course", "WAIT-1", "--participant", str(people[1]["id"]))
    office.run("enrolment", "withdraw", "--course", "WAIT-1", "--participant", str(people[0]["id"]), "--reason", "verhindert")
    office.send(sink)
    offers = [m for m in sink.messages() if str(m["Subject"]).endswith("Ein Platz für Sie im Durchgang WAIT-1")]
    assert sorted(m["To"].addresses[0].addr_spec for m in offers) == sorted([people[1]["email"], "beccaria@lpr.sachsen.de"])
    for message in offers:
        body = message.get_body(("plain",)).get_content()
        assert "Beginn: 06.03.2027" in body and nfc(people[1]["given_names"]) in nfc(body)
    # The office's copy says it is one, and whose.
    [copy] = [m for m in offers if m["To"].addresses[0].addr_spec == "beccaria@lpr.sachsen.de"]
    assert str(copy["Subject"]).startswith("Kopie: ") and copy["To"].addresses[0].display_name == ""
    assert copy.get_body(("plain",)).get_content().startswith(f"Kopie der Nachricht an Teilnehmer/in {people[1]['id']}, ")
    # Erasing the person removes both, the office's copy too.
    office.run("participant", "erase", "--yes", str(people[1]["id"]), "--reason", "Antrag nach Art. 17 DSGVO")
    left = office.sql("SELECT count(*) FROM mail_message WHERE concat(recipient, subject, body) <> '' AND cause LIKE 'offer%'")
    assert left.strip() == "0"


def test_erasure_removes_addresses_and_texts(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    person = next(p for p in office.json("participant", "list") if p["email"] == "k.fischer@example.org")
    exported = json.loads(office.run("participant", "export", str(person["id"])).stdout)
    [mail] = exported["mail"]
    assert mail["recipient"] == "k.fischer@example.org" and "Guten Tag Katrin Fischer" in mail["body"]
    shown = office.run("participant", "show", str(person["id"])).stdout
    assert "Messages (mail show ID):" in shown and "k.fischer@example.org" in shown
    office.run("participant", "erase", "--yes", str(person["id"]), "--reason", "Antrag nach Art. 17 DSGVO")
    office.send(sink)
    # Their queued message was cancelled, not sent; nothing of them is left in the outbox.
    assert not [m for m in sink.messages() if m["To"].addresses[0].addr_spec == "k.fischer@example.org"]
    [entry] = office.messages(participant=person["id"])
    assert entry["status"] == "cancelled" and entry.get("recipient") is None and entry.get("subject") is None
    leftover = office.sql(
        "SELECT count(*) FROM mail_message WHERE participant_id = %d AND (recipient IS NOT NULL OR subject IS NOT NULL "
        "OR body IS NOT NULL OR calendar IS NOT NULL)" % person["id"])
    assert leftover.strip() == "0"
    assert office.run("mail", "resend", str(entry["id"]), check=False).returncode != 0


def test_retention_purges_bodies_but_keeps_the_record(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    office.send(sink)
    office.sql("UPDATE mail_message SET finished_at = now() - interval '31 days' WHERE recipient = 'nguyen@example.org'")
    result = office.send(sink)
    assert "1 message text deleted after the retention period" in result.stdout
    [entry] = [m for m in office.messages() if m["recipient"] == "nguyen@example.org"]
    shown = office.json("mail", "show", str(entry["id"]))
    assert shown.get("body") is None and shown["message"]["subject"] and shown["body_deleted_at"]
    refused = office.run("mail", "resend", str(entry["id"]), check=False)
    assert refused.returncode != 0 and "retention period" in refused.stderr


def test_the_office_resends_cancels_and_counts(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    queued = office.messages(status="queued")
    cancelled = queued[0]
    assert "it will not be sent" in office.run("mail", "cancel", str(cancelled["id"])).stdout
    assert office.run("mail", "cancel", str(cancelled["id"]), check=False).returncode != 0
    preview = office.run("mail", "send", "--dry-run").stdout
    assert f"Would send {len(PEOPLE) - 1} messages; nothing was changed." in preview
    assert len(office.messages(status="queued")) == len(PEOPLE) - 1
    office.send(sink)
    sent = office.messages(status="sent")[0]
    made = office.run("mail", "resend", str(sent["id"]), "--to", "neu@example.org").stdout
    assert "a copy of message" in made and "neu@example.org" in made
    office.send(sink)
    copies = [m for m in sink.messages() if m["To"].addresses[0].addr_spec == "neu@example.org"]
    assert len(copies) == 1 and str(copies[0]["Message-ID"]) != sent["message_id"]
    statistics = office.json("mail", "stats")
    counts = {(c["kind"], c["status"]): c["messages"] for c in statistics["counts"]}
    assert counts[("certificate", "sent")] == len(PEOPLE) and counts[("certificate", "cancelled")] == 1
    assert statistics["sent_last24_hours"] == len(PEOPLE)
    bad = office.run("mail", "resend", str(sent["id"]), "--to", "not an address", check=False)
    assert bad.returncode != 0 and "not an e-mail address" in bad.stderr


def test_starttls_and_login_from_a_credentials_file(office, template):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    cert, key = self_signed_cert(office.folder)
    with SMTPSink("--tls-cert", cert, "--tls-key", key, "--auth", "lpr:geheim-Passwort") as server:
        credentials = os.path.join(office.folder, "smtp.netrc")
        with open(credentials, "w") as out:
            out.write("machine 127.0.0.1 login lpr password geheim-Passwort\n")
        os.chmod(credentials, 0o644)
        options = ["--smtp-url", server.url, "--from", SENDER, "--ca-file", cert, "--smtp-credentials", credentials]
        loose = office.run("mail", "send", *options, check=False)
        assert loose.returncode != 0 and "chmod 600" in loose.stderr
        os.chmod(credentials, 0o600)
        # Without the credentials the server refuses: the run stops, nothing is lost.
        refused = office.run("mail", "send", *options[:-2], check=False)
        assert refused.returncode == 4 and "refused the login" in refused.stdout
        assert {m["status"] for m in office.messages()} <= {"deferred", "queued"}
        sent = office.run("mail", "send", *options, "--retry-deferred")
        assert f"Sent {len(PEOPLE)} messages" in sent.stdout
        envelopes = server.envelopes()
        assert all(e["tls"] and e["login"] == "lpr" for e in envelopes)
        for output in (loose, refused, sent):
            assert "geheim" not in output.stdout + output.stderr
        assert "geheim" not in office.sql("SELECT string_agg(coalesce(last_reply, ''), ' ') FROM mail_message")
        # A password in the URL is refused without being repeated.
        leaked = office.run("mail", "send", "--smtp-url", "smtp://lpr:geheim@127.0.0.1:25", "--from", SENDER, check=False)
        assert leaked.returncode != 0 and "credentials file" in leaked.stderr and "geheim" not in leaked.stderr


def test_implicit_tls(office):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    cert, key = self_signed_cert(office.folder)
    with SMTPSink("--tls-cert", cert, "--tls-key", key, "--implicit-tls") as server:
        assert server.url.startswith("smtps://")
        office.run("mail", "send", "--smtp-url", server.url, "--from", SENDER, "--ca-file", cert)
        assert len(server.messages()) == len(PEOPLE)
        # Without trusting its certificate nothing is sent.
        office.run("mail", "resend", str(office.messages()[0]["id"]))
        untrusted = office.run("mail", "send", "--smtp-url", server.url, "--from", SENDER, check=False)
        assert untrusted.returncode == 4
        assert len(server.messages()) == len(PEOPLE)


def test_required_starttls_refuses_a_server_without_it(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    result = office.run("mail", "send", "--smtp-url", sink.url, "--from", SENDER, check=False)
    assert result.returncode == 4 and "does not offer STARTTLS" in result.stdout and "--starttls never" in result.stdout
    assert sink.messages() == []


def test_bad_settings_are_refused_before_anything_is_claimed(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    for arguments, words in [
        (["--smtp-url", "http://127.0.0.1:25", "--from", SENDER], "smtp://HOST"),
        (["--smtp-url", sink.url, "--from", "not an address"], "is not an address"),
        (["--smtp-url", sink.url], "no sender"),
        (["--from", SENDER], "no SMTP server"),
        (["--smtp-url", sink.url, "--from", SENDER, "--workers", "0"], "--workers"),
        (["--smtp-url", sink.url, "--from", SENDER, "--smtp-credentials", "/nonexistent"], "cannot be read"),
        (["--smtp-url", sink.url, "--from", SENDER, "--smtp-credentials", "/tmp"], "not a regular file"),
        (["--smtp-url", sink.url, "--from", "a@lpr-sächsen.de"], "must be written in ASCII"),
        (["--smtp-url", sink.url, "--from", "X <a@b.de>, Y <c@d.de>"], "is not an address"),
    ]:
        result = office.run("mail", "send", *arguments, check=False)
        assert result.returncode not in (0, 4) and words in result.stderr, (arguments, result.stderr)
    assert {m["status"] for m in office.messages()} == {"queued"}
    assert office.sql("SELECT count(*) FROM mail_message WHERE attempts > 0").strip() == "0"


def test_the_mailer_role_sends_and_reads_no_table(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    login = "mailer_" + os.urandom(3).hex()
    office.run("access", "grant", login, "--role", "mailer")
    try:
        url = office.url.replace("user=beccaria", f"user={login}") if "user=" in office.url else office.url + f"&user={login}"
        env = dict(office.env, DATABASE_URL=url)
        result = office.run("mail", "send", "--smtp-url", sink.url, "--starttls", "never", "--from", SENDER, env=env)
        assert f"Sent {len(PEOPLE)} messages" in result.stdout
        for table in ("mail_message", "participant", "certificate", "mail_suppression"):
            denied = subprocess.run(["psql", "-X", "-q", url, "-c", f"SELECT * FROM {table} LIMIT 1"], capture_output=True,
                                    text=True)
            assert denied.returncode != 0 and "permission denied" in denied.stderr, table
        listed = office.run("mail", "list", env=env, check=False)
        assert listed.returncode != 0
    finally:
        subprocess.run(["psql", "-X", "-q", office.url, "-c", f"DROP OWNED BY {login}", "-c", f"DROP ROLE {login}"])


def test_killed_after_the_server_accepted_a_message(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    # The second message handed over is accepted, then the process dies before recording it.
    killed = office.run("mail", "send", "--smtp-url", sink.url, "--starttls", "never", "--from", SENDER, "--workers", "1",
                        check=False, env=dict(office.env, BECCARIA_FAILPOINT="mail-sent:2"))
    assert killed.returncode == -signal.SIGKILL
    statuses = collections.Counter(m["status"] for m in office.messages())
    assert statuses["sent"] == 1 and statuses["sending"] == len(PEOPLE) - 1
    office.send(sink)
    assert {m["status"] for m in office.messages()} == {"sent"}
    mails = delivered_certificate_mails(sink)
    assert sorted(mails) == sorted(c["serial"] for c in office.certificates())
    # Exactly the one message in flight came twice, with one Message-ID.
    twice = [copies for copies in mails.values() if len(copies) > 1]
    assert len(twice) == 1 and len(twice[0]) == 2
    assert twice[0][0]["Message-ID"] == twice[0][1]["Message-ID"]


def test_killed_after_claiming_sends_everything_once(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    killed = office.run("mail", "send", "--smtp-url", sink.url, "--starttls", "never", "--from", SENDER, check=False,
                        env=dict(office.env, BECCARIA_FAILPOINT="mail-claimed:1"))
    assert killed.returncode == -signal.SIGKILL
    assert sink.messages() == []
    office.send(sink)
    mails = delivered_certificate_mails(sink)
    assert len(mails) == len(PEOPLE) and all(len(copies) == 1 for copies in mails.values())


def test_certificate_mails_without_the_pdf_when_the_programme_says_so(office, sink):
    office.load_programme_version(lambda text: text.replace("attach_certificate: true", "attach_certificate: false", 1))
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    office.send(sink)
    messages = sink.messages()
    assert len(messages) == len(PEOPLE)
    for message in messages:
        assert list(message.iter_attachments()) == []
        assert "https://www.lpr.sachsen.de/beccaria/pruefen?nr=BQ-" in message.get_body(("plain",)).get_content()


def test_erasure_leaves_no_trace_of_a_suppressed_address(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"recipients": {"k.fischer@example.org": "550 5.1.1 <k.fischer@example.org>: Recipient address rejected"}})
    assert office.send(sink, check=False).returncode == 3
    assert [entry["address"] for entry in office.json("mail", "suppressed")] == ["k.fischer@example.org"]
    person = next(p for p in office.json("participant", "list") if p["email"] == "k.fischer@example.org")
    office.run("participant", "erase", "--yes", str(person["id"]), "--reason", "Antrag nach Art. 17 DSGVO")
    assert office.json("mail", "suppressed") == []
    traces = office.sql(
        "SELECT count(*) FROM audit_log WHERE concat(row_key::text, old_values::text, new_values::text, reason) ILIKE '%fischer%'",
        "SELECT count(*) FROM mail_message WHERE concat(recipient, subject, body, last_reply, calendar::text) ILIKE '%fischer%'")
    assert traces.split() == ["0", "0"]


def test_a_refused_sender_stops_the_run_and_fails_nothing(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"sender_reply": "553 5.1.8 Sender address rejected: Domain not found"})
    result = office.send(sink, check=False)
    assert result.returncode == 4 and "5.1.8 Sender address rejected" in result.stdout and "(to MAIL)" in result.stdout
    assert {m["status"] for m in office.messages()} <= {"deferred", "queued"}
    assert office.json("mail", "suppressed") == []
    # Refusals of the client at RCPT (as Postfix gives them) stop the run too; a bad mailbox fails
    # its message alone.
    for refusal in ["550 Relaying denied", "554 5.7.1 <nguyen@example.org>: Relay access denied",
                    "550 5.1.1 <beccaria@lpr.sachsen.de>: Sender address rejected: undeliverable address"]:
        sink.set_rules({"recipients": {"nguyen@example.org": refusal}})
        stopped = office.send(sink, "--retry-deferred", "--workers", "1", check=False)
        assert stopped.returncode == 4, stopped.stdout
    assert office.json("mail", "suppressed") == [] and office.messages(status="failed") == []
    sink.set_rules({"recipients": {"nguyen@example.org": "550 5.1.1 <nguyen@example.org>: Recipient address rejected"}})
    assert office.send(sink, "--retry-deferred", check=False).returncode == 3
    assert [m["recipient"] for m in office.messages(status="failed")] == ["nguyen@example.org"]
    assert [entry["address"] for entry in office.json("mail", "suppressed")] == ["nguyen@example.org"]


def test_retrying_deferred_messages_tries_each_once_per_run(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"recipients": {"nguyen@example.org": "452 4.2.2 Mailbox full"}})
    office.send(sink)
    office.send(sink, "--retry-deferred")
    [deferred] = office.messages(status="deferred")
    assert deferred["attempts"] == 2


def test_text_of_endless_combining_marks_still_makes_valid_messages(office, sink):
    sessions = office.future_cohort()
    # One grapheme cluster of 1,200 accents, and 600 ordinary ones.
    office.sql(f"UPDATE session SET location = 'Raum ' || repeat(E'a\\u0301', 600) || ' x' || repeat(E'\\u0301', 1200) "
               f"WHERE id = {sessions[0]['id']}")
    result = office.send(sink)
    assert "0 failed" in result.stdout, result.stdout
    # The change of place is told (and no reminder besides, for the same event).
    changes = [m for m in sink.messages() if str(m["Subject"]).startswith("Terminänderung")]
    assert len(changes) == len(PEOPLE) + 1
    assert not [m for m in sink.messages() if str(m["Subject"]).startswith("Erinnerung")]
    for raw in sink.raw_messages():
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    event = next(iter(icalendar.Calendar.from_ical(calendar_of(changes[0]).get_content()).walk("VEVENT")))
    assert str(event["location"]).startswith("Raum a\u0301a\u0301")


def test_a_run_that_loses_its_hold_stops_and_sends_little_twice(office, sink):
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    sink.set_rules({"data_delay_seconds": 0.5})
    process = subprocess.Popen(
        [BIN, "mail", "send", "--smtp-url", sink.url, "--starttls", "never", "--from", SENDER, "--workers", "2",
         "--batch", "5"], env=office.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        if office.sql("SELECT count(*) FROM mail_message WHERE status = 'sending'").strip() != "0":
            break
        time.sleep(0.05)
    time.sleep(0.3)
    # Its holding connection ends (a DBA's script against idle transactions, a network cut).
    office.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%mail_claim_hold%' AND pid <> pg_backend_pid()")
    out, err = process.communicate(timeout=60)
    assert process.returncode != 0 and "lost its hold" in err, out + err
    sink.set_rules({})
    office.send(sink)
    assert {m["status"] for m in office.messages()} == {"sent"}
    mails = delivered_certificate_mails(sink)
    assert sorted(mails) == sorted(c["serial"] for c in office.certificates())
    # At most the message each worker had in hand comes twice.
    assert sum(len(copies) - 1 for copies in mails.values()) <= 2


def test_a_version_without_mail_texts_warns_and_sends_nothing_more(office, sink):
    loaded = office.load_programme_version(lambda text: text[:text.index("\nmail:")] + "\n")
    assert "sends no mail from now on" in loaded.stderr
    office.run("certificate", "run", "--output", office.folder + "/pdf")
    assert office.messages() == []
