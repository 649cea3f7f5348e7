"""CSV export: a folder with `entities.csv` and `relations.csv`.

Written with the csv module (RFC 4180 quoting: fields with commas, quotes, tabs or line
breaks are quoted, quotes doubled; rows end with CRLF) in UTF-8 with a BOM, so Excel and
LibreOffice open non-ASCII text correctly and pandas/`csv` read it with
`encoding="utf-8-sig"`. Offsets are code points; times are ISO strings; empty cells
mean "none".

A spreadsheet runs a cell starting with "=", "+", "-" or "@" as a formula (and some read
one starting with a tab or a carriage return the same way): an entity text such as
`=HYPERLINK(...)` from someone else's file would run on the analyst's machine. So, as
OWASP advises against CSV injection (CWE-1236), every such text cell is written with a
leading "'", which spreadsheets show as text and do not keep in the value. The
`csv-raw` format writes every value exactly as stored, for programs that read CSV as data.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from annotate.model import AnnotatedDocument
from annotate.schema import Schema

from ._common import (
    Cancel,
    Cancelled,
    Exporter,
    ExportReport,
    Progress,
    atomic_folder,
    counted,
)

ENTITY_COLUMNS = (
    "document_id", "document_title", "entity_id", "text", "label", "start", "end", "status",
    "origin", "annotator", "created_at", "updated_at",
)
RELATION_COLUMNS = (
    "document_id", "document_title", "relation_id", "label", "directed", "head_id",
    "head_text", "head_label", "tail_id", "tail_text", "tail_label", "evidence_start",
    "evidence_end", "evidence", "confidence", "note", "status", "origin", "annotator",
    "created_at", "updated_at",
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    return "" if value is None else value


def neutralised(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row with each text cell a spreadsheet would run as a formula made inert."""
    return tuple("'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v
                 for v in row)


def entity_rows(ad: AnnotatedDocument) -> Iterator[tuple[Any, ...]]:
    doc = ad.document
    for e in ad.entities:
        yield tuple(_cell(v) for v in (
            doc.id, doc.title, e.id, doc.text[e.start:e.end], e.label, e.start, e.end,
            e.status, e.origin, e.annotator, e.created_at, e.updated_at))


def relation_rows(ad: AnnotatedDocument) -> Iterator[tuple[Any, ...]]:
    doc = ad.document
    entities = {e.id: e for e in ad.entities}
    for r in ad.relations:
        head, tail = entities[r.head_id], entities[r.tail_id]
        evidence = (doc.text[r.evidence_start:r.evidence_end]
                    if r.evidence_start is not None and r.evidence_end is not None else None)
        yield tuple(_cell(v) for v in (
            doc.id, doc.title, r.id, r.label, "yes" if r.directed else "no", head.id,
            doc.text[head.start:head.end], head.label, tail.id, doc.text[tail.start:tail.end],
            tail.label, r.evidence_start, r.evidence_end, evidence, r.confidence, r.note,
            r.status, r.origin, r.annotator, r.created_at, r.updated_at))


def export_csv(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
               progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    """The CSV folder with formula-like cells neutralised."""
    return _export(corpus, out, progress, cancelled, neutralised)


def export_csv_raw(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                   progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    """The CSV folder with every value exactly as stored."""
    return _export(corpus, out, progress, cancelled, lambda row: row)


def _export(corpus: Iterable[AnnotatedDocument], out: Path, progress: Progress,
            cancelled: Cancelled, cells: Callable[[tuple[Any, ...]], tuple[Any, ...]]
            ) -> ExportReport:
    report = ExportReport()
    try:
        with atomic_folder(out) as tmp:
            with (tmp / "entities.csv").open("w", encoding="utf-8-sig", newline="") as ef, \
                    (tmp / "relations.csv").open("w", encoding="utf-8-sig", newline="") as rf:
                entities, relations = csv.writer(ef), csv.writer(rf)
                entities.writerow(ENTITY_COLUMNS)
                relations.writerow(RELATION_COLUMNS)
                for ad in counted(corpus, progress, cancelled):
                    entities.writerows(map(cells, entity_rows(ad)))
                    relations.writerows(map(cells, relation_rows(ad)))
                    report.documents += 1
                    report.entities += len(ad.entities)
                    report.relations += len(ad.relations)
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    report.files += [out / "entities.csv", out / "relations.csv"]
    return report


EXPORTERS = (Exporter(name="csv", write=export_csv, folder=True),
             Exporter(name="csv-raw", write=export_csv_raw, folder=True))
