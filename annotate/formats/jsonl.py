"""Arcmark JSONL: one Prodigy `rel.manual` task per document plus Arcmark's own fields.

Export writes `NAME.jsonl` with one record per line and the label schema beside it in
`NAME.schema.json` ({"arcmark": "schema", "version": 1, "schema": ...}). The schema is a
side file, not a header line, because Prodigy's `db-in` and other task readers take every
line as a task. The importer reads the side file when present and also understands (and
skips) such a header line inside the JSONL.

Each record: `text`; `meta` (title, source, status and the document's meta, for
Prodigy's card); `tokens` (blank English tokenizer); `spans` (start, end, label + id,
origin, status, annotator, created_at, updated_at, token_start, token_end); `relations`
(head_span/child_span, label + id, head_id, child_id, directed, confidence, note,
evidence_start/end, origin, status, annotator, created_at, updated_at, and Prodigy's
head/child = token index of each span's last token); `_arcmark` (version, document id,
content hash, title, source, status, the document meta, sentences, timestamps). Import
of that record gives back `to_annotated_records` of the exported document exactly.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from annotate.model import AnnotatedDocument, Entity, Relation
from annotate.schema import Schema
from annotate.tokens import blank_english

from . import _prodigy
from ._common import (
    Cancel,
    Cancelled,
    Exporter,
    ExportReport,
    FormatError,
    ImportBatch,
    Importer,
    Progress,
    atomic_file,
    counted,
)
from ._jsonlines import SCHEMA_MARK, read_records, schema_side_file

VERSION = 1
# one Prodigy token, as json.dumps writes the dict {"text", "start", "end", "id", "ws"}
_TOKEN = '{"text": %s, "start": %d, "end": %d, "id": %d, "ws": %s}'


def token_rows(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, whitespace follows) of each token: `annotate.tokens.tokenize` without
    a Python object per token (about 900 per news article; they dominated the export)."""
    from spacy.attrs import IDX, LENGTH, SPACY

    doc = blank_english().make_doc(text)
    if not len(doc):
        return []
    return [(s, s + n, bool(ws)) for s, n, ws in doc.to_array([IDX, LENGTH, SPACY]).tolist()]


def tokens_json(text: str, rows: Sequence[tuple[int, int, bool]]) -> str:
    """The `tokens` list as JSON, the same text `json.dumps` makes of the token dicts."""
    return "[" + ", ".join([
        _TOKEN % (encode_basestring(text[s:e]), s, e, i, "true" if ws else "false")
        for i, (s, e, ws) in enumerate(rows)]) + "]"


def _token_at(starts: Sequence[int], offset: int) -> int:
    """Index of the token containing `offset` (or the last one starting before it)."""
    return max(bisect_right(starts, offset) - 1, 0)


def span_dict(entity: Entity) -> dict[str, Any]:
    return {
        "start": entity.start, "end": entity.end, "label": entity.label, "id": entity.id,
        "origin": entity.origin, "status": entity.status, "annotator": entity.annotator,
        "created_at": entity.created_at or None, "updated_at": entity.updated_at or None,
    }


def relation_dict(relation: Relation, spans: dict[int, dict[str, Any]]) -> dict[str, Any]:
    head, child = spans[relation.head_id], spans[relation.tail_id]
    return {
        "head_span": {"start": head["start"], "end": head["end"], "label": head["label"]},
        "child_span": {"start": child["start"], "end": child["end"], "label": child["label"]},
        "label": relation.label, "id": relation.id, "head_id": relation.head_id,
        "child_id": relation.tail_id, "directed": relation.directed,
        "confidence": relation.confidence, "note": relation.note,
        "evidence_start": relation.evidence_start, "evidence_end": relation.evidence_end,
        "origin": relation.origin, "status": relation.status, "annotator": relation.annotator,
        "created_at": relation.created_at or None, "updated_at": relation.updated_at or None,
    }


