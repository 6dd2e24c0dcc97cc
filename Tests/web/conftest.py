"""The verification service under test: a database of its own on the test cluster, filled by the
real `beccaria` command line (participants with the acceptance names, one module's attendance,
the nightly run, a revocation, a re-issue after a name change, an erasure), and `beccaria serve`
running as a login with the role verifier. scripts/test runs these tests after `swift test`.
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from cluster import database_url  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("BECCARIA_BIN", os.path.join(ROOT, ".build", "debug", "beccaria"))
PREFIX = "/beccaria/pruefen"

# The acceptance names: Sorbian, a name typed in NFD (decomposed), Vietnamese, Arabic; and the
# people whose certificates are revoked, re-issued and erased.
PEOPLE = [
    ("Wjeńka", "Měrćin", "12.07.1984"),
    (unicodedata.normalize("NFD", "Šołćina"), unicodedata.normalize("NFD", "Hańža"), "03.02.1990"),
    ("Nguyễn", "Thị Minh Khai", "30.06.1992"),
    ("الحسن", "محمد", "14.01.1979"),
    ("Becker", "Stefan", "28.02.1977"),
    ("Müller", "Anna", "05.09.1975"),
    ("Fischer", "Katrin", "15.05.1983"),
]


def run(*args, env=None, check=True):
    result = subprocess.run([BIN, *args], env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"beccaria {' '.join(args)} failed ({result.returncode}): {result.stderr}{result.stdout}")
    return result


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(database, *options, port=None, stdout=subprocess.DEVNULL, stderr=None):
    """`beccaria serve` as `database`'s login on `port` (a free one when None), once it answers
    /health: the process and its port. Its standard error goes to `stderr` (a file), or is kept
    to explain a start that failed."""
    port = port or free_port()
    errors = stderr or tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen([BIN, "serve", "--database", database, "--port", str(port), *options],
                               stdout=stdout, stderr=errors)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process, port
        except Exception:
            if process.poll() is not None:
                errors.seek(0)
                raise AssertionError("beccaria serve stopped: " + errors.read())
            time.sleep(0.1)
    process.terminate()
    raise AssertionError("beccaria serve did not answer /health")


def qr_payload(pdf, dpi=150):
    """The QR code of a certificate's page as an office scanner reads it: rendered at `dpi`."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-singlefile", "-png", pdf, folder + "/page"], check=True)
        result = subprocess.run(["zbarimg", "-q", "--raw", folder + "/page.png"], capture_output=True, text=True)
        assert result.returncode == 0, f"zbarimg read no QR code in {pdf} at {dpi} dpi"
        return result.stdout.strip()


class Site:
    pass


