"""Build the received-document samples in tests/data/reader/ (the PDFs, the DOCX and the e-mail).

    QT_QPA_PLATFORM=offscreen python -m tools.make_reader_samples

The texts are written for these tests (no third-party content). The bulletin PDF is laid
out the way report generators do it and readers find hard: two columns, a running header
and a page-numbered footer on every page, words hyphenated at line ends, and each row's
left and right line drawn one after the other, so the file's drawing order interleaves
the columns. `scanned.pdf` holds one page with a picture of text and no text layer.
The DOCX has core properties, headings, a table and a page header; the e-mail has a
plain-text and an HTML body and a PDF attachment.
"""
from __future__ import annotations

import sys
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "reader"

HEADER = "Arcmark Test Bulletin \u2014 Regional Security Review"
BULLETIN = [
    "Ankara and Moscow agree on joint air operations",
    "The defence ministries of Turkey and Russia announced on Wednesday that their air forces "
    "had carried out a first joint operation against militants near the town of al-Bab, "
    "northeast of Aleppo. The announcement followed weeks of consultations between the "
    "general staffs in Ankara and Moscow.",
    "Officials in Tehran welcomed the coordination and said that Iran would continue its "
    "trilateral consultations with both governments. Western diplomats described the "
    "rapprochement as unthinkable only a short while ago, given the downing of a Russian "
    "bomber by Turkish fighters in November 2015.",
    "According to the Turkish presidency, Recep Tayyip Erdogan and Vladimir Putin discussed "
    "the operation by telephone and agreed to extend the cooperation to intelligence "
    "sharing. Analysts in Brussels noted that the agreement complicates the position of "
    "the North Atlantic Treaty Organization, of which Turkey is a member.",
    "The ceasefire brokered in Astana remains fragile. Observers reported sporadic "
    "fighting around Wadi Barada, where the water supply of Damascus has been cut for "
    "several weeks, and humanitarian organisations called for unhindered access.",
    "Economic ties are recovering as well. Russian tour operators resumed flights to "
    "Antalya, and the TurkStream pipeline project, suspended after the 2015 crisis, "
    "received its final approvals from both parliaments.",
    "Military planners expect further joint sorties in the coming weeks. The Russian "
    "Defence Ministry said that its aircraft would continue to operate from the Hmeimim "
    "air base, while Turkish aircraft would fly from Incirlik.",
    "Diplomats will meet again in Geneva at the end of the month, where the United Nations "
    "special envoy hopes to bring the government and the opposition to the same table.",
]


def _wrap(text: str, width: float, metrics) -> list[str]:  # type: ignore[no-untyped-def]
    """Greedy line breaking; a long word that does not fit is hyphenated."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if metrics.horizontalAdvance(candidate) <= width:
            line = candidate
            continue
        if len(word) >= 8:
            for cut in range(len(word) - 3, 3, -1):
                head = f"{line} {word[:cut]}-".strip()
                if metrics.horizontalAdvance(head) <= width:
                    lines.append(head)
                    line, word = "", word[cut:]
                    break
        if line:
            lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def make_bulletin(path: Path) -> None:
    from PySide6.QtCore import QMarginsF, QPointF
    from PySide6.QtGui import QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle("Regional Security Review")
    writer.setCreator("Arcmark test samples")
    painter = QPainter(writer)
    body = QFont("DejaVu Serif", 19)
    small = QFont("DejaVu Sans", 8)
    metrics = QFontMetricsF(body, writer)
    rect = painter.viewport()
    gutter = 120
    col_w = (rect.width() - gutter) / 2
    line_h = metrics.lineSpacing()
    lines: list[str] = []
    for para in BULLETIN:
        lines += _wrap(para, col_w, metrics) + [""]
    top, bottom = 160, rect.height() - 160
    rows = int((bottom - top) // line_h)
    pages = [lines[i:i + 2 * rows] for i in range(0, len(lines), 2 * rows)]
    for number, page in enumerate(pages, 1):
        if number > 1:
            writer.newPage()
        painter.setFont(small)
        painter.drawText(QPointF(0, 60), HEADER)
        painter.drawText(QPointF(rect.width() - 400, rect.height() - 40), f"Page {number} of {len(pages)}")
        painter.setFont(body)
        left, right = page[:rows], page[rows:]
        for i in range(rows):  # row by row across both columns: the drawing order interleaves
            y = top + (i + 1) * line_h
            if i < len(left):
                painter.drawText(QPointF(0, y), left[i])
            if i < len(right):
                painter.drawText(QPointF(col_w + gutter, y), right[i])
    painter.end()


def make_scanned(path: Path) -> None:
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPdfWriter

    image = QImage(1200, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setFont(QFont("DejaVu Serif", 28))
    p.drawText(40, 120, "A scanned page: pixels only, no text layer.")
    p.end()
    writer = QPdfWriter(str(path))
    painter = QPainter(writer)
    painter.drawImage(painter.viewport().adjusted(0, 0, 0, -painter.viewport().height() // 2), image)
    painter.end()


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = "Briefing: Turkey and Russia"
    props.author = "Desk Analyst"
    props.created = datetime(2017, 1, 20, 9, 30, tzinfo=timezone.utc)
    document.sections[0].header.paragraphs[0].text = "INTERNAL \u2014 page header"
    document.add_heading("Briefing: Turkey and Russia", level=1)
    document.add_paragraph("Turkey and Russia launched joint air strikes near al-Bab, the "
                           "defence ministry in Moscow said on 18 January.")
    document.add_heading("Actors", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, (actor, role) in zip(table.rows, [("Actor", "Role"), ("Recep Tayyip Erdogan", "President of Turkey"),
                                               ("Sergei Rudskoi", "Russian General Staff")]):
        row.cells[0].text, row.cells[1].text = actor, role
    document.add_paragraph("Iran welcomed the coordination between Ankara and Moscow.")
    document.save(str(path))


def make_eml(path: Path) -> None:
    msg = EmailMessage()
    msg["Subject"] = "FW: Turkey fights alongside Russia and Iran"
    msg["From"] = "Desk Editor <desk@example.org>"
    msg["To"] = "analyst@example.org"
    msg["Date"] = format_datetime(datetime(2017, 1, 19, 14, 5, tzinfo=timezone.utc))
    msg.set_content("Forwarding the article.\n\nThe Russian Defence Ministry said on January 18 "
                    "that Russian and Turkish air forces launched a joint operation against "
                    "Islamic State militants holding the town of al-Bab.\n")
    msg.add_alternative("<html><body><p>Forwarding the article.</p><p>The Russian Defence "
                        "Ministry said on January 18 that Russian and Turkish air forces launched "
                        "a joint operation.</p><script>alert(1)</script></body></html>",
                        subtype="html")
    msg.add_attachment(b"%PDF-1.4\n% not imported\n", maintype="application", subtype="pdf",
                       filename="original-article.pdf")
    path.write_bytes(bytes(msg))


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # noqa: F841 - fonts need it
    OUT.mkdir(parents=True, exist_ok=True)
    make_bulletin(OUT / "bulletin-two-columns.pdf")
    make_scanned(OUT / "scanned.pdf")
    make_docx(OUT / "briefing.docx")
    make_eml(OUT / "forwarded-article.eml")
    print(f"wrote the samples to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
