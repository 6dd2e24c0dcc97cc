#!/usr/bin/env python3
"""A local SMTP server for the mail delivery tests: it keeps every message it accepts in a Maildir
and misbehaves on request.

Usage: smtp_sink.py --port PORT --maildir DIR [--host 127.0.0.1] [--rules FILE]
                    [--tls-cert CERT --tls-key KEY [--implicit-tls]] [--auth USER:PASSWORD]

Every accepted message is written to DIR/tmp, then renamed into DIR/new, with the bytes the client
sent after DATA (dot-unstuffed, nothing added or changed); then one JSON line describing the
envelope is appended to DIR/envelopes.jsonl: {"file", "mail_from", "rcpt_tos", "mail_options",
"time", "size", "tls", "login"}. A line is written only after its file is in DIR/new, so a reader
that goes by envelopes.jsonl sees complete messages in arrival order.

--rules FILE (JSON, read again at every connection, RCPT and DATA, so a test can change it while
the server runs; a missing file means no rules):
  recipients          {"addr@example.org": "451 4.7.1 Try again later", ...}: the reply to RCPT TO
                      for that address (matched case-insensitively); the recipient is not accepted
  sender_reply        the reply to every MAIL FROM instead of accepting it ("553 5.1.8 …")
  data_delay_seconds  wait this long before answering the end of DATA (the message is stored
                      before the wait, so a client that gives up waiting leaves it stored)
  data_reply          the reply to the end of DATA instead of "250 2.0.0 OK"; the message is
                      stored only when this reply is a 2xx one
  greeting_garbage    new connections get "HELLO THIS IS NOT SMTP" and binary garbage instead of
                      the 220 greeting, then the server closes them
  close_after_data    close the connection after the message is received, without replying (the
                      message is stored as if the reply had been lost)

--tls-cert/--tls-key offer STARTTLS (not required: plain sessions work too); with --implicit-tls
the port speaks TLS from the first byte (smtps) instead. --auth offers AUTH PLAIN and LOGIN, also
without TLS, and refuses MAIL before a successful AUTH (530).

Prints "READY <port>" once listening (--port 0 picks a free port) and exits with 0 on SIGTERM or
SIGINT.
"""
import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
import ssl
import time
import warnings
from datetime import datetime, timezone

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, syntax

DEFAULT_RULES = {
    "recipients": {},
    "sender_reply": None,
    "data_delay_seconds": 0,
    "data_reply": None,
    "greeting_garbage": False,
    "close_after_data": False,
}
NOT_SMTP = b"HELLO THIS IS NOT SMTP\r\n" + bytes(range(256)) * 4
# Attachments of several megabytes must pass; real servers allow 25 to 50 MB.
DATA_SIZE_LIMIT = 50 * 1024 * 1024
# RFC 5322 2.1.1: at most 998 characters on a line, without its CRLF.
LINE_LENGTH_LIMIT = 998


def load_rules(path):
    """The rules in `path` over the defaults, with the recipients' addresses in lower case."""
    if path is None:
        return DEFAULT_RULES
    try:
        with open(path, "rb") as file:
            given = json.load(file)
    except FileNotFoundError:
        return DEFAULT_RULES
    unknown = set(given) - set(DEFAULT_RULES)
    if unknown:
        raise ValueError(f"{path}: unknown rules {', '.join(sorted(unknown))}")
    rules = {**DEFAULT_RULES, **given}
    rules["recipients"] = {address.lower(): reply for address, reply in rules["recipients"].items()}
    return rules


class Maildir:
    def __init__(self, root):
        self.root = root
        for folder in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(root, folder), exist_ok=True)
        # Appended to across restarts on the same folder; flushed per line, never fsynced (speed
        # matters more than surviving a machine crash in a test).
        self.envelopes = open(os.path.join(root, "envelopes.jsonl"), "a", encoding="utf-8")
        self.counter = itertools.count()

    def deliver(self, content, envelope):
        """Stores `content` in new/ and appends `envelope` with the file's name to envelopes.jsonl."""
        # Unique across restarts (time and process id) and within a process (counter).
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(self.counter)}.smtp-sink"
        temporary = os.path.join(self.root, "tmp", name)
        with open(temporary, "wb") as file:
            file.write(content)
        os.rename(temporary, os.path.join(self.root, "new", name))
        self.envelopes.write(json.dumps({"file": name, **envelope}) + "\n")
        self.envelopes.flush()

    def close(self):
        self.envelopes.close()