@pytest.fixture(scope="session")
def site():
    base = os.environ["BECCARIA_TEST_DATABASE_URL"]
    name = "web_" + secrets.token_hex(4)
    login = "web_verifier_" + secrets.token_hex(3)
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", database_url(base), "-c", f"CREATE DATABASE {name}"], check=True)
    folder = tempfile.mkdtemp(prefix="beccaria-web-")
    env = dict(os.environ, DATABASE_URL=database_url(base, name), BECCARIA_SIGNING_KEY=folder + "/key.pem",
               BECCARIA_ACTOR="web-tests")
    server = None
    try:
        run("db", "migrate", env=env)
        run("programme", "load", os.path.join(ROOT, "courses", "beccaria-fachkraft.yaml"), env=env)
        run("municipality", "import", os.path.join(ROOT, "courses", "sample", "municipalities.csv"), env=env)
        run("trainer", "add", "--name", "Dr. Anna Schulz", "--email", "anna.schulz@example.org", env=env)
        run("course", "create", "--programme", "beccaria-fachkraft", "--code", "WEB-1", "--capacity", "20",
            "--starts", "2026-01-10", "--ends", "2026-02-08", env=env)
        run("session", "plan", "--course", "WEB-1", "--module", "1", "--weekend", "2026-01-10", "--weekend", "2026-02-07",
            "--trainer", "anna.schulz@example.org", "--location", "Raum 1", env=env)
        people = folder + "/teilnehmende.csv"
        with open(people, "w", encoding="utf-8") as out:
            out.write("Nachname;Vorname;Geburtsdatum;E-Mail;Gemeinde;Organisation;Funktion\n")
            for index, (family, given, born) in enumerate(PEOPLE):
                out.write(f"{family};{given};{born};p{index}@example.org;14625020;Stadt Bautzen;Ordnungsamt\n")
        run("participant", "import", people, env=env)
        listed = json.loads(run("participant", "list", "--format", "json", env=env).stdout)
        for person in listed:
            run("enrolment", "add", "--course", "WEB-1", "--participant", str(person["id"]), env=env)
        sessions = json.loads(run("session", "list", "--course", "WEB-1", "--format", "json", env=env).stdout)
        attendance = folder + "/anwesenheit.csv"
        with open(attendance, "w", encoding="utf-8") as out:
            out.write("session;participant;status;ue\n")
            for session in sessions:
                for person in listed:
                    out.write(f"{session['id']};{person['id']};present;\n")
        run("attendance", "import", attendance, env=env)
        run("keys", "generate", "--output", folder + "/key.pem", "--label", "Web tests", env=env)
        run("certificate", "run", "--workers", "2", "--output", folder + "/pdf", env=env)
        certificates = json.loads(run("certificate", "list", "--format", "json", env=env).stdout)
        s = Site()
        s.folder = folder
        s.env = env
        s.people = {}
        for person in listed:
            full = json.loads(run("participant", "export", str(person["id"]), env=env).stdout)
            participant = full.get("participant", full)
            certificate = next(c for c in certificates if c["participant_id"] == person["id"])
            serial = certificate["serial"]
            s.people[participant["family_name"]] = {
                "id": person["id"], "family": participant["family_name"], "given": participant["given_names"],
                "born": participant["birth_date"], "serial": serial,
                "pdf": f"{folder}/pdf/{serial[3:7]}/{serial}.pdf",
                "name": participant["given_names"] + " " + participant["family_name"],
            }
        # What happens later to certificates: revoked, replaced after a name change, erased.
        s.revoked = s.people["Becker"]
        run("certificate", "revoke", "--yes", s.revoked["serial"], "--reason", "Irrtümlich ausgestellt", env=env)
        s.replaced = s.people["Müller"]
        run("participant", "rename", str(s.replaced["id"]), "--family-name", "Müller-Lüdenscheidt", "--reason", "Heirat", env=env)
        before = {c["serial"] for c in certificates}
        run("certificate", "reissue", s.replaced["serial"], "--reason", "Namensänderung", "--output", folder + "/pdf", env=env)
        after = json.loads(run("certificate", "list", "--format", "json", env=env).stdout)
        s.replacement = next(c["serial"] for c in after if c["serial"] not in before)
        s.erased = s.people["Fischer"]
        s.erased["token"] = qr_payload(s.erased["pdf"])
        run("participant", "erase", "--yes", str(s.erased["id"]), "--reason", "Antrag nach Art. 17 DSGVO", env=env)
        run("access", "grant", login, "--role", "verifier", env=env)
        s.port = free_port()
        s.base = f"http://127.0.0.1:{s.port}"
        s.url = s.base + PREFIX
        s.log = open(folder + "/access.log", "w+")
        s.errors = open(folder + "/serve.err", "w+")
        s.verifier_database = database_url(base, name, login)
        server, _ = start_serve(s.verifier_database, "--lookups-per-minute", "1000", port=s.port, stdout=s.log,
                                stderr=s.errors)
        s.server = server
        yield s
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        subprocess.run(["psql", "-X", "-q", database_url(base), "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
        subprocess.run(["psql", "-X", "-q", database_url(base), "-c", f"DROP ROLE IF EXISTS {login}"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=de-DE",
                     "--window-size=1100,1400"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
