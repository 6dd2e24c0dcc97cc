"""The test SMTP server (scripts/lib/smtp_sink.py) and the helpers around it, checked with Python's
smtplib, so that a failing mail delivery test points at beccaria and not at its test server."""
import email
import email.policy
import mailbox
import smtplib
import socket
import ssl

import pytest

from smtp_support import SMTPSink, make_dsn, self_signed_cert, write_maildir

SENDER = "certificates@example.org"

# CRLF line ends, a line that starts with a dot (dot-stuffed on the wire), UTF-8 in a header and
# the body, a folded header and trailing blanks: all must arrive as they were sent.
RAW = (
    "From: Beccaria <certificates@example.org>\r\n"
    "To: Měrćin Wjeńka <m.wjenka@example.org>\r\n"
    "Subject: Ihre Teilnahmebescheinigung\r\n"
    "X-Folded: one\r\n"
    "\ttwo  \r\n"
    "Message-ID: <c1.test@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Sehr geehrter Herr Wjeńka,\r\n"
    ".\r\n"
    "..zwei Punkte\r\n"
    "Grüße  \r\n"
).encode("utf-8")


@pytest.fixture
def sink():
    with SMTPSink() as server:
        yield server


def client(server, **options):
    return smtplib.SMTP("127.0.0.1", server.port, timeout=10, **options)


def test_a_message_is_stored_byte_for_byte(sink):
    with client(sink) as smtp:
        smtp.sendmail(SENDER, ["m.wjenka@example.org"], RAW)
        smtp.sendmail(SENDER, ["second@example.org"], b"Subject: zwei\r\n\r\nx\r\n")
    assert sink.raw_messages()[0] == RAW
    first, second = sink.messages()
    assert first["Message-ID"] == "<c1.test@example.org>"
    assert second["Subject"] == "zwei"
    envelope = sink.envelopes()[0]
    assert envelope["mail_from"] == SENDER
    assert envelope["rcpt_tos"] == ["m.wjenka@example.org"]
    assert envelope["size"] == len(RAW)
    assert envelope["tls"] is False


def test_recipients_get_the_rules_replies(sink):
    sink.set_rules({"recipients": {"Later@example.org": "451 4.7.1 Try again later",
                                   "gone@example.org": "550 5.1.1 User unknown"}})
    with client(sink) as smtp:
        refused = smtp.sendmail(SENDER, ["later@EXAMPLE.org", "gone@example.org", "here@example.org"], RAW)
    assert refused == {"later@EXAMPLE.org": (451, b"4.7.1 Try again later"),
                       "gone@example.org": (550, b"5.1.1 User unknown")}
    assert [envelope["rcpt_tos"] for envelope in sink.envelopes()] == [["here@example.org"]]
    # Rules are read again at every RCPT: lifted, the recipient is accepted.
    sink.set_rules({})
    with client(sink) as smtp:
        assert smtp.sendmail(SENDER, ["later@example.org"], RAW) == {}
    assert len(sink.envelopes()) == 2


@pytest.mark.parametrize("reply", ["452 4.3.1 Insufficient storage", "554 5.6.0 bad"])
def test_a_data_reply_refuses_the_message(sink, reply):
    sink.set_rules({"data_reply": reply})
    with client(sink) as smtp, pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.sendmail(SENDER, ["a@example.org"], RAW)
    assert refused.value.smtp_code == int(reply[:3])
    assert refused.value.smtp_error.decode() == reply[4:]
    assert sink.envelopes() == []


def test_close_after_data_stores_the_message_without_a_reply(sink):
    sink.set_rules({"close_after_data": True})
    with pytest.raises(smtplib.SMTPServerDisconnected):
        client(sink).sendmail(SENDER, ["a@example.org"], RAW)
    assert sink.raw_messages() == [RAW]


def test_a_slow_reply_comes_after_the_message_is_stored(sink):
    sink.set_rules({"data_delay_seconds": 2})
    with pytest.raises(smtplib.SMTPServerDisconnected):
        smtplib.SMTP("127.0.0.1", sink.port, timeout=0.5).sendmail(SENDER, ["a@example.org"], RAW)
    assert sink.raw_messages() == [RAW]


def test_greeting_garbage_is_no_smtp(sink):
    sink.set_rules({"greeting_garbage": True})
    with socket.create_connection(("127.0.0.1", sink.port), timeout=10) as connection:
        received = connection.makefile("rb").read()
    assert received.startswith(b"HELLO THIS IS NOT SMTP\r\n")
    assert len(received) > len(b"HELLO THIS IS NOT SMTP\r\n")
    with pytest.raises(smtplib.SMTPException):
        client(sink)


