"""The annotated report of one document: plain data, and its self-contained HTML page.

A report is for a reader who has no Arcmark: the document as the window draws it
(highlights, relation arcs; drawn by `ui/`, which hands in that picture as SVG), a
legend of the labels it uses, a table of its relations with their evidence,
confidence and note, and the document's metadata. Rejected entities and relations are
left out, as the window leaves them out by default.

The HTML page is one file with nothing outside it: styles inline, the drawing as
inline SVG, no scripts, no links to load; every text from the store (title, metadata,
labels, notes, the document's own text) is escaped.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from annotate.model import Document, Entity, Relation
from annotate.session import Session

REPORT_SUFFIXES = (".html", ".pdf", ".svg")
_META_ORDER = ("title", "author", "date", "site", "url", "file_name", "format", "pages", "to",
               "attachments")


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    count: int
    kind: str  # "entity" or "relation"


@dataclass(frozen=True)
class RelationRow:
    number: int
    head: str
    label: str
    tail: str
    directed: bool
    evidence: str
    confidence: str
    note: str
    status: str


@dataclass
class Report:
    """Everything a report shows besides the drawing, as plain text."""

    document: Document
    entities: list[Entity]
    relations: list[Relation]
    legend: list[LegendItem] = field(default_factory=list)
    rows: list[RelationRow] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.document.title or f"Document {self.document.id}"


def build_report(session: Session, doc_id: int) -> Report:
    """The report of a stored document (a missing id is a ValidationError)."""
    document = session.document(doc_id)
    entities = [e for e in session.entities(doc_id) if e.status != "rejected"]
    shown = {e.id for e in entities}
    relations = [r for r in session.relations(doc_id)
                 if r.status != "rejected" and r.head_id in shown and r.tail_id in shown]
    report = Report(document, entities, relations)
    report.legend = _legend(session, entities, relations)
    report.rows = _rows(document, entities, relations)
    report.meta = metadata_rows(document)
    return report


def _legend(session: Session, entities: list[Entity], relations: list[Relation]) -> list[LegendItem]:
    schema = session.schema
    items = []
    for label in schema.entity_labels:
        n = sum(e.label == label.name for e in entities)
        if n:
            items.append(LegendItem(label.name, label.colour, n, "entity"))
    for label in schema.relation_labels:
        n = sum(r.label == label.name for r in relations)
        if n:
            items.append(LegendItem(label.name, label.colour, n, "relation"))
    return items


def _rows(document: Document, entities: list[Entity], relations: list[Relation]) -> list[RelationRow]:
    by_id = {e.id: e for e in entities}
    ordered = sorted(relations, key=lambda r: (min(by_id[r.head_id].start, by_id[r.tail_id].start),
                                               r.id))
    rows = []
    for n, r in enumerate(ordered, 1):
        evidence = ""
        if r.evidence_start is not None and r.evidence_end is not None:
            evidence = " ".join(document.text[r.evidence_start:r.evidence_end].split())
        rows.append(RelationRow(n, by_id[r.head_id].text, r.label, by_id[r.tail_id].text,
                                r.directed, evidence, r.confidence or "", r.note or "", r.status))
    return rows


def metadata_rows(document: Document) -> list[tuple[str, str]]:
    """(name, value) pairs of what is known about the document's source."""
    meta = dict(document.meta)
    rows: list[tuple[str, str]] = []
    for key in _META_ORDER + tuple(sorted(k for k in meta if k not in _META_ORDER)):
        value = meta.get(key)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, (list, tuple)):
            value = "; ".join(map(str, value))
        rows.append((key.replace("_", " "), str(value)))
    if document.source and "file_name" not in meta:
        rows.append(("source", document.source))
    rows.append(("status", document.status))
    rows.append(("length", f"{len(document.text):,} characters"))
    return rows


# --- the HTML page -----------------------------------------------------------------------------

_STYLE = """
body{font-family:sans-serif;color:#1f2328;background:#fff;margin:2em auto;max-width:60em;
line-height:1.45;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.6em}
.legend>span{display:inline-block;margin:0 .9em .4em 0}
.chip{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;
margin-right:.3em;border:1px solid rgba(0,0,0,.25)}
.drawing svg{max-width:100%;height:auto;border:1px solid #e3e3e3}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f3f4f6}
"""
_SVG_ACTIVE = ("script", "foreignobject", "iframe", "animate", "set", "handler")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _safe_colour(value: str) -> str:
    return value if re.fullmatch(r"#[0-9a-fA-F]{3,8}", value or "") else "#cccccc"


def report_html(report: Report, drawing_svg: str) -> str:
    """The report as one HTML page; `drawing_svg` is the document drawn as the window does."""
    _check_drawing(drawing_svg)
    svg = _XML_DECL.sub("", drawing_svg)
    legend = "".join(
        f'<span><span class="chip" style="background:{_safe_colour(item.colour)}"></span>'
        f'{_e(item.label)} ({item.count})</span>' for item in report.legend) \
        or "<span>No annotations.</span>"
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{_e(report.title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        f"<h1>{_e(report.title)}</h1>",
        f'<div class="legend">{legend}</div>',
        f'<div class="drawing">{svg}</div>',
        "<h2>Relations</h2>", relations_table(report),
        "<h2>About the document</h2>", metadata_table(report),
        "</body>", "</html>", ""])


def _check_drawing(svg: str) -> None:
    """Refuse a drawing that could run or fetch anything (the drawing is ours: defence in depth)."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(svg.encode("utf-8"))
    except ElementTree.ParseError as exc:
        raise ValueError(f"the drawing is not valid SVG ({exc})") from None
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _SVG_ACTIVE:
            raise ValueError(f"the drawing holds active content (<{name}>)")
        for key, value in element.attrib.items():
            key = key.rsplit("}", 1)[-1].lower()
            if key.startswith("on") or (key == "href" and not value.startswith(("data:", "#"))):
                raise ValueError(f"the drawing holds active content ({key}=)")


def relations_table(report: Report) -> str:
    """The relations as an HTML table (also what the PDF and SVG reports lay out)."""
    if not report.rows:
        return "<p>No relations.</p>"
    head = "".join(f'<th width="{w}%">{h}</th>' for h, w in
                   (("#", 4), ("Head", 12), ("Relation", 15), ("Tail", 11), ("Evidence", 31),
                    ("Confidence", 12), ("Note", 15)))
    body = "".join(
        f"<tr><td>{r.number}</td><td>{_e(r.head)}</td>"
        f"<td>{_e(r.label)}{' →' if r.directed else ' ↔'}</td><td>{_e(r.tail)}</td>"
        f"<td>{_e(r.evidence)}</td><td>{_e(r.confidence)}</td><td>{_e(r.note)}</td></tr>"
        for r in report.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def metadata_table(report: Report) -> str:
    """The document's metadata as an HTML table."""
    body = "".join(f'<tr><th width="22%">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in report.meta)
    return f"<table><tbody>{body}</tbody></table>"