def record(ad: AnnotatedDocument) -> dict[str, Any]:
    """The record of one document without what comes from the tokenizer: the stored rows
    (`task_line` adds the rest)."""
    doc = ad.document
    spans = {e.id: span_dict(e) for e in ad.entities}
    return {
        "text": doc.text,
        "meta": {**doc.meta, "title": doc.title, "source": doc.source, "status": doc.status},
        "spans": list(spans.values()),
        "relations": [relation_dict(r, spans) for r in ad.relations],
        "_arcmark": {
            "version": VERSION, "id": doc.id, "content_hash": doc.content_hash,
            "title": doc.title, "source": doc.source, "status": doc.status,
            "meta": doc.meta, "sentences": [list(s) for s in doc.sentences],
            "created_at": doc.created_at or None, "updated_at": doc.updated_at or None,
        },
    }


def task_line(ad: AnnotatedDocument) -> str:
    """The JSONL line of one document: `record` with the tokens after `meta`, each span's
    token indices and each relation's `head`/`child` (the token index of its span's last
    token). The tokens are written directly: the same text `json.dumps` makes of them."""
    rows = token_rows(ad.document.text)
    rec = _with_token_indices(record(ad), rows)
    head = json.dumps({"text": rec.pop("text"), "meta": rec.pop("meta")}, ensure_ascii=False,
                      allow_nan=False)
    tail = json.dumps(rec, ensure_ascii=False, allow_nan=False)
    return f'{head[:-1]}, "tokens": {tokens_json(ad.document.text, rows)}, {tail[1:]}'


def _with_token_indices(rec: dict[str, Any], rows: Sequence[tuple[int, int, bool]]
                        ) -> dict[str, Any]:
    starts = [s for s, _, _ in rows]
    for span in rec["spans"]:
        _add_token_span(span, starts)
    for rel in rec["relations"]:
        for key in ("head_span", "child_span"):
            _add_token_span(rel[key], starts)
        rel["head"] = rel["head_span"]["token_end"]
        rel["child"] = rel["child_span"]["token_end"]
    return rec


def _add_token_span(span: dict[str, Any], starts: Sequence[int]) -> None:
    span["token_start"] = _token_at(starts, span["start"])
    span["token_end"] = _token_at(starts, max(span["end"] - 1, span["start"]))


def lines(corpus: Iterable[AnnotatedDocument], report: ExportReport) -> Iterator[str]:
    """One JSON line per document, counting what goes out in `report`."""
    for ad in corpus:
        report.documents += 1
        report.entities += len(ad.entities)
        report.relations += len(ad.relations)
        try:
            line = task_line(ad)
        except ValueError:  # NaN or Infinity, from a store written by another program
            raise FormatError(f"document {ad.document.id}: its meta holds NaN or Infinity, "
                              "which JSON cannot carry (RFC 8259); nothing was written") from None
        yield line + "\n"


def schema_document(schema: Schema) -> dict[str, Any]:
    return {SCHEMA_MARK: "schema", "version": VERSION, "schema": schema.to_dict()}


def export_jsonl(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                 progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    report = ExportReport()
    side = schema_side_file(out)
    try:
        with atomic_file(out) as handle:
            for line in lines(counted(corpus, progress, cancelled), report):
                handle.write(line)
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    with atomic_file(side) as handle:
        json.dump(schema_document(schema), handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    report.files += [out, side]
    return report


def read_jsonl(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    """Our JSONL, Prodigy's or doccano's, told apart by the first record's keys."""
    from . import doccano

    def choose(obj: dict[str, Any]) -> Any:
        return doccano.parse_record if doccano.looks_like(obj) else _prodigy.parse_task

    yield read_records(path, schema, encoding, choose)


def read_prodigy(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    """Prodigy (or our) tasks only."""
    yield read_records(path, schema, encoding, lambda obj: _prodigy.parse_task)


EXPORTERS = (Exporter(name="jsonl", write=export_jsonl),)
IMPORTERS = (
    Importer(name="jsonl", suffixes=(".jsonl", ".json"), read=read_jsonl, order=1),
    Importer(name="prodigy", suffixes=(".jsonl", ".json"), read=read_prodigy, order=2),
)
