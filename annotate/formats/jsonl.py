"""Arcmark JSONL: Arcmark's own lossless record, one JSON object per document.

Export writes `NAME.jsonl` with one record per line and the label schema beside it in
`NAME.schema.json` ({"arcmark": "schema", "version": 1, "schema": ...}). The schema is a
side file, not a header line, because task readers take every line as a task. The
importer reads the side file when present and also understands (and skips) such a header
line inside the JSONL.

Each record: `text`; `meta` (title, source, status and the document's meta, which holds
the provenance kept from an import: Prodigy's hashes, answer and session, every source
file); `spans` (start, end, label, id, origin, status, annotator, created_at, updated_at;
code-point offsets); `relations` (head_id, child_id, label, id, directed, confidence,
note, evidence_start/end, origin, status, annotator, created_at, updated_at); `_arcmark`
(version, document id, content hash, title, source, status, the document meta, sentences,
timestamps). No tokens: Prodigy's task shape, with tokens and token indices, is the
`prodigy` format (`annotate.formats.prodigy`). Import of a record gives back
`to_annotated_records` of the exported document exactly.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotate.model import AnnotatedDocument, Entity, Relation
from annotate.schema import Schema

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


def span_dict(entity: Entity) -> dict[str, Any]:
    return {
        "start": entity.start, "end": entity.end, "label": entity.label, "id": entity.id,
        "origin": entity.origin, "status": entity.status, "annotator": entity.annotator,
        "created_at": entity.created_at or None, "updated_at": entity.updated_at or None,
    }


def relation_dict(relation: Relation) -> dict[str, Any]:
    return {
        "label": relation.label, "id": relation.id, "head_id": relation.head_id,
        "child_id": relation.tail_id, "directed": relation.directed,
        "confidence": relation.confidence, "note": relation.note,
        "evidence_start": relation.evidence_start, "evidence_end": relation.evidence_end,
        "origin": relation.origin, "status": relation.status, "annotator": relation.annotator,
        "created_at": relation.created_at or None, "updated_at": relation.updated_at or None,
    }


def record(ad: AnnotatedDocument) -> dict[str, Any]:
    """The record of one document: its stored rows."""
    doc = ad.document
    return {
        "text": doc.text,
        "meta": {**doc.meta, "title": doc.title, "source": doc.source, "status": doc.status},
        "spans": [span_dict(e) for e in ad.entities],
        "relations": [relation_dict(r) for r in ad.relations],
        "_arcmark": {
            "version": VERSION, "id": doc.id, "content_hash": doc.content_hash,
            "title": doc.title, "source": doc.source, "status": doc.status,
            "meta": doc.meta, "sentences": [list(s) for s in doc.sentences],
            "created_at": doc.created_at or None, "updated_at": doc.updated_at or None,
        },
    }


def lines(corpus: Iterable[AnnotatedDocument], report: ExportReport) -> Iterator[str]:
    """One JSON line per document, counting what goes out in `report`."""
    for ad in corpus:
        report.documents += 1
        report.entities += len(ad.entities)
        report.relations += len(ad.relations)
        try:
            line = json.dumps(record(ad), ensure_ascii=False, allow_nan=False)
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
    """Our JSONL, Prodigy's, doccano's or Label Studio's, told apart by the first record's
    keys."""
    from . import doccano, labelstudio

    def choose(obj: dict[str, Any]) -> Any:
        if labelstudio.looks_like(obj):
            return labelstudio.parse_task
        return doccano.parse_record if doccano.looks_like(obj) else _prodigy.parse_task

    yield read_records(path, schema, encoding, choose)


EXPORTERS = (Exporter(name="jsonl", write=export_jsonl),)
IMPORTERS = (
    Importer(name="jsonl", suffixes=(".jsonl", ".json"), read=read_jsonl, order=1),
)
