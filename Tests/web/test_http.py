"""HTTP-level tests of `beccaria serve`, without a browser: every endpoint, every bad input, the
headers, the rate limit, the access log, the refusal of privileged logins, a PostgreSQL restart
and a graceful stop."""
import http.client
import json
import os
import re
import subprocess
import time
import urllib.parse

import pytest

from conftest import BIN, PREFIX, ROOT, database_url, free_port, qr_payload, run, start_serve


def request(site, method, path, body=None, headers=None, port=None):
    connection = http.client.HTTPConnection("127.0.0.1", port or site.port, timeout=20)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def form(fields):
    return urllib.parse.urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"}


def token_of(pdf):
    return qr_payload(pdf).split("#c=", 1)[1]


def flipped(token):
    # The lowest bit of the 17th digit: the first 7-byte group of the signature changes by one.
    digit = token[4 + 16]
    return token[: 4 + 16] + chr(ord(digit) ^ 1) + token[4 + 17 :]


def test_security_headers_on_every_answer_and_no_cookie(site):
    serial = site.people["Wjeńka"]["serial"]
    for method, path in [("GET", PREFIX), ("GET", f"{PREFIX}?nr={serial}"), ("GET", f"{PREFIX}/api/status/{serial}"),
                         ("GET", f"{PREFIX}/impressum"), ("GET", f"{PREFIX}/nirgends"), ("GET", "/health")]:
        status, headers, _ = request(site, method, path)
        assert headers["content-security-policy"].startswith("default-src 'self'"), path
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["x-robots-tag"].startswith("noindex"), path
        assert headers["x-content-type-options"] == "nosniff", path
        assert "set-cookie" not in headers, path
    for path in [f"{PREFIX}?nr={serial}", f"{PREFIX}/api/status/{serial}", PREFIX]:
        assert request(site, "GET", path)[1]["cache-control"] == "no-store", path
    status, headers, body = request(site, "GET", f"{PREFIX}/static/pruefen.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript") and b"crypto.subtle" in body
    assert headers["cache-control"].startswith("public") and "set-cookie" not in headers
    status, headers, body = request(site, "GET", f"{PREFIX}/static/pruefen.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    status, headers, body = request(site, "GET", f"{PREFIX}/datenschutz?lang=en")
    assert status == 200 and "Cookies" in body.decode() and 'lang="en"' in body.decode()


def test_serial_page_shows_status_and_no_name(site):
    person = site.people["Wjeńka"]
    status, headers, body = request(site, "GET", f"{PREFIX}?nr={person['serial']}")
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert person["serial"] in page and "Nummer ausgestellt und gültig" in page and "Teilnahmebescheinigung" in page
    assert "Ob das Papier in Ihrer Hand diese Bescheinigung ist" in page
    # Pasted with spaces (a GET form sends them as +) or in small letters: the same serial.
    assert request(site, "GET", f"{PREFIX}?nr=+{person['serial'].lower()}+")[0] == 200
    for part in (person["family"], person["given"], "Wjeńka", "Měrćin", "1984"):
        assert part not in page


def test_unknown_and_malformed_serials(site):
    status, _, body = request(site, "GET", f"{PREFIX}?nr=BQ-2026-999999")
    assert status == 404 and "Nicht echt" in body.decode() and "BQ-2026-999999" in body.decode()
    status, _, body = request(site, "GET", f"{PREFIX}?nr=" + urllib.parse.quote("<script>x</script>"))
    assert status == 400 and "<script>x" not in body.decode() and "&lt;script&gt;" in body.decode()
    assert request(site, "GET", f"{PREFIX}/api/status/BQ-2026-999999")[0] == 404
    assert request(site, "GET", f"{PREFIX}/api/status/nonsense")[0] == 400


def test_status_api_has_every_key_and_never_a_name(site):
    revoked = site.revoked
    status, headers, body = request(site, "GET", f"{PREFIX}/api/status/{revoked['serial']}")
    assert status == 200 and headers["content-type"].startswith("application/json")
    answer = json.loads(body)
    assert answer["serial"] == revoked["serial"] and answer["status"] == "revoked"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", answer["revokedOn"]) and re.fullmatch(r"[0-9a-f]{64}", answer["pdfSHA256"])
    assert answer["keyID"].startswith("k-") and answer["supersededBy"] is None and answer["issuedOn"]
    text = body.decode()
    assert revoked["family"] not in text and revoked["given"] not in text and "1977" not in text
    replaced = json.loads(request(site, "GET", f"{PREFIX}/api/status/{site.replaced['serial']}")[2])
    assert replaced["status"] == "superseded" and replaced["supersededBy"] == site.replacement
    with open(site.people["Wjeńka"]["pdf"], "rb") as pdf:
        import hashlib
        digest = hashlib.sha256(pdf.read()).hexdigest()
    assert json.loads(request(site, "GET", f"{PREFIX}/api/status/{site.people['Wjeńka']['serial']}")[2])["pdfSHA256"] == digest


def test_verify_api(site):
    person = site.people["Nguyễn"]
    token = token_of(person["pdf"])
    status, _, body = request(site, "POST", f"{PREFIX}/api/verify", json.dumps({"token": token}),
                              {"Content-Type": "application/json"})
    answer = json.loads(body)
    assert status == 200 and answer["verdict"] == "valid" and answer["signature"] == "valid"
    assert answer["claim"]["holderName"] == person["name"] and answer["claim"]["format"] == "BQ2"
    assert answer["certificate"]["serial"] == person["serial"]
    # The whole printed address works as well as the bare token, as text.
    status, _, body = request(site, "POST", f"{PREFIX}/api/verify", qr_payload(person["pdf"]), {"Content-Type": "text/plain"})
    assert json.loads(body)["verdict"] == "valid"
    status, _, body = request(site, "POST", f"{PREFIX}/api/verify", json.dumps({"token": flipped(token)}),
                              {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body)["verdict"] == "forged" and json.loads(body)["signature"] == "invalid"


@pytest.mark.parametrize("body,content_type,expected", [
    pytest.param("{\"token\": 5}", "application/json", 400, id="token-not-a-string"),
    pytest.param("{not json", "application/json", 400, id="not-json"),
    pytest.param("BQ2.12345", "text/plain", 400, id="short-token"),
    pytest.param("BQ1.!!!.???", "text/plain", 400, id="bad-base64"),
    pytest.param("token=BQ2.1", "application/x-www-form-urlencoded", 415, id="form-body"),
    pytest.param("x" * (64 << 10), "text/plain", 413, id="huge-body"),
])
def test_verify_api_refuses_bad_input(site, body, content_type, expected):
    assert request(site, "POST", f"{PREFIX}/api/verify", body, {"Content-Type": content_type})[0] == expected


def test_wrong_methods_and_unknown_paths(site):
    assert request(site, "GET", f"{PREFIX}/api/verify")[0] in (404, 405)
    assert request(site, "DELETE", PREFIX)[0] in (404, 405)
    assert request(site, "POST", f"{PREFIX}/api/status/BQ-2026-000001")[0] in (404, 405)
    assert request(site, "GET", "/etc/passwd")[0] == 404


def test_token_page_verdicts(site):
    def verdict(token):
        body, headers = form({"c": token})
        status, _, page = request(site, "POST", PREFIX, body, headers)
        return status, page.decode()

    status, page = verdict(token_of(site.people["Wjeńka"]["pdf"]))
    assert status == 200 and "Echt und gültig" in page and "Měrćin Wjeńka" in page
    assert "Nicht echt" in verdict(flipped(token_of(site.people["Wjeńka"]["pdf"])))[1]
    page = verdict(token_of(site.revoked["pdf"]))[1]
    assert "widerrufen" in page and "Irrtümlich" not in page
    page = verdict(token_of(site.replaced["pdf"]))[1]
    assert "ersetzt" in page and site.replacement in page
    page = verdict(site.erased["token"].split("#c=", 1)[1])[1]
    assert "Echt und gültig" in page and "auf Antrag" in page and "Katrin Fischer" in page
    status, page = verdict("BQ2.123")
    assert status == 400 and "nicht lesbar" in page.lower()
    # The old printed address form (?c=) is served as a GET.
    status, _, page = request(site, "GET", PREFIX + "?c=" + token_of(site.people["Nguyễn"]["pdf"]))
    assert status == 200 and "Echt und gültig" in page.decode()


def test_match_answers_only_yes_or_no(site):
    def match(serial, family, born):
        body, headers = form({"nr": serial, "familienname": family, "geburtsdatum": born})
        status, _, page = request(site, "POST", f"{PREFIX}/abgleich", body, headers)
        return page.decode()

    sorbian = site.people["Wjeńka"]
    assert "Stimmt überein" in match(sorbian["serial"], "Wjeńka", "12.07.1984")
    assert "Stimmt überein" in match(sorbian["serial"], "WJENKA", "1984-07-12")
    import unicodedata
    nfd = next(person for key, person in site.people.items() if unicodedata.normalize("NFC", key) == "Šołćina")
    assert "Stimmt überein" in match(nfd["serial"], unicodedata.normalize("NFD", "šołćina"), "3.2.1990")
    assert "Stimmt überein" in match(nfd["serial"], "Solcina", "03.02.1990")
    assert "Stimmt überein" in match(site.people["Nguyễn"]["serial"], "Nguyen", "30.06.1992")
    assert "Stimmt überein" in match(site.people["الحسن"]["serial"], "الحسن", "14.01.1979")
    page = match(sorbian["serial"], "Wjeńka", "13.07.1984")
    assert "Stimmt nicht überein" in page and "Měrćin" not in page
    assert "Stimmt nicht überein" in match(sorbian["serial"], "Wjeń", "12.07.1984")
    assert "Kein Abgleich möglich" in match(site.erased["serial"], "Fischer", "15.05.1983")
    # Umlauts as ae/oe/ue, and hyphens as spaces; the replaced certificate printed the old name.
    assert "Stimmt überein" in match(site.replaced["serial"], "Mueller", "05.09.1975")
    assert "Stimmt überein" in match(site.replaced["serial"], "Muller", "05.09.1975")
    assert "Stimmt nicht überein" in match(site.replaced["serial"], "Müller-Lüdenscheidt", "05.09.1975")
    assert "Stimmt überein" in match(site.replacement, "Mueller Luedenscheidt", "05.09.1975")
    assert "Stimmt überein" in match(site.replacement, "müller-lüdenscheidt", "1975-09-05")
    assert "TT.MM.JJJJ" in match(sorbian["serial"], "Wjeńka", "12/07/1984")


def test_files_original_resaved_edited_and_no_code(site, tmp_path):
    person = site.people["Wjeńka"]

    def upload(path):
        boundary = "grenze4711"
        with open(path, "rb") as handle:
            data = handle.read()
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\nde\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"z.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        status, _, page = request(site, "POST", f"{PREFIX}/datei", body,
                                  {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status, page.decode()

    status, page = upload(person["pdf"])
    assert status == 200 and "Unverändert" in page and "Echt und gültig" in page
    resaved = tmp_path / "resaved.pdf"
    subprocess.run(["qpdf", person["pdf"], str(resaved)], check=True)
    status, page = upload(resaved)
    assert "Nicht die Originaldatei" in page and "Der Code darin ist echt" in page and "Weicht ab" in page
    edited = tmp_path / "edited.pdf"
    data = bytearray(open(person["pdf"], "rb").read())
    data[len(data) // 3] ^= 1
    edited.write_bytes(bytes(data))
    assert "Weicht ab" in upload(edited)[1]
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\n% nothing of ours\n")
    page = upload(other)[1]
    assert "keinen lesbaren Code" in page and "Nicht echt" not in page
    # The script's way: only the SHA-256 and the code, never the file.
    import hashlib
    body, headers = form({"sha256": hashlib.sha256(open(person["pdf"], "rb").read()).hexdigest(), "c": token_of(person["pdf"])})
    assert "Unverändert" in request(site, "POST", f"{PREFIX}/datei", body, headers)[2].decode()
    body, headers = form({"sha256": "not a hash"})
    assert request(site, "POST", f"{PREFIX}/datei", body, headers)[0] == 400
    too_big = b"--b\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"x\"\r\n\r\n" + b"0" * (5 << 20)
    assert request(site, "POST", f"{PREFIX}/datei", too_big, {"Content-Type": "multipart/form-data; boundary=b"})[0] == 413


def test_rate_limit_per_client_address(site):
    server, port = start_serve(site.verifier_database, "--lookups-per-minute", "3")
    try:
        path = f"{PREFIX}/api/status/{site.people['Wjeńka']['serial']}"
        first = [request(site, "GET", path, headers={"X-Real-IP": "203.0.113.7"}, port=port)[0] for _ in range(3)]
        assert first == [200, 200, 200]
        status, headers, _ = request(site, "GET", path, headers={"X-Real-IP": "203.0.113.7"}, port=port)
        assert status == 429 and int(headers["retry-after"]) >= 1
        status, headers, body = request(site, "GET", f"{PREFIX}?nr=BQ-2026-000001", headers={"X-Real-IP": "203.0.113.7"}, port=port)
        assert status == 429 and "Zu viele Anfragen" in body.decode()
        assert request(site, "GET", path, headers={"X-Real-IP": "198.51.100.9"}, port=port)[0] == 200
        # IPv6: one /64 is one client, however many of its addresses it uses.
        statuses = [request(site, "GET", path, headers={"X-Real-IP": f"2001:db8:1:2::{n}"}, port=port)[0] for n in range(1, 5)]
        assert statuses == [200, 200, 200, 429]
        assert request(site, "GET", path, headers={"X-Real-IP": "2001:db8:1:3::1"}, port=port)[0] == 200
        # Pages that ask nothing of the register are not counted.
        assert request(site, "GET", PREFIX, headers={"X-Real-IP": "203.0.113.7"}, port=port)[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_access_log_has_no_query_token_or_name(site):
    request(site, "GET", f"{PREFIX}?nr={site.people['Wjeńka']['serial']}")
    body, headers = form({"c": token_of(site.people["Wjeńka"]["pdf"])})
    request(site, "POST", PREFIX, body, headers)
    time.sleep(0.2)
    site.log.flush()
    lines = open(site.log.name).read().splitlines()
    assert len(lines) > 10
    for line in lines:
        entry = json.loads(line)
        assert set(entry) == {"time", "method", "path", "status", "ms"}
        assert "?" not in entry["path"] and "#" not in entry["path"], line
        assert "BQ2." not in line and "Wjeńka" not in line and "Měrćin" not in line, line


def test_refuses_to_start_as_a_privileged_login(site):
    owner = site.env["DATABASE_URL"]
    result = subprocess.run([BIN, "serve", "--database", owner, "--port", str(free_port())], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "verifier" in result.stderr
    login = "web_both_" + str(os.getpid())
    run("access", "grant", login, "--role", "verifier", env=site.env)
    run("access", "grant", login, "--role", "auditor", env=site.env)
    try:
        url = database_url(owner, user=login)
        result = subprocess.run([BIN, "serve", "--database", url, "--port", str(free_port())], capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and "beccaria_auditor" in result.stderr
    finally:
        run("access", "revoke", login, env=site.env)


def test_survives_a_postgresql_restart_and_stops_gracefully(site):
    path = f"{PREFIX}/api/status/{site.people['Wjeńka']['serial']}"
    assert request(site, "GET", path)[0] == 200
    env = dict(os.environ)
    subprocess.run(["bash", "scripts/db", "stop"], check=True, env=env, capture_output=True, cwd=ROOT)
    try:
        status, headers, body = request(site, "GET", f"{PREFIX}?nr={site.people['Wjeńka']['serial']}")
        assert status == 503 and headers["retry-after"] == "30" and "nicht möglich" in body.decode()
        assert request(site, "GET", "/health")[0] == 503
        assert request(site, "GET", path)[0] == 503
    finally:
        subprocess.run(["bash", "scripts/db", "start"], check=True, env=env, capture_output=True, cwd=ROOT)
    for _ in range(50):
        if request(site, "GET", path)[0] == 200:
            break
        time.sleep(0.2)
    assert request(site, "GET", path)[0] == 200 and request(site, "GET", "/health")[0] == 200
    server, _ = start_serve(site.verifier_database)
    server.terminate()
    assert server.wait(timeout=20) == 0


def test_the_nginx_site_keeps_query_strings_out_of_its_log(site, tmp_path):
    """scripts/deploy/nginx-beccaria-verify.conf, as shipped but for TLS and ports, in front of the
    service: printed addresses pass through, nginx's access log has their paths only (no query,
    no client address), and with no instance up it answers its own German 503 page."""
    import shutil
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    with open(os.path.join(ROOT, "scripts", "deploy", "nginx-beccaria-verify.conf")) as shipped:
        shipped_config = shipped.read()

    def start(upstream_port, folder):
        folder.mkdir()
        port = free_port()
        config = shipped_config.replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};")
        # As shipped, but plain HTTP on test ports (the TLS lines need a certificate).
        config = config.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
        config = config.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
        config = re.sub(r"\s*listen \[::\]:\d+( ssl http2)?;", "", config)
        config = re.sub(r"\s*ssl_certificate(_key)?\s+\S+;", "", config)
        assert "listen 443" not in config and "ssl_certificate" not in config
        config = config.replace("/var/log/nginx/", str(folder) + "/")
        (folder / "site.conf").write_text(config)
        (folder / "nginx.conf").write_text(
            f"daemon off; user root; pid {folder}/nginx.pid; error_log {folder}/main-error.log;\n"
            f"events {{}}\nhttp {{ client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
            f"  access_log off; include {folder}/site.conf; }}\n")
        check = subprocess.run([nginx, "-t", "-c", str(folder / "nginx.conf"), "-p", str(folder)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        process = subprocess.Popen([nginx, "-c", str(folder / "nginx.conf"), "-p", str(folder)], stderr=subprocess.PIPE)
        for _ in range(50):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        return process, port

    serial = site.people["Wjeńka"]["serial"]
    server, port = start(site.port, tmp_path / "up")
    try:
        status, headers, body = request(site, "GET", f"{PREFIX}?nr={serial}&lang=de", port=port)
        assert status == 200 and serial in body.decode() and headers["referrer-policy"] == "no-referrer"
        token = token_of(site.people["Nguyễn"]["pdf"])
        status, _, body = request(site, "GET", f"{PREFIX}?c={token}", port=port)
        assert status == 200 and "Echt und gültig" in body.decode()
    finally:
        server.terminate()
        server.wait(timeout=20)
    log = (tmp_path / "up" / "beccaria-verify.access.log").read_text()
    assert f'"GET {PREFIX} HTTP/1.1" 200' in log
    assert "?" not in log and serial not in log and "BQ2" not in log and "127.0.0.1" not in log
    server, port = start(free_port(), tmp_path / "down")
    try:
        status, headers, body = request(site, "GET", f"{PREFIX}?nr={serial}", port=port)
        assert status == 503 and headers["retry-after"] == "60" and "Prüfung vorübergehend nicht möglich" in body.decode()
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.parametrize("body", [
    pytest.param("c=a b", id="space"), pytest.param("c=%", id="lone-percent"), pytest.param("c=a%ZZ", id="bad-escape"),
    pytest.param("c=ä", id="raw-umlaut"), pytest.param("c=<x>\"", id="markup"), pytest.param("nr=BQ&&&=&=", id="empty-pairs"),
])
@pytest.mark.parametrize("path", ["", "/abgleich", "/datei"])
def test_malformed_form_bodies_are_answered_and_the_service_lives(site, body, path):
    status, headers, page = request(site, "POST", PREFIX + path, body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (400, 200), (status, page[:200])
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert request(site, "GET", "/health")[0] == 200


def test_forms_posted_from_another_site_are_refused(site):
    import hashlib
    person = site.people["Wjeńka"]
    body, headers = form({"sha256": hashlib.sha256(open(person["pdf"], "rb").read()).hexdigest()})
    for value, expected in [("cross-site", 403), ("same-site", 403), ("same-origin", 200), ("none", 200)]:
        status, _, page = request(site, "POST", f"{PREFIX}/datei", body, dict(headers, **{"Sec-Fetch-Site": value}))
        assert status == expected, value
    # The JSON API is for scripts anywhere.
    status, _, _ = request(site, "POST", f"{PREFIX}/api/verify", json.dumps({"token": token_of(person["pdf"])}),
                           {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"})
    assert status == 200


def test_a_body_that_trickles_in_is_cut_off(site):
    import socket
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", site.port), timeout=60) as client:
        client.sendall(f"POST {PREFIX} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: 1000\r\n\r\n".encode())
        answer = b""
        try:
            while time.monotonic() - started < 40:
                client.sendall(b"c")
                client.settimeout(2)
                try:
                    chunk = client.recv(4096)
                except socket.timeout:
                    continue
                if not chunk:
                    break
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert time.monotonic() - started < 30


def test_a_fragment_sent_by_a_client_is_not_logged(site):
    token = token_of(site.people["Wjeńka"]["pdf"])
    assert request(site, "GET", f"{PREFIX}#c={token}")[0] in (200, 404)
    assert request(site, "GET", f"{PREFIX}%23c={token}")[0] == 404
    time.sleep(0.2)
    site.log.flush()
    assert "BQ2." not in open(site.log.name).read()


def test_connections_killed_by_the_server_are_replaced_at_once(site):
    path = f"{PREFIX}/api/status/{site.people['Wjeńka']['serial']}"
    for _ in range(6):
        assert request(site, "GET", path)[0] == 200
    login = urllib.parse.parse_qs(site.verifier_database.split("?", 1)[1])["user"][0]
    subprocess.run(["psql", "-X", "-q", site.env["DATABASE_URL"], "-c",
                    f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{login}'"], check=True)
    assert [request(site, "GET", path)[0] for _ in range(6)] == [200] * 6