def test_starttls_with_the_self_signed_certificate(tmp_path):
    certificate, key = self_signed_cert(tmp_path)
    trusting = ssl.create_default_context(cafile=certificate)
    with SMTPSink("--tls-cert", certificate, "--tls-key", key) as server:
        with client(server) as smtp:
            smtp.starttls(context=trusting)
            smtp.sendmail(SENDER, ["a@example.org"], RAW)
        # STARTTLS is offered, not required.
        with client(server) as smtp:
            smtp.sendmail(SENDER, ["b@example.org"], RAW)
        assert [envelope["tls"] for envelope in server.envelopes()] == [True, False]
        assert server.raw_messages() == [RAW, RAW]


def test_implicit_tls(tmp_path):
    certificate, key = self_signed_cert(tmp_path)
    trusting = ssl.create_default_context(cafile=certificate)
    with SMTPSink("--tls-cert", certificate, "--tls-key", key, "--implicit-tls") as server:
        assert server.url.startswith("smtps://127.0.0.1:")
        with smtplib.SMTP_SSL("127.0.0.1", server.port, context=trusting, timeout=10) as smtp:
            smtp.ehlo()
            assert not smtp.has_extn("starttls")
            smtp.sendmail(SENDER, ["a@example.org"], RAW)
        assert server.envelopes()[0]["tls"] is True


def test_auth_is_required_with_auth():
    with SMTPSink("--auth", "beccaria:geheim") as server:
        with client(server) as smtp:
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                smtp.sendmail(SENDER, ["a@example.org"], RAW)
            assert refused.value.smtp_code == 530
            with pytest.raises(smtplib.SMTPAuthenticationError):
                smtp.login("beccaria", "falsch")
        for mechanism in ("PLAIN", "LOGIN"):
            with client(server) as smtp:
                smtp.ehlo()
                smtp.user, smtp.password = "beccaria", "geheim"
                smtp.auth(mechanism, getattr(smtp, "auth_" + mechanism.lower()))
                smtp.sendmail(SENDER, ["a@example.org"], RAW)
        assert [envelope["login"] for envelope in server.envelopes()] == ["beccaria", "beccaria"]


def test_no_auth_is_offered_without_auth(sink):
    with client(sink) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("auth")
        assert smtp.has_extn("smtputf8") and smtp.has_extn("8bitmime")


def test_stop_and_start_keep_the_port_and_the_messages(sink):
    with client(sink) as smtp:
        smtp.sendmail(SENDER, ["a@example.org"], RAW)
    port = sink.port
    sink.stop()
    with pytest.raises(ConnectionRefusedError):
        client(sink)
    sink.start()
    assert sink.port == port
    with client(sink) as smtp:
        smtp.sendmail(SENDER, ["b@example.org"], b"Subject: danach\r\n\r\nx\r\n")
    assert [envelope["rcpt_tos"] for envelope in sink.envelopes()] == [["a@example.org"], ["b@example.org"]]
    assert [message["Subject"] for message in sink.messages()] == ["Ihre Teilnahmebescheinigung", "danach"]


def test_a_dsn_is_a_delivery_status_report(tmp_path):
    raw = make_dsn("m42.abc@example.org", "gone@example.org", to="bounces+m42@example.org")
    dsn = email.message_from_bytes(raw, policy=email.policy.default)
    assert dsn.get_content_type() == "multipart/report"
    assert dsn.get_param("report-type") == "delivery-status"
    assert dsn["To"] == "bounces+m42@example.org"
    text, status, headers = dsn.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert status.get_content_type() == "message/delivery-status"
    per_message, per_recipient = status.get_payload()
    assert per_message["Reporting-MTA"] == "dns; mx.example.org"
    assert per_recipient["Final-Recipient"] == "rfc822; gone@example.org"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.1.1"
    assert per_recipient["Diagnostic-Code"] == "smtp; 550 5.1.1 User unknown"
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Message-ID: <m42.abc@example.org>" in headers.get_content()

    delayed = make_dsn("<m43@example.org>", "full@example.org", status="4.2.2", action="delayed",
                       diagnostic="smtp; 452 4.2.2 Mailbox full", include_headers=False)
    parts = list(email.message_from_bytes(delayed, policy=email.policy.default).iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "message/delivery-status"]
    assert parts[1].get_payload()[1]["Status"] == "4.2.2"

    # Readers find them in new/ and in cur/.
    write_maildir(tmp_path / "bounces", [raw])
    write_maildir(tmp_path / "bounces", [delayed], subfolder="cur")
    stored = sorted(message["Subject"] for message in mailbox.Maildir(tmp_path / "bounces", create=False))
    assert stored == ["Delayed Mail (still being retried)", "Undelivered Mail Returned to Sender"]
