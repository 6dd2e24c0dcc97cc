"""Helpers for the mail delivery tests: a local SMTP server to deliver to (scripts/lib/smtp_sink.py
in a process of its own), delivery status notifications as mail servers send them, Maildirs, and a
self-signed certificate for TLS.
"""
import email
import email.policy
import itertools
import json
import os
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate, make_msgid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SINK = os.path.join(ROOT, "scripts", "lib", "smtp_sink.py")
START_SECONDS = 10


class SMTPSink:
    """smtp_sink.py on 127.0.0.1 with a temporary Maildir and rules file; `options` go to it as
    they are (for example "--auth", "user:secret" or "--tls-cert", cert, "--tls-key", key).

        with SMTPSink() as sink:
            deliver_to(sink.url)
            assert sink.messages()[0]["Subject"] == "..."

    stop() and start() again keep the port and the Maildir (a server that is down for a while).
    """

    def __init__(self, *options):
        self.options = [str(option) for option in options]
        self.folder = tempfile.mkdtemp(prefix="beccaria-smtp-")
        self.maildir = os.path.join(self.folder, "maildir")
        self.rules = os.path.join(self.folder, "rules.json")
        self.errors = os.path.join(self.folder, "sink.err")
        self.port = None
        self.process = None

    @property
    def url(self):
        scheme = "smtps" if "--implicit-tls" in self.options else "smtp"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self):
        """Starts the server (on a free port the first time, on the same one after stop())."""
        with open(self.errors, "ab") as errors:
            # sys.executable: the interpreter running pytest, the test environment's, with aiosmtpd.
            self.process = subprocess.Popen(
                [sys.executable, SINK, "--port", str(self.port or 0), "--maildir", self.maildir, "--rules", self.rules,
                 *self.options],
                stdout=subprocess.PIPE, stderr=errors)
        ready, _, _ = select.select([self.process.stdout], [], [], START_SECONDS)
        line = self.process.stdout.readline() if ready else b""
        if not line.startswith(b"READY "):
            self.process.kill()
            self.process.wait()
            self.process = None
            raise AssertionError(f"smtp_sink.py did not start: {self.log()}")
        self.port = int(line.split()[1])
        return self

    def stop(self):
        """Stops the server; raises when it does not exit cleanly (with its standard error)."""
        process, self.process = self.process, None
        process.terminate()
        code = process.wait(timeout=START_SECONDS)
        process.stdout.close()
        if code != 0:
            raise AssertionError(f"smtp_sink.py exited with {code}: {self.log()}")

    def close(self):
        """Stops the server if it runs and removes its folder, Maildir included."""
        try:
            if self.process is not None:
                self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exception):
        self.close()

    def log(self):
        """What the server wrote to standard error: its failures, over all starts."""
        with open(self.errors, encoding="utf-8", errors="replace") as file:
            return file.read()

    def set_rules(self, rules):
        """Replaces the server's rules (see smtp_sink.py); it applies them from the next connection,
        RCPT or DATA on. Written in one rename, so the server never reads half a file."""
        temporary = self.rules + ".tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(rules, file)
        os.replace(temporary, self.rules)

    def envelopes(self):
        """One dict per stored message, in arrival order: file, mail_from, rcpt_tos, mail_options,
        time, size, tls, login."""
        try:
            with open(os.path.join(self.maildir, "envelopes.jsonl"), encoding="utf-8") as file:
                return [json.loads(line) for line in file]
        except FileNotFoundError:
            return []

    def raw_messages(self):
        """The stored messages' bytes, exactly as received, in arrival order."""
        messages = []
        for envelope in self.envelopes():
            with open(os.path.join(self.maildir, "new", envelope["file"]), "rb") as file:
                messages.append(file.read())
        return messages

    def messages(self):
        """The stored messages as email.message.EmailMessage, in arrival order."""
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.raw_messages()]


# Subject and text for people by the DSN's action; "delivered" serves relayed and expanded too.
DSN_TEXTS = {
    "failed": ("Undelivered Mail Returned to Sender",
               "I'm sorry to have to inform you that your message could not\r\n"
               "be delivered to one or more recipients."),
    "delayed": ("Delayed Mail (still being retried)",
                "Your message could not be delivered for some time.\r\n"
                "The mail system will keep trying to deliver it."),
    "delivered": ("Successful Mail Delivery Report",
                  "Your message was successfully delivered to the destination(s) listed below."),
}


def make_dsn(original_message_id, final_recipient, status="5.1.1", action="failed",
             diagnostic="smtp; 550 5.1.1 User unknown", to=None, include_headers=True):
    """The bytes (CRLF line ends) of an RFC 3464 delivery status notification about one recipient
    of the message `original_message_id` (with or without <>), as Postfix writes them: a
    multipart/report with a text for people, the message/delivery-status fields and, when
    `include_headers`, the original message's headers (text/rfc822-headers) with its Message-ID.
    `to` is the address the notification goes to (the original message's envelope sender, such
    as bounces+m42@example.org)."""
    message_id = "<" + original_message_id.strip("<>") + ">"
    subject, explanation = DSN_TEXTS.get(action, DSN_TEXTS["delivered"])
    now = formatdate(localtime=True)
    boundary = "DSN." + secrets.token_hex(8)
    parts = [
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Description: Notification\r\n"
        "\r\n"
        "This is the mail system at host mx.example.org.\r\n"
        "\r\n"
        f"{explanation}\r\n"
        "\r\n"
        f"<{final_recipient}>: {diagnostic}\r\n",
        "Content-Type: message/delivery-status\r\n"
        "Content-Description: Delivery report\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n"
        f"Arrival-Date: {now}\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {final_recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: {diagnostic}\r\n",
    ]
    if include_headers:
        parts.append(
            "Content-Type: text/rfc822-headers\r\n"
            "Content-Description: Undelivered Message Headers\r\n"
            "\r\n"
            "From: certificates@example.org\r\n"
            f"To: {final_recipient}\r\n"
            "Subject: Ihre Teilnahmebescheinigung\r\n"
            f"Date: {now}\r\n"
            f"Message-ID: {message_id}\r\n"
            "MIME-Version: 1.0\r\n")
    head = (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        f"To: {to or 'certificates@example.org'}\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {now}\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.org')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        f"\tboundary=\"{boundary}\"\r\n"
        "\r\n"
        "This is a MIME-encapsulated message.\r\n"
        "\r\n")
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts)
    return (head + body + f"--{boundary}--\r\n").encode("utf-8")


_delivery_counter = itertools.count()


def write_maildir(directory, messages, subfolder="new"):
    """Writes each message (bytes) into the Maildir `directory` (created with tmp/, new/ and cur/
    as needed): into new/ as a mail server delivers, or into cur/, seen, as a mail client leaves
    messages it has shown. Returns the files' paths."""
    for folder in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(directory, folder), exist_ok=True)
    suffix = {"new": "", "cur": ":2,S"}[subfolder]
    paths = []
    for message in messages:
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(_delivery_counter)}.tests{suffix}"
        temporary = os.path.join(directory, "tmp", name)
        with open(temporary, "wb") as file:
            file.write(message)
        paths.append(os.path.join(directory, subfolder, name))
        os.rename(temporary, paths[-1])
    return paths


def self_signed_cert(directory):
    """A certificate for localhost and 127.0.0.1 and its key (PEM files in `directory`), made by
    openssl; clients trust it when given the certificate as their CA file."""
    certificate = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "30", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", key, "-out", certificate],
        check=True, capture_output=True)
    return certificate, key
