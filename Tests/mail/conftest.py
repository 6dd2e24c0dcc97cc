"""Mail delivery under test: a cohort made with the real `beccaria` command line on the test
cluster (kept as a template database), a fresh copy of it per test, and a real SMTP server
(aiosmtpd, scripts/lib/smtp_sink.py) writing what it receives to a Maildir. scripts/test runs
these tests after `swift test`.
"""
import datetime
import os
import secrets
import shutil
import sys
import tempfile
import unicodedata

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from cluster import BIN, ROOT, CommandLine, database_url, psql  # noqa: E402

from smtp_support import SMTPSink

SENDER = "Landespräventionsrat Sachsen <beccaria@lpr.sachsen.de>"

# The acceptance names (Sorbian, typed decomposed, Vietnamese, Arabic) and addresses that the
# tests' SMTP server answers in chosen ways.
PEOPLE = [
    ("Wjeńka", "Měrćin", "12.07.1984", "m.wjenka@example.org"),
    (unicodedata.normalize("NFD", "Šołćina"), unicodedata.normalize("NFD", "Hańža"), "03.02.1990", "h.solcina@example.org"),
    ("Nguyễn", "Thị Minh Khai", "30.06.1992", "nguyen@example.org"),
    ("الحسن", "محمد", "14.01.1979", "alhasan@example.org"),
    ("Becker", "Stefan", "28.02.1977", "later@example.org"),
    ("Müller", "Anna", "05.09.1975", "gone@example.org"),
    ("Fischer", "Katrin", "15.05.1983", "k.fischer@example.org"),
]


class Beccaria(CommandLine):
    """The command line against one database."""

    def __init__(self, url, folder):
        super().__init__(
            url, folder, "mail-tests", BECCARIA_SIGNING_KEY=os.path.join(folder, "key.pem"), BECCARIA_SMTP_URL=None,
            BECCARIA_SMTP_CREDENTIALS=None, BECCARIA_MAIL_FROM=None, BECCARIA_MAIL_REPLY_TO=None)

    def send(self, sink, *options, check=True):
        """`mail send` to the test server, plain SMTP on loopback."""
        return self.run("mail", "send", "--smtp-url", sink.url, "--starttls", "never", "--from", SENDER,
                        "--reply-to", "beccaria@lpr.sachsen.de", *options, check=check)

    def sql(self, *commands):
        return psql(self.url, *commands)

    def messages(self, **filters):
        arguments = ["mail", "list", "--limit", "0"]
        for key, value in filters.items():
            arguments += [f"--{key}", str(value)]
        return self.json(*arguments)

    def certificates(self):
        return self.json("certificate", "list")

    def exported_pdfs(self):
        """The stored PDF of every certificate, by serial (certificate export writes them)."""
        folder = tempfile.mkdtemp(dir=self.folder)
        self.run("certificate", "export", "--output", folder)
        pdfs = {}
        for directory, _, files in os.walk(folder):
            for name in files:
                if name.endswith(".pdf"):
                    with open(os.path.join(directory, name), "rb") as pdf:
                        pdfs[name[:-4]] = pdf.read()
        return pdfs

    def load_programme_version(self, change):
        """Loads the shipped definition as version 2, its text changed by `change` (text → text)."""
        with open(os.path.join(ROOT, "courses", "beccaria-fachkraft.yaml"), encoding="utf-8") as source:
            text = change(source.read().replace("version: 1", "version: 2", 1))
        path = os.path.join(self.folder, "programm-v2.yaml")
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return self.run("programme", "load", path)

    def future_cohort(self, code="FUT-1", days_ahead=(3, 20)):
        """A cohort with sessions `days_ahead` days from today, a trainer and every person enrolled."""
        today = datetime.date.today()
        first = today + datetime.timedelta(days=days_ahead[0])
        self.run("course", "create", "--programme", "beccaria-fachkraft", "--code", code, "--capacity", "20",
                 "--starts", first.isoformat())
        for offset in days_ahead:
            day = today + datetime.timedelta(days=offset)
            self.run("session", "add", "--course", code, "--module", "2", "--date", day.isoformat(), "--start", "09:00",
                     "--end", "16:30", "--ue", "8", "--trainer", "anna.schulz@example.org", "--location", "Dresden, Raum 3")
        for person in self.json("participant", "list"):
            self.run("enrolment", "add", "--course", code, "--participant", str(person["id"]))
        return self.json("session", "list", "--course", code)


@pytest.fixture(scope="session")
def template():
    """A database with a cohort whose certificates are due (the run not yet made): the acceptance
    names, one trainer, one module attended in full."""
    base = os.environ["BECCARIA_TEST_DATABASE_URL"]
    name = "mailtpl_" + secrets.token_hex(4)
    folder = tempfile.mkdtemp(prefix="beccaria-mail-")
    psql(database_url(base), f"CREATE DATABASE {name}")
    cli = Beccaria(database_url(base, name), folder)
    try:
        cli.run("db", "migrate")
        cli.run("programme", "load", os.path.join(ROOT, "courses", "beccaria-fachkraft.yaml"))
        cli.run("municipality", "import", os.path.join(ROOT, "courses", "sample", "municipalities.csv"))
        cli.run("trainer", "add", "--name", "Dr. Anna Schulz", "--email", "anna.schulz@example.org")
        cli.run("course", "create", "--programme", "beccaria-fachkraft", "--code", "MAIL-1", "--capacity", "20",
                "--starts", "2026-01-10", "--ends", "2026-02-08")
        cli.run("session", "plan", "--course", "MAIL-1", "--module", "1", "--weekend", "2026-01-10", "--weekend",
                "2026-02-07", "--trainer", "anna.schulz@example.org", "--location", "Raum 1")
        people = os.path.join(folder, "teilnehmende.csv")
        with open(people, "w", encoding="utf-8") as out:
            out.write("Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde;Organisation;Funktion\n")
            for family, given, born, address in PEOPLE:
                out.write(f"{family};{given};{born};{address};14625020;Stadt Bautzen;Ordnungsamt\n")
        cli.run("participant", "import", people)
        listed = cli.json("participant", "list")
        for person in listed:
            cli.run("enrolment", "add", "--course", "MAIL-1", "--participant", str(person["id"]))
        sessions = cli.json("session", "list", "--course", "MAIL-1")
        attendance = os.path.join(folder, "anwesenheit.csv")
        with open(attendance, "w", encoding="utf-8") as out:
            out.write("session;participant;status;ue\n")
            for session in sessions:
                for person in listed:
                    out.write(f"{session['id']};{person['id']};present;\n")
        cli.run("attendance", "import", attendance)
        cli.run("keys", "generate", "--output", os.path.join(folder, "key.pem"), "--label", "Mail tests")
        yield name, folder
    finally:
        psql(database_url(base), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def office(template):
    """A fresh copy of the template database and the command line against it."""
    base = os.environ["BECCARIA_TEST_DATABASE_URL"]
    template_name, template_folder = template
    name = "mail_" + secrets.token_hex(4)
    psql(database_url(base), f"CREATE DATABASE {name} TEMPLATE {template_name}")
    folder = tempfile.mkdtemp(prefix="beccaria-mail-")
    shutil.copy(os.path.join(template_folder, "key.pem"), os.path.join(folder, "key.pem"))
    os.chmod(os.path.join(folder, "key.pem"), 0o600)
    cli = Beccaria(database_url(base, name), folder)
    # Database privileges (CONNECT) are not copied with a template.
    cli.run("db", "migrate")
    try:
        yield cli
    finally:
        psql(database_url(base), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sink():
    with SMTPSink() as server:
        yield server
