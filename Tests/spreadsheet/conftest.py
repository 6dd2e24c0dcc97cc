"""Workbooks under test: a cohort made with the real `beccaria` command line on the test cluster
(the acceptance names, sessions, attendance of every kind), and the workbooks `--format xlsx`
writes from it, read back with openpyxl. scripts/test runs these tests after `swift test`.
"""
import os
import secrets
import shutil
import sys
import tempfile
import unicodedata

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from cluster import ROOT, CommandLine, database_url, psql  # noqa: E402


# The acceptance names: Sorbian, typed decomposed, Vietnamese, Arabic, and a plain German one.
PEOPLE = [
    ("Wjeńka", "Měrćin", "12.07.1984", "m.wjenka@example.org"),
    (unicodedata.normalize("NFD", "Šołćina"), unicodedata.normalize("NFD", "Hańža"), "03.02.1990", "h.solcina@example.org"),
    ("Nguyễn", "Thị Minh Khai", "30.06.1992", "nguyen@example.org"),
    ("الحسن", "محمد", "14.01.1979", "alhasan@example.org"),
    ("Müller", "Anna", "05.09.1975", "a.mueller@example.org"),
]


class Beccaria(CommandLine):
    """The command line against one database, in a folder of its own; English and ISO unless a
    test asks for German."""

    def __init__(self, url, folder):
        super().__init__(
            url, folder, "spreadsheet-tests", LANG="C.UTF-8", LC_ALL=None, LC_MESSAGES=None, LANGUAGE=None, LC_TIME=None,
            LC_NUMERIC=None)

    def path(self, name):
        return os.path.join(self.folder, name)


@pytest.fixture(scope="session")
def office():
    """A cohort of the shipped programme with module 1 recorded in every way (present, late with
    4.5 UE, excused, absent) except its last session, which a roster is to fill in."""
    base = os.environ["BECCARIA_TEST_DATABASE_URL"]
    name = "sheet_" + secrets.token_hex(4)
    folder = tempfile.mkdtemp(prefix="beccaria-sheet-")
    psql(database_url(base), f"CREATE DATABASE {name}")
    cli = Beccaria(database_url(base, name), folder)
    try:
        cli.run("db", "migrate")
        cli.run("programme", "load", os.path.join(ROOT, "courses", "beccaria-fachkraft.yaml"))
        cli.run("municipality", "import", os.path.join(ROOT, "courses", "sample", "municipalities.csv"))
        cli.run("trainer", "add", "--name", "Dr. Anna Schulz", "--email", "anna.schulz@example.org")
        cli.run("course", "create", "--programme", "beccaria-fachkraft", "--code", "XL-1", "--capacity", "20",
                "--starts", "2026-01-10", "--ends", "2026-02-08")
        cli.run("session", "plan", "--course", "XL-1", "--module", "1", "--weekend", "2026-01-10", "--weekend",
                "2026-02-07", "--trainer", "anna.schulz@example.org", "--location", "Raum 1")
        people = cli.path("teilnehmende.csv")
        with open(people, "w", encoding="utf-8") as out:
            out.write("Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde;Dienststelle\n")
            for family, given, born, address in PEOPLE:
                out.write(f"{family};{given};{born};{address};Bautzen;Stadt Bautzen\n")
        cli.run("participant", "import", people, "--course", "XL-1")
        listed = cli.json("participant", "list")
        sessions = cli.json("session", "list", "--course", "XL-1")
        statuses = ["present", "late;4,5", "excused", "absent", "present"]
        with open(cli.path("anwesenheit.csv"), "w", encoding="utf-8") as out:
            out.write("session;participant;status;ue\n")
            for session in sessions[:-1]:
                for person, status in zip(listed, statuses):
                    out.write(f"{session['id']};{person['id']};{status if ';' in status else status + ';'}\n")
        cli.run("attendance", "import", cli.path("anwesenheit.csv"))
        yield cli
    finally:
        psql(database_url(base), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(folder, ignore_errors=True)
