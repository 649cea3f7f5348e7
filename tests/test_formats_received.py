"""Received documents (web page, PDF, Word, e-mail): real files import with their main text
and metadata, page furniture absent; hostile and broken files give one line and store nothing."""
from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from annotate.corpus_io import import_path
from annotate.formats import importer_names, read_path
from annotate.formats import _received
from annotate.schema import load_schema
from tests.conftest import ROOT

SCHEMA = load_schema()
DATA = ROOT / "tests" / "data" / "reader"


def _record(path: Path):
    (batch,) = list(read_path(path, schema=SCHEMA))
    assert batch.error is None, batch.error
    (record,) = batch.records
    return record


def _error(path: Path) -> str:
    (batch,) = list(read_path(path, schema=SCHEMA))
    assert batch.records == () and batch.error
    assert "\n" not in batch.error
    return batch.error


def _rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, title, text FROM documents ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_received_formats_are_registered():
    """html, pdf, docx and eml are import formats next to the interchange ones."""
    assert importer_names()[-4:] == ["html", "pdf", "docx", "eml"]


def test_saved_news_page_gives_the_article_and_its_metadata():
    """The Herald Sun page: headline first, article paragraphs, byline/date/URL in meta."""
    rec = _record(DATA / "herald-sun-surveillance.html")
    assert rec.title == "Angry media won’t buckle over new surveillance laws"
    assert rec.text.startswith("Angry media won’t buckle over new surveillance laws\n\nA HIGH-powered")
    assert "Justin Bassi, who advises Attorney-General George Brandis" in rec.text
    assert "Memories of the grief Conroy brought down on his head" in rec.text
    assert rec.meta == {
        "file_name": "herald-sun-surveillance.html", "format": "html",
        "title": "Angry media won’t buckle over new surveillance laws",
        "url": "http://www.heraldsun.com.au/news/opinion/angry-media-wont-buckle-over-new-"
               "surveillance-laws/story-fni0fha6-1227261886014",
        "author": "Laurie Oakes", "date": "2015-03-13", "site": "HeraldSun"}
    assert rec.source == str(DATA / "herald-sun-surveillance.html")


@pytest.mark.parametrize("furniture", [
    "Breaking News", "Horoscopes", "Forgot your password", "Remember me", "Most Popular Stories",
    "Wife’s fury", "Privacy Policy", "Back To Top", "Copyright Herald", "utag_data", "Read more",
    "Login using your", "Desktop Site",
])
def test_saved_news_page_leaves_the_furniture_out(furniture):
    """Menus, login forms, popular-story lists, footers and scripts are not in the text."""
    assert furniture not in _record(DATA / "herald-sun-surveillance.html").text


def test_spanish_news_page_gives_the_column_without_menus_ads_or_rankings():
    """La Nación: the opinion column with its accents intact, metadata, and none of the menus,
    dollar box, comment rules, "most read" ranking or footer."""
    rec = _record(DATA / "la-nacion-mapuche.html")
    assert rec.title == "Una solución no violenta para la cuestión mapuche"
    assert rec.text.startswith("Una solución no violenta para la cuestión mapuche\n\nAbdullah Ocalan, "
                               "el líder independentista kurdo, desembarcó en Italia")
    assert rec.text.endswith("Martín Schapiro es abogado administrativista y analista internacional")
    assert rec.meta == {
        "file_name": "la-nacion-mapuche.html", "format": "html",
        "title": "Una solución no violenta para la cuestión mapuche",
        "url": "http://www.lanacion.com.ar/2089096-una-solucion-no-violenta-para-la-cuestion-mapuche",
        "date": "2017-12-07", "site": "LA NACION"}
    for furniture in ("Horóscopo", "Sudoku", "Las más leídas", "Jerusalén", "Enviá tu comentario",
                      "Copyright 2017", "Suscribite", "Dólar", "Recibí por mail", "_gaq"):
        assert furniture not in rec.text


def test_article_paragraphs_are_separated_by_one_blank_line():
    """Paragraphs read as paragraphs: one blank line between them, no runs of blank lines."""
    text = _record(DATA / "herald-sun-surveillance.html").text
    assert "\n\n\n" not in text and "\r" not in text
    assert "It failed.\n\nThe roadshow featured" in text


