"""The verification pages in a real browser (headless Chromium through selenium): what the holder
of a certificate, an employer's HR office and a screen-reader user see."""
import hashlib
import json
import os
import re
import subprocess
import unicodedata
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PREFIX, qr_payload


def local(site, address):
    """A printed address (https://www.lpr.sachsen.de/beccaria/pruefen#c=…) on the test server."""
    parts = urllib.parse.urlsplit(address)
    return site.base + parts.path + (("?" + parts.query) if parts.query else "") + (("#" + parts.fragment) if parts.fragment else "")


def open_result(browser, site, address):
    browser.get(local(site, address))
    WebDriverWait(browser, 15).until(expected_conditions.presence_of_element_located((By.ID, "ergebnis")))
    return browser.find_element(By.ID, "ergebnis").text


def test_the_qr_code_of_an_issued_pdf_at_150_dpi_opens_a_genuine_result(site, browser):
    person = site.people["Wjeńka"]
    address = qr_payload(person["pdf"], dpi=150)
    assert address.startswith("https://www.lpr.sachsen.de" + PREFIX + "#c=BQ2.")
    assert "Echt und gültig" in open_result(browser, site, address)
    assert browser.find_element(By.CSS_SELECTOR, ".name").text == person["name"]
    # The code was read from the fragment and posted; the address bar keeps no code.
    assert "#c=" not in browser.current_url and "BQ2" not in browser.current_url
    # The birth date is there, but not shown until asked for.
    birth = browser.find_element(By.CSS_SELECTOR, ".birth")
    assert not birth.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "summary").click()
    assert birth.is_displayed() and birth.text == "12.07.1984"
    assert browser.get_cookies() == []


def test_one_flipped_bit_is_not_genuine(site, browser):
    address = qr_payload(site.people["Nguyễn"]["pdf"])
    head, token = address.split("#c=")
    token = token[:20] + chr(ord(token[20]) ^ 1) + token[21:]
    assert "Nicht echt" in open_result(browser, site, head + "#c=" + token)
    assert not browser.find_elements(By.CSS_SELECTOR, ".name")


def test_revoked_replaced_and_erased(site, browser):
    assert "widerrufen" in open_result(browser, site, qr_payload(site.revoked["pdf"]))
    text = open_result(browser, site, qr_payload(site.replaced["pdf"]))
    assert "ersetzt" in text and site.replacement in browser.page_source
    link = browser.find_element(By.LINK_TEXT, site.replacement)
    link.click()
    WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.ID, "ergebnis")))
    assert "Nummer ausgestellt und gültig" in browser.find_element(By.ID, "ergebnis").text
    assert "Müller" not in browser.page_source and "Anna" not in browser.page_source
    assert "Echt und gültig" in open_result(browser, site, site.erased["token"])
    assert "auf Antrag" in browser.find_element(By.CSS_SELECTOR, ".note").text
    assert browser.find_element(By.CSS_SELECTOR, ".name").text == "Katrin Fischer"


def test_serial_page_and_json_show_no_name_and_the_match_says_yes_or_no(site, browser):
    person = site.people["Wjeńka"]
    browser.get(f"{site.url}?nr={person['serial']}")
    assert "Nummer ausgestellt und gültig" in browser.find_element(By.ID, "ergebnis").text
    for part in ("Wjeńka", "Měrćin", "1984"):
        assert part not in browser.page_source
    browser.get(f"{site.url}/api/status/{person['serial']}")
    assert "Wjeńka" not in browser.page_source and person["serial"] in browser.page_source

    def match(family, born):
        browser.get(f"{site.url}?nr={person['serial']}")
        browser.find_element(By.ID, "familienname").send_keys(family)
        browser.find_element(By.ID, "geburtsdatum").send_keys(born)
        browser.find_element(By.CSS_SELECTOR, "form[action$='/abgleich'] button").click()
        WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".match")))
        return browser.find_element(By.CSS_SELECTOR, ".match").text

    assert match(unicodedata.normalize("NFD", "wjeńka"), "12.07.1984") == "Stimmt überein"
    assert match("Wjenka", "12.07.1985") == "Stimmt nicht überein"
    assert "Měrćin" not in browser.page_source


def test_rate_limit_page(site, browser):
    """A person who looks up too many serials sees a page that says so and how long to wait."""
    from conftest import start_serve

    server, port = start_serve(site.verifier_database, "--lookups-per-minute", "2")
    try:
        serial = site.people["Wjeńka"]["serial"]
        for _ in range(2):
            browser.get(f"http://127.0.0.1:{port}{PREFIX}?nr={serial}")
            assert "Nummer ausgestellt und gültig" in browser.find_element(By.ID, "ergebnis").text
        browser.get(f"http://127.0.0.1:{port}{PREFIX}?nr={serial}")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Zu viele Anfragen"
        assert re.search(r"warten Sie \d+ Sekunden", browser.find_element(By.TAG_NAME, "main").text)
    finally:
        server.terminate()
        server.wait(timeout=20)


