"""The annotated report (HTML, PDF, SVG) of a stored document, drawn by the window's view:
self-contained and escaped HTML, a PDF pypdf reads back, valid SVG naming the labels."""
from __future__ import annotations

import html
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from annotate.corpus_io import import_path
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.report import build_report, report_html
from tests.conftest import ROOT

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"
HOSTILE_TITLE = '<script>alert("t")</script> & "quotes" <img src=x onerror=alert(1)>'
HOSTILE_TEXT = ("Russia <b>and</b> Turkey met in <a href='http://evil.example'>Ankara</a> "
                "</svg><script>alert(2)</script> on Friday.")


@pytest.fixture
def example(session):
    report = import_path(session, EXAMPLE)
    (doc_id,) = report.result.documents_added
    return session, doc_id


@pytest.fixture
def hostile(session):
    """A document whose title, text, labels' note and meta are all markup."""
    record = DocumentRecord(
        text=HOSTILE_TEXT, title=HOSTILE_TITLE, meta={"url": "javascript:alert(3)",
                                                      "author": "<i>Mallory</i>"},
        entities=(EntityRecord(0, 6, "GPE"), EntityRecord(18, 24, "GPE")),
        relations=(RelationRecord(0, 1, "ALLY_OF", directed=False, note="</td><script>x</script>",
                                  evidence_start=0, evidence_end=len(HOSTILE_TEXT)),))
    (doc_id,) = session.import_records([record]).documents_added
    return session, doc_id


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def _write(qapp, session, doc_id, out: Path) -> str:
    from ui.reader.report_render import write_report

    return write_report(build_report(session, doc_id), session.schema, out)


def test_html_report_is_one_self_contained_page(qapp, example, tmp_path):
    """No script, no stylesheet or image to fetch, no link to follow: one file holds it all."""
    session, doc_id = example
    _write(qapp, session, doc_id, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    parsed = _parse(page)
    names = {tag for tag, _ in parsed.tags}
    assert "script" not in names and "iframe" not in names and "link" not in names
    assert "svg" in names and "table" in names
    for tag, attrs in parsed.tags:
        for key in ("src", "href", "xlink:href"):
            value = attrs.get(key)
            assert value is None or value.startswith(("data:", "#")), (tag, key, value)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
    text = "".join(parsed.text)
    assert "Turkey fights alongside Russia and Iran" in text
    assert "ALLY_OF" in text and "GPE" in text  # legend and relations table
    assert "About the document" in text


def test_html_report_lists_relations_with_evidence_confidence_and_note(qapp, example, tmp_path):
    """Every shown relation is a table row with head, label, tail, evidence, confidence, note."""
    session, doc_id = example
    report = build_report(session, doc_id)
    _write(qapp, session, doc_id, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert len(report.rows) == len([r for r in session.relations(doc_id) if r.status != "rejected"])
    noted = next(r for r in report.rows if r.note)
    assert f"<td>{html.escape(noted.note)}</td>" in page
    assert any(r.confidence for r in report.rows) and any(r.evidence for r in report.rows)
    assert page.count("<tr>") == len(report.rows) + 1 + len(report.meta)


def test_hostile_title_text_and_notes_are_escaped(qapp, hostile, tmp_path):
    """Markup in the title, the text, a note or the metadata is shown as text, never run."""
    session, doc_id = hostile
    _write(qapp, session, doc_id, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    parsed = _parse(page)
    assert not [t for t, _ in parsed.tags if t in ("script", "img", "a", "i", "b")]
    text = "".join(parsed.text)
    assert HOSTILE_TITLE in text and "</td><script>x</script>" in text
    assert "<i>Mallory</i>" in text and "javascript:alert(3)" in text
    assert "&lt;script&gt;" in page


def test_html_refuses_a_drawing_with_active_content(example):
    """The page builder refuses an SVG holding a script (defence in depth)."""
    session, doc_id = example
    with pytest.raises(ValueError):
        report_html(build_report(session, doc_id), "<svg><script>alert(1)</script></svg>")


def test_pdf_report_reads_back_with_text_labels_and_tables(qapp, example, tmp_path):
    """pypdf reads the PDF: the document's text, the arcs' labels, the relations and metadata."""
    from pypdf import PdfReader

    session, doc_id = example
    line = _write(qapp, session, doc_id, tmp_path / "r.pdf")
    reader = PdfReader(tmp_path / "r.pdf")
    pages = len(reader.pages)
    assert line == f"wrote {tmp_path / 'r.pdf'} ({pages} pages)" and pages >= 3
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "The Russian Defence Ministry said on January 18" in text
    assert "FIGHTS_AGAINST" in text and "Relations" in text and "About the document" in text
    assert reader.metadata.title == "Turkey fights alongside Russia and Iran – unthinkable a short while ago"


def test_svg_report_is_valid_xml_with_the_labels(qapp, example, tmp_path):
    """The SVG parses as XML and carries the text, the legend and the arc labels as text."""
    session, doc_id = example
    _write(qapp, session, doc_id, tmp_path / "r.svg")
    root = ElementTree.parse(tmp_path / "r.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    words = " ".join(t.strip() for t in root.itertext() if t.strip())
    for needed in ("ALLY_OF", "SUPPORTS", "GPE", "Erdogan", "Relations"):
        assert needed in words
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


def test_report_leaves_rejected_entities_and_relations_out(example):
    """What the analyst rejected is not reported, as the window does not show it."""
    session, doc_id = example
    first = session.relations(doc_id)[0]
    session.reject_entity(first.head_id)
    report = build_report(session, doc_id)
    assert first.head_id not in {e.id for e in report.entities}
    assert first.id not in {r.id for r in report.relations}
    assert all(first.head_id not in (r.head_id, r.tail_id) for r in report.relations)


def test_report_command_writes_each_format_and_refuses_bad_input(tmp_path):
    """main.py report: html/pdf/svg written; an unknown id or suffix is one line and exit 1."""
    db = tmp_path / "c.db"
    main = [sys.executable, str(ROOT / "main.py")]

    def run(*args):
        return subprocess.run(main + list(args), capture_output=True, text=True, cwd=ROOT,
                              timeout=300)

    assert run("import", "--db", str(db), str(EXAMPLE)).returncode == 0
    for suffix in ("html", "pdf", "svg"):
        done = run("report", "--db", str(db), "--doc", "1", "--out", str(tmp_path / f"r.{suffix}"))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / f"r.{suffix}").stat().st_size > 1000
    missing = run("report", "--db", str(db), "--doc", "99", "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode == 1 and missing.stderr.strip() == "arcmark: no document 99"
    wrong = run("report", "--db", str(db), "--doc", "1", "--out", str(tmp_path / "x.docx"))
    assert wrong.returncode == 1 and wrong.stderr.strip() == \
        "arcmark: x.docx: a report is .html, .pdf or .svg"
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.docx").exists()