def test_hostile_page_imports_as_text_only(tmp_path):
    """Scripts, iframes, objects, styles and a huge inline image leave only the page's text."""
    page = tmp_path / "hostile.html"
    image = "data:image/png;base64," + "iVBORw0KGgo" * 200_000
    page.write_text(
        "<!-- saved from url=(0027)https://example.org/hostile -->"
        "<html><head><title>Evil &lt;b&gt;title</title><style>p{color:red}</style>"
        "<script>alert('pwned')</script></head><body>"
        "<iframe src='https://evil.example/'>frame fallback</iframe>"
        "<object data='x.swf'>object fallback</object><embed src='y.swf'>"
        "<p>Turkey and Russia signed an air defence deal in Ankara on Friday.</p>"
        f"<img src='{image}' onerror='alert(1)'>"
        "<p>The <b>S-400</b> batteries arrive in &lt;2019&gt; &amp; later.</p>"
        "<script>document.write('<p>injected</p>')</script></body></html>", encoding="utf-8")
    rec = _record(page)
    assert "Turkey and Russia signed an air defence deal in Ankara on Friday." in rec.text
    assert "The S-400 batteries arrive in <2019> & later." in rec.text
    for code in ("alert", "pwned", "document.write", "injected", "iVBOR", "data:image", "fallback",
                 "color:red", "<b>S-400", "<p>", "onerror"):
        assert code not in rec.text
    assert rec.title == "Evil <b>title"  # the page's characters, kept as text (never markup)
    assert rec.meta["url"] == "https://example.org/hostile"


def test_page_without_an_article_keeps_its_text_and_says_so(tmp_path):
    """A bare page with a short note is imported whole, with a note that no article was found."""
    page = tmp_path / "note.html"
    page.write_text("<html><body><div>Erdogan met Putin.</div></body></html>", encoding="utf-8")
    (batch,) = list(read_path(page, schema=SCHEMA))
    assert "Erdogan met Putin." in batch.records[0].text
    assert any("no article found" in n for n in batch.notes) or batch.records[0].text == \
        "Erdogan met Putin."


def test_two_column_pdf_reads_in_order_without_header_footer_or_hyphens():
    """The bulletin: columns read left then right, running header and page numbers gone,
    words hyphenated at line ends joined, paragraphs kept."""
    rec = _record(DATA / "bulletin-two-columns.pdf")
    text = rec.text
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Ankara and Moscow agree on joint air operations"
    assert paragraphs[1].startswith("The defence ministries of Turkey and Russia announced")
    assert paragraphs[1].endswith("between the general staffs in Ankara and Moscow.")
    assert paragraphs[-1] == ("Diplomats will meet again in Geneva at the end of the month, where "
                              "the United Nations special envoy hopes to bring the government "
                              "and the opposition to the same table.")
    assert len(paragraphs) == 8
    assert "Regional Security Review" not in text and "Page 1" not in text and "of 2" not in text
    assert "announcement" in text and "intelligence sharing" in text and "-\n" not in text
    assert "\ufb01" not in text and "first joint operation" in text
    assert rec.title == "Regional Security Review"
    assert rec.meta["pages"] == 2 and rec.meta["format"] == "pdf"
    assert rec.meta["file_name"] == "bulletin-two-columns.pdf" and rec.meta["date"][:2] == "20"


def test_plain_pdf_extraction_would_interleave_the_columns():
    """The sample is a real test: its drawing order mixes the two columns line by line."""
    from pypdf import PdfReader

    raw = " ".join(PdfReader(DATA / "bulletin-two-columns.pdf").pages[0].extract_text().split())
    assert "The defence ministries of Turkey and Russia announced" not in raw


def test_scanned_pdf_is_refused_with_one_line():
    """A PDF of pixels only says so and what to do."""
    assert _error(DATA / "scanned.pdf") == \
        "scanned.pdf: no text layer (a scanned PDF?); run OCR on it first"


def test_encrypted_pdf_is_refused_unless_it_opens_without_a_password(tmp_path):
    """A user password means one line; an owner-only password (print/copy rights) still reads."""
    from pypdf import PdfWriter

    for name, user in (("locked.pdf", "secret"), ("rights.pdf", "")):
        writer = PdfWriter(clone_from=DATA / "bulletin-two-columns.pdf")
        writer.encrypt(user, owner_password="owner", algorithm="RC4-128")
        with open(tmp_path / name, "wb") as out:
            writer.write(out)
    assert _error(tmp_path / "locked.pdf") == \
        "locked.pdf: encrypted PDF; save a copy without a password and import that"
    assert "Ankara and Moscow agree" in _record(tmp_path / "rights.pdf").text


