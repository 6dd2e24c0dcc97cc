#!/usr/bin/env python3
"""Renders the same certificates as beccaria with the usual alternatives, for scripts/bench.

Reads certificate snapshots (JSON lines, as stored by beccaria) and renders each with one
library: reportlab (canvas API, TrueType fonts embedded, QR code), WeasyPrint (HTML + CSS, Pango)
or Typst (markup compiled by the typst package), one document per certificate; and Typst as an
expert produces certificates in bulk ("typst-batch"): one document with a page per holder from a
JSON data file, compiled once, then split into one file per certificate by qpdf
(`--split-pages`). Prints "<peer> <count> <seconds> <bytes per file>".
Rendering only: no database work, which beccaria's figure includes.
"""
import io
import json
import sys
import time

FONT_DIR = "/usr/share/fonts/truetype/dejavu"


def german(date):
    y, m, d = date.split("-")
    return f"{d}.{m}.{y}"


def render_reportlab(snapshot):
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    c.setStrokeColorRGB(0.1, 0.27, 0.45)
    c.setLineWidth(1.6)
    c.rect(28, 28, width - 56, height - 56)
    c.setFont("DejaVuSans-Bold", 9.5)
    c.drawCentredString(width / 2, height - 80, snapshot["issuer"].upper())
    c.setFont("DejaVuSerif-Bold", 38)
    c.drawCentredString(width / 2, height - 170, snapshot["heading"])
    size = 28
    while size > 14 and c.stringWidth(snapshot["holderName"], "DejaVuSerif-Bold", size) > width - 132:
        size -= 0.5
    c.setFont("DejaVuSerif-Bold", size)
    c.drawCentredString(width / 2, height - 230, snapshot["holderName"])
    c.setFont("DejaVuSerif", 11)
    if snapshot.get("birthDate"):
        c.drawCentredString(width / 2, height - 250, "geboren am " + german(snapshot["birthDate"]))
    text = c.beginText(90, height - 290)
    text.setFont("DejaVuSerif", 12)
    line = ""
    for word in snapshot["body"].split():
        if c.stringWidth(line + " " + word, "DejaVuSerif", 12) > width - 180:
            text.textLine(line)
            line = word
        else:
            line = (line + " " + word).strip()
    text.textLine(line)
    c.drawText(text)
    y = height - 400
    for module in snapshot["modules"]:
        c.setFont("DejaVuSerif-Bold", 11)
        c.drawString(86, y, f"Modul {module['number']}: {module['title']}")
        c.setFont("DejaVuSans", 9)
        c.drawRightString(width - 86, y, f"{module['ue']} UE · {module['course']} · {german(module['completedOn'])}")
        y -= 18
    c.setFont("DejaVuSerif", 11.5)
    c.drawString(56, 250, f"{snapshot['place']}, den {german(snapshot['issuedOn'])}")
    for index, signatory in enumerate(snapshot["signatories"]):
        x = 56 + index * 250
        c.line(x, 185, x + 220, 185)
        c.setFont("DejaVuSans-Bold", 8.5)
        c.drawCentredString(x + 110, 172, signatory["name"])
    c.setFont("DejaVuSans-Bold", 9)
    c.drawString(56, 110, "Zertifikatsnummer " + snapshot["serial"])
    qr = QrCodeWidget(snapshot["qrPayload"])
    bounds = qr.getBounds()
    drawing = Drawing(78, 78, transform=[78 / (bounds[2] - bounds[0]), 0, 0, 78 / (bounds[3] - bounds[1]), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, c, width - 134, 62)
    c.showPage()
    c.save()
    return out.getvalue()


HTML = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 0 }}
body {{ font-family: 'DejaVu Serif'; margin: 0; }}
.frame {{ position: absolute; top: 28pt; left: 28pt; right: 28pt; bottom: 28pt; border: 1.6pt solid #1a4573; padding: 40pt 28pt; }}
.issuer {{ font: bold 9.5pt 'DejaVu Sans'; text-align: center; color: #1a4573 }}
h1 {{ font-size: 38pt; text-align: center; margin: 40pt 0 20pt }}
.name {{ font-size: 28pt; font-weight: bold; text-align: center }}
.body {{ text-align: center; margin: 20pt 30pt }}
table {{ width: 100%; font-size: 11pt }} td.r {{ text-align: right; font: 9pt 'DejaVu Sans' }}
.footer {{ position: absolute; bottom: 40pt; left: 28pt; right: 28pt; font: 9pt 'DejaVu Sans' }}
img {{ position: absolute; right: 28pt; bottom: 30pt; width: 78pt }}
</style></head><body><div class="frame">
<div class="issuer">{issuer}</div><h1>{heading}</h1><div class="name">{name}</div>
<div class="body">geboren am {birth}<br><br>{body}</div>
<table>{rows}</table>
<p>{place}, den {issued}</p>
<div class="footer">Zertifikatsnummer {serial}</div><img src="data:image/png;base64,{qr}">
</div></body></html>"""


def qr_png(payload):
    import base64
    from reportlab.graphics import renderPM
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    qr = QrCodeWidget(payload)
    bounds = qr.getBounds()
    drawing = Drawing(156, 156, transform=[156 / (bounds[2] - bounds[0]), 0, 0, 156 / (bounds[3] - bounds[1]), 0, 0])
    drawing.add(qr)
    try:
        return base64.b64encode(renderPM.drawToString(drawing, fmt="PNG")).decode()
    except Exception:
        return ""


def render_weasyprint(snapshot):
    from weasyprint import HTML as Document
    from html import escape
    rows = "".join(
        f"<tr><td><b>Modul {m['number']}: {escape(m['title'])}</b></td><td class='r'>{m['ue']} UE · {m['course']} · {german(m['completedOn'])}</td></tr>"
        for m in snapshot["modules"])
    html = HTML.format(issuer=escape(snapshot["issuer"].upper()), heading=escape(snapshot["heading"]), name=escape(snapshot["holderName"]),
                       birth=german(snapshot.get("birthDate") or "1970-01-01"), body=escape(snapshot["body"]), rows=rows,
                       place=escape(snapshot["place"]), issued=german(snapshot["issuedOn"]), serial=snapshot["serial"],
                       qr=QR_CACHE.setdefault(snapshot["qrPayload"], qr_png(snapshot["qrPayload"])))
    return Document(string=html).write_pdf()


QR_CACHE = {}

TYPST = """#set page(paper: "a4", margin: 56pt)
#set text(font: "DejaVu Serif", lang: "de")
#rect(width: 100%, height: 100%, stroke: 1.6pt + rgb("#1a4573"), inset: 20pt)[
#align(center)[#text(font: "DejaVu Sans", weight: "bold", size: 9.5pt)[{issuer}]
#v(30pt) #text(size: 38pt, weight: "bold")[{heading}]
#v(20pt) #text(size: 28pt, weight: "bold")[{name}]
#v(4pt) geboren am {birth}
#v(16pt) {body}]
#v(20pt)
#table(columns: (1fr, auto), stroke: none, {rows})
#v(40pt) {place}, den {issued}
#v(60pt) #text(font: "DejaVu Sans", weight: "bold", size: 9pt)[Zertifikatsnummer {serial}]
]"""


def typst_escape(text):
    return "".join("\\" + ch if ch in "#[]*_`$<>@\\\"" else ch for ch in text)


def render_typst(snapshot):
    import os
    import tempfile
    import typst
    rows = ", ".join(
        f"[*Modul {m['number']}: {typst_escape(m['title'])}*], [{m['ue']} UE · {m['course']} · {german(m['completedOn'])}]"
        for m in snapshot["modules"])
    source = TYPST.format(issuer=typst_escape(snapshot["issuer"].upper()), heading=typst_escape(snapshot["heading"]),
                          name=typst_escape(snapshot["holderName"]), birth=german(snapshot.get("birthDate") or "1970-01-01"),
                          body=typst_escape(snapshot["body"]), rows=rows, place=typst_escape(snapshot["place"]),
                          issued=german(snapshot["issuedOn"]), serial=snapshot["serial"])
    with tempfile.NamedTemporaryFile("w", suffix=".typ", delete=False, encoding="utf-8") as handle:
        handle.write(source)
        path = handle.name
    try:
        return typst.compile(path, font_paths=[FONT_DIR])
    finally:
        os.unlink(path)


TYPST_BATCH = """#set page(paper: "a4", margin: 56pt)
#set text(font: "DejaVu Serif", lang: "de")
#let people = json("people.json")
#for (index, p) in people.enumerate() [
#if index > 0 { pagebreak() }
#rect(width: 100%, height: 100%, stroke: 1.6pt + rgb("#1a4573"), inset: 20pt)[
#align(center)[#text(font: "DejaVu Sans", weight: "bold", size: 9.5pt)[#p.issuer]
#v(30pt) #text(size: 38pt, weight: "bold")[#p.heading]
#v(20pt) #text(size: 28pt, weight: "bold")[#p.name]
#v(4pt) geboren am #p.birth
#v(16pt) #p.body]
#v(20pt)
#table(columns: (1fr, auto), stroke: none, ..p.rows.map(r => ([*#r.at(0)*], [#r.at(1)])).flatten())
#v(40pt) #p.place, den #p.issued
#v(60pt) #text(font: "DejaVu Sans", weight: "bold", size: 9pt)[Zertifikatsnummer #p.serial]
]
]"""


def render_typst_batch(snapshots, count):
    """All `count` certificates as pages of one Typst document, split into files by qpdf."""
    import glob
    import os
    import subprocess
    import tempfile
    import typst
    people = []
    for index in range(count):
        snapshot = snapshots[index % len(snapshots)]
        people.append({
            "issuer": snapshot["issuer"].upper(), "heading": snapshot["heading"], "name": snapshot["holderName"],
            "birth": german(snapshot.get("birthDate") or "1970-01-01"), "body": snapshot["body"],
            "rows": [[f"Modul {m['number']}: {m['title']}", f"{m['ue']} UE · {m['course']} · {german(m['completedOn'])}"]
                     for m in snapshot["modules"]],
            "place": snapshot["place"], "issued": german(snapshot["issuedOn"]), "serial": snapshot["serial"]})
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "people.json"), "w", encoding="utf-8") as handle:
            json.dump(people, handle, ensure_ascii=False)
        with open(os.path.join(folder, "batch.typ"), "w", encoding="utf-8") as handle:
            handle.write(TYPST_BATCH)
        combined = os.path.join(folder, "batch.pdf")
        with open(combined, "wb") as handle:
            handle.write(typst.compile(os.path.join(folder, "batch.typ"), font_paths=[FONT_DIR]))
        subprocess.run(["qpdf", "--split-pages", combined, os.path.join(folder, "certificate.pdf")], check=True)
        files = glob.glob(os.path.join(folder, "certificate-*.pdf"))
        return len(files), sum(os.path.getsize(f) for f in files)


def main():
    peer, count, source = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    snapshots = [json.loads(line) for line in open(source, encoding="utf-8") if line.strip()]
    if peer == "reportlab":
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        for name, file in [("DejaVuSans", "DejaVuSans.ttf"), ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf"),
                           ("DejaVuSerif", "DejaVuSerif.ttf"), ("DejaVuSerif-Bold", "DejaVuSerif-Bold.ttf")]:
            pdfmetrics.registerFont(TTFont(name, f"{FONT_DIR}/{file}"))
        render = render_reportlab
    elif peer == "weasyprint":
        render = render_weasyprint
    elif peer == "typst":
        render = render_typst
    elif peer == "typst-batch":
        render_typst_batch(snapshots, 2)  # warm-up: imports, font loading
        start = time.monotonic()
        files, size = render_typst_batch(snapshots, count)
        elapsed = time.monotonic() - start
        print(f"{peer} {files} {elapsed:.3f} {size // max(files, 1)}")
        return
    else:
        raise SystemExit(f"unknown peer {peer}")
    render(snapshots[0])  # warm-up: imports, font loading
    start = time.monotonic()
    size = 0
    for index in range(count):
        size += len(render(snapshots[index % len(snapshots)]))
    elapsed = time.monotonic() - start
    print(f"{peer} {count} {elapsed:.3f} {size // count}")


if __name__ == "__main__":
    main()
