"""`--format xlsx` read back with openpyxl: cell types, number formats, the frozen header, sized
columns, names as stored; and a roster exported, filled in, saved as Excel saves CSV and imported."""
import csv
import datetime
import io
import os
import unicodedata

import openpyxl
import pytest

from conftest import PEOPLE


def workbook(office, name, *args, env=None):
    path = office.path(name)
    if os.path.exists(path):
        os.remove(path)
    result = office.run(*args, "--format", "xlsx", "--output", path, env=env)
    german = env is not None and env.get("LANG", "").startswith("de")
    assert result.stdout.endswith(" geschrieben.\n") if german else result.stdout.startswith("Wrote "), result.stdout
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    return openpyxl.load_workbook(path)


def rows(sheet):
    return list(sheet.iter_rows(min_row=2, values_only=True))


def header(sheet):
    return [cell.value for cell in sheet[1]]


def test_participants_as_a_mail_merge_reads_them(office):
    book = workbook(office, "teilnehmende.xlsx", "participant", "list")
    sheet = book.active
    assert header(sheet) == ["ID", "FAMILY NAME", "GIVEN NAMES", "BORN", "E-MAIL", "MUNICIPALITY", "ORGANISATION"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.auto_filter.ref == f"A1:G{len(PEOPLE) + 1}"
    listed = office.json("participant", "list")
    assert len(rows(sheet)) == len(listed) == len(PEOPLE)
    for row, cells, person in zip(rows(sheet), sheet.iter_rows(min_row=2), listed):
        assert row[0] == person["id"] and isinstance(row[0], int)
        # The names exactly as stored (and as the office typed them, up to Unicode normalisation).
        assert row[1] == person["family_name"] and row[2] == person["given_names"]
        assert row[3] == datetime.datetime.fromisoformat(person["birth_date"])
        assert cells[3].is_date and cells[3].number_format == "yyyy-mm-dd"
        assert row[4] == person["email"]
    typed = {(unicodedata.normalize("NFC", f), unicodedata.normalize("NFC", g)) for f, g, _, _ in PEOPLE}
    assert {(unicodedata.normalize("NFC", r[1]), unicodedata.normalize("NFC", r[2])) for r in rows(sheet)} == typed
    # Columns sized to their content: the longest given name fits.
    longest = max(len(r[2]) for r in rows(sheet))
    assert sheet.column_dimensions["C"].width >= longest
    assert sheet.column_dimensions["E"].width >= len("m.wjenka@example.org")


def test_the_attendance_matrix_is_a_sheet_a_person_reads(office):
    book = workbook(office, "anwesenheit.xlsx", "attendance", "report", "--course", "XL-1")
    assert book.sheetnames == ["Attendance XL-1", "Sessions", "Signs"]
    sheet = book["Attendance XL-1"]
    sessions = office.json("session", "list", "--course", "XL-1")
    matrix = office.json("attendance", "report", "--course", "XL-1")
    titles = header(sheet)
    assert titles[:2] == ["NR.", "NAME"]
    assert len([t for t in titles if " M1" in t and ":" in t]) == len(sessions)
    assert sheet.freeze_panes == "C2"
    by_id = {line["participant_id"]: line for line in matrix["participants"]}
    share_column = titles.index("M1 SHARE")
    ue_column = titles.index("M1 UE")
    for cells in sheet.iter_rows(min_row=2):
        line = by_id[cells[0].value]
        module = next(m for m in line["modules"] if m["module"] == 1)
        assert cells[ue_column].value == pytest.approx(float(module["attended_ue"]))
        assert cells[ue_column].number_format == "0.0"
        assert cells[share_column].value == pytest.approx(float(module["share"]))
        assert cells[share_column].number_format == "0.0%"
        assert isinstance(cells[titles.index("M1 PLANNED UE")].value, int)
    signs = [cell for row in sheet.iter_rows(min_row=2, min_col=3, max_col=2 + len(sessions), values_only=True)
             for cell in row]
    assert "✓" in signs and "E" in signs and "✗" in signs and "½ 4.5" in signs
    # The last session is not recorded yet.
    assert signs.count("·") == len(PEOPLE)
    days = book["Sessions"]
    assert header(days)[:3] == ["NR.", "SESSION", "DAY"]
    for cells, session in zip(days.iter_rows(min_row=2), sessions):
        assert cells[1].value == session["id"]
        assert cells[2].is_date and cells[2].value.date().isoformat() == session["day"]
        assert cells[2].number_format == "yyyy-mm-dd"


def test_the_municipalities_report_counts_as_numbers(office):
    book = workbook(office, "gemeinden.xlsx", "report", "municipalities")
    sheet = book.active
    titles = header(sheet)
    assert titles[:3] == ["AGS", "MUNICIPALITY", "DISTRICT"]
    bautzen = next(row for row in rows(sheet) if row[1] == "Bautzen")
    # The AGS stays text: a number would lose the leading zero of states 01 to 09.
    assert bautzen[0] == "14625020" and isinstance(bautzen[0], str)
    assert bautzen[titles.index("PARTICIPANTS")] == len(PEOPLE)
    assert bautzen[titles.index("ENROLLED NOW")] == len(PEOPLE)
    assert isinstance(bautzen[titles.index("ZERTIFIKATE")], int)


LISTINGS = [
    ["participant", "list"], ["trainer", "list"], ["course", "list"], ["session", "list", "--course", "XL-1"],
    ["enrolment", "list", "--course", "XL-1"], ["municipality", "list"], ["report", "municipalities"],
    ["report", "at-risk", "--course", "XL-1"], ["report", "review"], ["certificate", "list"], ["programme", "list"],
    ["keys", "list"], ["mail", "list"], ["audit", "log"], ["access", "list"], ["db", "status"],
    ["attendance", "report", "--course", "XL-1"],
]


@pytest.mark.parametrize("command", LISTINGS, ids=lambda c: " ".join(c[:2]))
def test_every_listing_writes_a_workbook(office, command):
    book = workbook(office, "liste.xlsx", *command)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes in ("A2", "C2")
    assert header(sheet) and all(isinstance(title, str) and title for title in header(sheet))
    assert all(cell.font.b for cell in sheet[1])


def test_a_workbook_needs_a_file_that_excel_opens(office):
    missing = office.run("participant", "list", "--format", "xlsx", check=False)
    assert missing.returncode != 0
    assert "--format xlsx writes a workbook: give --output FILE.xlsx." in missing.stderr
    wrong = office.run("participant", "list", "--format", "xlsx", "--output", office.path("liste.csv"), check=False)
    assert wrong.returncode != 0 and "names a .csv file, but --format is xlsx" in wrong.stderr
    assert not os.path.exists(office.path("liste.csv"))
    odd = office.run("participant", "list", "--format", "xlsx", "--output", office.path("liste.txt"), check=False)
    assert odd.returncode != 0 and "ends in .xlsx" in odd.stderr
    # The file's extension chooses the format when --format is not given.
    named = office.path("liste-ohne-format.xlsx")
    office.run("participant", "list", "--output", named)
    assert len(rows(openpyxl.load_workbook(named).active)) == len(PEOPLE)
    as_csv = office.path("liste.csv")
    office.run("participant", "list", "--output", as_csv)
    with open(as_csv, encoding="utf-8") as text:
        assert text.readline().startswith("ID,NAME,BORN")


def excel_csv(sheet):
    """The sheet as German Excel saves "CSV UTF-8": a byte order mark, ";", CRLF, numbers with a
    decimal comma, days as TT.MM.JJJJ."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in sheet.iter_rows(values_only=True):
        cells = []
        for value in row:
            if value is None:
                cells.append("")
            elif isinstance(value, datetime.datetime):
                cells.append(value.strftime("%d.%m.%Y"))
            elif isinstance(value, float):
                cells.append(f"{value:g}".replace(".", ","))
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return "\ufeff" + out.getvalue()


def test_a_roster_filled_in_and_saved_as_csv_imports_back(office):
    last = office.json("session", "list", "--course", "XL-1")[-1]
    book = workbook(office, "termin.xlsx", "attendance", "roster", "--session", str(last["id"]))
    sheet = book.active
    titles = header(sheet)
    assert titles[:4] == ["SESSION", "ID", "FAMILY NAME", "GIVEN NAMES"]
    status, ue = titles.index("STATUS"), titles.index("UE")
    filled = ["anwesend", "verspätet", "entschuldigt", "abwesend", "anwesend"]
    for cells, word in zip(sheet.iter_rows(min_row=2), filled):
        assert cells[0].value == last["id"] and isinstance(cells[1].value, int)
        assert cells[status].value is None
        cells[status].value = word
        if word == "verspätet":
            cells[ue].value = 4.5
    # Excel adds an empty row at the end when a person deletes the contents of one.
    sheet.append([None] * len(titles))
    path = office.path("termin.csv")
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(excel_csv(sheet))
    office.run("attendance", "import", path)
    recorded = {row["participant_id"]: row for row in office.json("attendance", "roster", "--session", str(last["id"]))}
    listed = office.json("participant", "list")
    expected = dict(zip([p["id"] for p in listed], ["present", "late", "excused", "absent", "present"]))
    for cells in sheet.iter_rows(min_row=2, max_row=len(PEOPLE) + 1):
        person = cells[1].value
        assert recorded[person]["status"] == expected[person]
    late = next(row for row in recorded.values() if row["status"] == "late")
    assert float(late["ue_attended"]) == 4.5


def german(office):
    return dict(office.env, LANG="de_DE.UTF-8")


def test_a_german_office_gets_german_headers_and_the_same_types(office):
    book = workbook(office, "teilnehmende-de.xlsx", "participant", "list", env=german(office))
    sheet = book.active
    assert header(sheet) == ["NR.", "NACHNAME", "VORNAMEN", "GEBOREN", "E-MAIL", "GEMEINDE", "DIENSTSTELLE"]
    first = next(sheet.iter_rows(min_row=2))
    assert isinstance(first[0].value, int) and first[3].is_date and first[3].number_format == "dd.mm.yyyy"
    matrix = workbook(office, "anwesenheit-de.xlsx", "attendance", "report", "--course", "XL-1", env=german(office))
    assert matrix.sheetnames == ["Anwesenheit XL-1", "Termine", "Zeichen"]
    titles = header(matrix["Anwesenheit XL-1"])
    assert "M1 ANTEIL" in titles and "M1 GEPLANTE UE" in titles
    signs = [row[1] for row in rows(matrix["Zeichen"])]
    assert "anwesend" in signs and "entschuldigt" in signs


def test_a_german_roster_filled_in_with_german_words_imports_back(office):
    sessions = office.json("session", "list", "--course", "XL-1")
    # The session before the last: recorded by the fixture, now corrected from the German sheet.
    target = sessions[-2]
    book = workbook(office, "termin-de.xlsx", "attendance", "roster", "--session", str(target["id"]), env=german(office))
    sheet = book.active
    titles = header(sheet)
    assert titles[:4] == ["TERMIN", "NR.", "NACHNAME", "VORNAMEN"]
    status = titles.index("STATUS")
    # As recorded, in German words.
    assert {row[status] for row in rows(sheet)} == {"anwesend", "verspätet", "entschuldigt", "abwesend"}
    for cells in sheet.iter_rows(min_row=2):
        cells[status].value = "anwesend"
        cells[titles.index("UE")].value = None
    path = office.path("termin-de.csv")
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(excel_csv(sheet))
    done = office.run("attendance", "import", path, "--reason", "Liste nachgetragen", env=german(office))
    assert "korrigiert" in done.stdout or "berichtigt" in done.stdout, done.stdout
    recorded = office.json("attendance", "roster", "--session", str(target["id"]))
    assert {row["status"] for row in recorded} == {"present"}


def test_the_workbook_itself_given_to_an_import_is_named_as_such(office):
    """An office imports the .xlsx it filled in instead of its CSV: the answer says what to do."""
    last = office.json("session", "list", "--course", "XL-1")[-1]
    path = office.path("termin-direkt.xlsx")
    office.run("attendance", "roster", "--session", str(last["id"]), "--format", "xlsx", "--output", path)
    before = office.json("attendance", "roster", "--session", str(last["id"]))
    for env, said in ((None, 'is an Excel workbook (.xlsx), not CSV: save it in Excel as "CSV UTF-8"'),
                      (german(office), "ist eine Excel-Arbeitsmappe (.xlsx), keine CSV-Datei")):
        done = office.run("attendance", "import", path, check=False, env=env)
        assert done.returncode != 0 and said in done.stderr, done.stderr
    assert office.json("attendance", "roster", "--session", str(last["id"])) == before


def test_output_to_a_pipe_is_written_through_not_replaced(office):
    import stat
    import threading
    fifo = office.path("rohr.csv")
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, encoding="utf-8").read()))
    reader.start()
    office.run("participant", "list", "--output", fifo)
    reader.join(timeout=30)
    assert received and received[0].startswith("ID,NAME,BORN")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    os.remove(fifo)


def test_every_text_a_database_may_hold_stays_a_readable_cell(office):
    import zipfile
    from cluster import psql
    sessions = office.json("session", "list", "--course", "XL-1")
    first = sessions[0]["id"]
    # U+FFFF (which XML cannot carry), a literal _xHHHH_ escape, and more than Excel's 32,767
    # UTF-16 units of combining characters.
    psql(office.url, f"UPDATE session SET location = 'Raum ' || chr(65535) || ' _x0041_' WHERE id = {first}")
    psql(office.url, f"UPDATE session SET location = repeat('e' || chr(769), 20000) WHERE id = {sessions[1]['id']}")
    path = office.path("termine-sonderzeichen.xlsx")
    office.run("session", "list", "--course", "XL-1", "--format", "xlsx", "--output", path)
    sheet = openpyxl.load_workbook(path).active
    location = header(sheet).index("LOCATION")
    cells = {row[0]: row[location] for row in rows(sheet)}
    assert cells[first].startswith("Raum \\u{FFFF} ")
    assert len(cells[sessions[1]["id"]]) <= 32_767 and cells[sessions[1]["id"]].endswith("…")
    with zipfile.ZipFile(path) as book:
        xml = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert "_x005F_x0041_" in xml
    psql(office.url, f"UPDATE session SET location = 'Raum 1' WHERE id IN ({first}, {sessions[1]['id']})")


def test_the_attendance_report_writes_csv_and_json_to_the_file_given(office):
    for format in ("csv", "json"):
        path = office.path(f"anwesenheit.{format}")
        done = office.run("attendance", "report", "--course", "XL-1", "--output", path)
        assert done.stdout.startswith("Wrote ") and os.path.getsize(path) > 100