class FastDataSMTP(SMTP):
    """aiosmtpd's server with the message after DATA read in blocks rather than line by line: its
    own loop costs some 4 ms of CPU per message of 140 KB, too much for 100 messages a second on
    two cores shared with beccaria. Replies as aiosmtpd 1.4.6 does, whose internals it uses."""

    @syntax("DATA")
    async def smtp_DATA(self, arg):
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        data = bytearray()
        while True:
            try:
                data += await self._reader.readuntil(b".\r\n")
            except asyncio.LimitOverrunError as error:
                # The reader's limit is one command line; take the part that cannot hold ".\r\n".
                data += await self._reader.read(error.consumed)
                continue
            # The end is a line of a single dot: at the start, or after a CRLF.
            if len(data) == 3 or data[-5:-3] == b"\r\n":
                break
        del data[-3:]
        if len(data) > self.data_size_limit:
            status = "552 Error: Too much mail data"
        elif max(map(len, data.split(b"\r\n"))) > LINE_LENGTH_LIMIT:
            status = "500 Line too long (see RFC5321 4.5.3.1.6)"
        else:
            # Undo the dot-stuffing (RFC 5321 4.5.2): a line's leading dot goes.
            if data.startswith(b"."):
                del data[0]
            content = bytes(data.replace(b"\r\n.", b"\r\n"))
            self.envelope.content = self.envelope.original_content = content
            status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)


class Sink:
    """The aiosmtpd handler: the rules' replies, the Maildir, the credentials."""

    def __init__(self, maildir, rules_path, credentials):
        self.maildir = maildir
        self.rules_path = rules_path
        self.credentials = credentials

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # With this (5-argument) hook aiosmtpd leaves recording the client's name to the handler.
        session.host_name = hostname
        if self.credentials is None:
            # aiosmtpd offers AUTH whenever TLS is not required for it; without --auth, don't.
            responses = [line for line in responses if not line.startswith("250-AUTH")]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = load_rules(self.rules_path)["sender_reply"]
        if reply is not None:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = load_rules(self.rules_path)["recipients"].get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        rules = load_rules(self.rules_path)
        reply = rules["data_reply"] or "250 2.0.0 OK"
        if reply.startswith("2"):
            self.maildir.deliver(envelope.original_content, {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "mail_options": envelope.mail_options,
                "time": datetime.now(timezone.utc).isoformat(),
                "size": len(envelope.original_content),
                "tls": server.transport.get_extra_info("ssl_object") is not None,
                "login": session.auth_data,
            })
        if rules["data_delay_seconds"]:
            await asyncio.sleep(rules["data_delay_seconds"])
        if rules["close_after_data"]:
            server.transport.close()
            # Never reply: closing the transport makes aiosmtpd cancel this session's task, which
            # ends this wait.
            await asyncio.get_running_loop().create_future()
        return reply

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        accepted = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == self.credentials
        # handled=False: aiosmtpd is to send the failure reply (535) itself.
        return AuthResult(success=accepted, handled=False, auth_data=auth_data.login.decode() if accepted else None)


class NotSMTP(asyncio.Protocol):
    """A peer that is no SMTP server: garbage instead of a greeting, then the connection closes."""

    def connection_made(self, transport):
        transport.write(NOT_SMTP)
        transport.close()


def tls_context(certificate, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    return context


async def serve(arguments):
    credentials = None
    if arguments.auth is not None:
        user, _, password = arguments.auth.partition(":")
        credentials = (user.encode(), password.encode())
    context = tls_context(arguments.tls_cert, arguments.tls_key) if arguments.tls_cert else None
    maildir = Maildir(arguments.maildir)
    handler = Sink(maildir, arguments.rules, credentials)

    def session():
        try:
            garbage = load_rules(arguments.rules)["greeting_garbage"]
        except Exception:
            # asyncio would drop the connection without a word; log the error and go on to
            # SMTP, whose RCPT and DATA then reply 500 with it.
            logging.exception("cannot apply the rules")
            garbage = False
        if garbage:
            return NotSMTP()
        return FastDataSMTP(
            handler,
            data_size_limit=DATA_SIZE_LIMIT,
            enable_SMTPUTF8=True,
            decode_data=False,
            # A fixed name: aiosmtpd would otherwise look up the host's FQDN for every connection.
            hostname="localhost",
            tls_context=None if arguments.implicit_tls else context,
            require_starttls=False,
            auth_required=credentials is not None,
            auth_require_tls=False,
            authenticator=handler.authenticate,
        )

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    server = await loop.create_server(session, arguments.host, arguments.port,
                                      ssl=context if arguments.implicit_tls else None)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()
    maildir.close()


def main():
    parser = argparse.ArgumentParser(description="A local SMTP server for the mail delivery tests.")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rules", help="JSON file, read again at every connection, RCPT and DATA")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps)")
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    arguments = parser.parse_args()
    if bool(arguments.tls_cert) != bool(arguments.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if arguments.implicit_tls and not arguments.tls_cert:
        parser.error("--implicit-tls needs --tls-cert and --tls-key")
    # AUTH without TLS is what --auth asks for: aiosmtpd's warning about it, given at every
    # connection, would only fill the tests' logs.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.basicConfig(format="smtp_sink.py: %(levelname)s %(name)s: %(message)s")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    asyncio.run(serve(arguments))


if __name__ == "__main__":
    main()