def test_docx_gives_paragraphs_headings_tables_and_core_properties():
    """The briefing: headings and paragraphs in order, table rows as lines, header left out."""
    rec = _record(DATA / "briefing.docx")
    assert rec.text == (
        "Briefing: Turkey and Russia\n\n"
        "Turkey and Russia launched joint air strikes near al-Bab, the defence ministry in "
        "Moscow said on 18 January.\n\nActors\n\n"
        "Actor\tRole\nRecep Tayyip Erdogan\tPresident of Turkey\n"
        "Sergei Rudskoi\tRussian General Staff\n\n"
        "Iran welcomed the coordination between Ankara and Moscow.")
    assert rec.meta == {"file_name": "briefing.docx", "format": "docx",
                        "title": "Briefing: Turkey and Russia", "author": "Desk Analyst",
                        "date": "2017-01-20T09:30:00+00:00"}


def test_docx_decompression_bomb_is_refused_unread(tmp_path):
    """A zip member that inflates hundreds of times is refused before python-docx opens it."""
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * 50_000_000 + b">")
    assert "inflates" in _error(bomb) and _error(bomb).startswith("bomb.docx: word/document.xml")


def test_old_doc_and_non_word_zip_are_one_line(tmp_path):
    """A binary .doc renamed .docx and a zip without a document each give one clear line."""
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("hello.txt", "hi")
    (tmp_path / "other.docx").write_bytes(buf.getvalue())
    assert "is it an old .doc?" in _error(tmp_path / "old.docx")
    assert _error(tmp_path / "other.docx") == \
        "other.docx: not a Word document (no word/document.xml in the archive)"


def test_eml_prefers_the_plain_body_and_lists_attachments():
    """The forwarded article: plain body, subject/sender/date in meta, attachment named only."""
    rec = _record(DATA / "forwarded-article.eml")
    assert rec.text == ("Forwarding the article.\n\nThe Russian Defence Ministry said on "
                        "January 18 that Russian and Turkish air forces launched a joint "
                        "operation against Islamic State militants holding the town of al-Bab.")
    assert rec.title == "FW: Turkey fights alongside Russia and Iran"
    assert rec.meta == {
        "file_name": "forwarded-article.eml", "format": "eml",
        "title": "FW: Turkey fights alongside Russia and Iran",
        "author": "Desk Editor <desk@example.org>", "to": "analyst@example.org",
        "date": "2017-01-19T14:05:00+00:00",
        "attachments": ["original-article.pdf (application/pdf, 24 bytes)"]}


def test_eml_with_html_body_only_goes_through_the_page_extractor(tmp_path):
    """An HTML-only message is read like a web page: text, no script, no markup."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"], msg["From"] = "News", "a@example.org"
    msg.set_content("<html><body><p>Iran joined the talks in Astana.</p>"
                    "<script>steal()</script></body></html>", subtype="html")
    path = tmp_path / "html-only.eml"
    path.write_bytes(bytes(msg))
    text = _record(path).text
    assert "Iran joined the talks in Astana." in text and "steal" not in text and "<" not in text


def test_oversized_file_is_refused_unread(tmp_path, monkeypatch):
    """A file over the size bound is one line naming the bound."""
    monkeypatch.setattr(_received, "MAX_SOURCE_BYTES", 1024 * 1024)
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * (2 * 1024 * 1024) + b"</p>")
    assert _error(big) == "big.html: too large (2 MB; at most 1 MB)"


def test_folder_import_takes_the_received_formats_and_reports_the_bad_one(session, tmp_path):
    """A folder of received files: every good one stored, the scan reported, nothing else lost."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("herald-sun-surveillance.html", "bulletin-two-columns.pdf", "briefing.docx",
                 "forwarded-article.eml", "scanned.pdf"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    report = import_path(session, folder)
    assert len(report.files_ok) == 4
    assert report.errors == ["scanned.pdf: no text layer (a scanned PDF?); run OCR on it first"]
    metas = [session.document(i).meta for i in report.result.documents_added]
    assert sorted(m["format"] for m in metas) == ["docx", "eml", "html", "pdf"]


def test_cli_imports_a_page_and_refuses_a_broken_pdf_leaving_the_store_unchanged(tmp_path):
    """main.py import: a good page is stored; a broken PDF is one stderr line, exit 1, no change."""
    db = tmp_path / "c.db"
    ok = subprocess.run([sys.executable, str(ROOT / "main.py"), "import", "--db", str(db),
                         str(DATA / "herald-sun-surveillance.html")], capture_output=True,
                        text=True, cwd=ROOT, timeout=300)
    assert ok.returncode == 0, ok.stderr
    before = _rows(db)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer")
    bad = subprocess.run([sys.executable, str(ROOT / "main.py"), "import", "--db", str(db),
                          str(broken)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        line for line in bad.stderr.strip().splitlines() if line.startswith("arcmark: broken.pdf: ")]
    assert "Traceback" not in bad.stderr and _rows(db) == before and len(before) == 1