def drop(browser, site, path):
    browser.get(site.url)
    browser.find_element(By.ID, "datei").send_keys(path)
    browser.find_element(By.CSS_SELECTOR, "#datei-form button").click()
    WebDriverWait(browser, 15).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "p.file")))
    return browser.find_element(By.ID, "ergebnis").text, browser.find_element(By.CSS_SELECTOR, "p.file").text


def test_a_dropped_pdf_is_hashed_in_the_browser(site, browser, tmp_path):
    person = site.people["Wjeńka"]
    before = os.path.getsize(site.log.name)
    verdict, file = drop(browser, site, person["pdf"])
    assert "Echt und gültig" in verdict and "Unverändert" in file
    edited = tmp_path / "bearbeitet.pdf"
    data = bytearray(open(person["pdf"], "rb").read())
    data[len(data) // 3] ^= 1
    edited.write_bytes(bytes(data))
    assert "Weicht ab" in drop(browser, site, str(edited))[1]
    resaved = tmp_path / "neu-gespeichert.pdf"
    subprocess.run(["qpdf", person["pdf"], str(resaved)], check=True)
    verdict, file = drop(browser, site, str(resaved))
    assert "Nicht die Originaldatei" in verdict and "Weicht ab" in file
    assert "Der Code darin ist echt" in browser.page_source
    assert browser.find_element(By.CSS_SELECTOR, ".name").text == person["name"]
    # Nothing was uploaded: the script posted urlencoded fields, far smaller than the file.
    site.log.flush()
    with open(site.log.name) as log:
        log.seek(before)
        posts = [json.loads(line) for line in log if '"/beccaria/pruefen/datei"' in line]
    assert len(posts) == 3


def test_no_external_hosts_in_the_html(site, browser):
    for path in ["", f"?nr={site.people['Wjeńka']['serial']}", "/impressum", "/datenschutz", "/barrierefreiheit"]:
        browser.get(site.url + path)
        for element in browser.find_elements(By.CSS_SELECTOR, "[src], [href], [action]"):
            for attribute in ("src", "href", "action"):
                value = element.get_attribute(attribute)
                if value:
                    assert urllib.parse.urlsplit(value).netloc in ("", f"127.0.0.1:{site.port}"), value


def test_the_acceptance_names_render_as_stored(site, browser):
    for family in ["Wjeńka", next(k for k in site.people if unicodedata.normalize("NFC", k) == "Šołćina"), "Nguyễn", "الحسن"]:
        person = site.people[family]
        open_result(browser, site, qr_payload(person["pdf"]))
        name = browser.find_element(By.CSS_SELECTOR, ".name")
        assert name.text == person["name"], (name.text, person["name"])
        assert name.get_attribute("dir") == "auto"


def test_english_switch_and_legal_texts(site, browser):
    open_result(browser, site, qr_payload(site.people["Wjeńka"]["pdf"]))
    # The result came from a posted code: the switch posts it again, in English.
    browser.find_element(By.ID, "sprache").click()
    WebDriverWait(browser, 10).until(expected_conditions.text_to_be_present_in_element((By.ID, "ergebnis"), "Genuine and valid"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.CSS_SELECTOR, ".name").text == site.people["Wjeńka"]["name"]
    browser.get(site.url + "?lang=en")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Verify a certificate"
    browser.get(site.url + "/impressum")
    assert "Landespräventionsrat Sachsen" in browser.find_element(By.TAG_NAME, "main").text
    browser.get(site.url + "/barrierefreiheit")
    assert "BITV 2.0" in browser.find_element(By.TAG_NAME, "main").text


def axe_script():
    """axe-core as axe-playwright-python bundles it (its Python part needs playwright, unused here)."""
    import importlib.util

    folder = importlib.util.find_spec("axe_playwright_python").submodule_search_locations[0]
    with open(os.path.join(folder, "axe.min.js"), encoding="utf-8") as script:
        return script.read()


def test_accessibility_no_axe_violations(site, browser):
    script = axe_script()
    assert "axe v4." in script[:40]
    browser.set_script_timeout(60)
    person = site.people["الحسن"]
    pages = [site.url, site.url + "?lang=en", f"{site.url}?nr={person['serial']}", site.url + "/datenschutz",
             local(site, qr_payload(person["pdf"])), f"{site.url}?nr=BQ-2026-999999"]
    for page in pages:
        browser.get(page)
        WebDriverWait(browser, 15).until(expected_conditions.presence_of_element_located((By.TAG_NAME, "h1")))
        browser.execute_script(script)
        results = browser.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
            ".then(done, function (error) { done({error: String(error)}); });")
        assert "error" not in results, results
        assert results["passes"], page
        assert results["violations"] == [], (page, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results["violations"]])
