"""doccano JSONL import and export.

Two shapes: the relation project's {"text", "entities": [{"id", "label", "start_offset",
"end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]} and the older sequence
labelling {"text", "label": [[start, end, "LABEL"], ...]}. doccano files carry no schema:
labels the store lacks join it (see `read_path`). Other keys (id, comments, document-level
labels) go into the document's meta; a `user` names who annotated the record. A record
with both `entities` and a `label` list of spans keeps the spans of both (relations refer
to `entities` by id).

Export writes the relation project's shape, which doccano's own import reads: one record
per document (one per annotation layer when analysts annotated it separately, each with
its `user`), the accepted entities and the accepted relations between them, with the
document's meta as the record's other keys (as doccano's export does).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotate.model import AnnotatedDocument, DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import Schema

from ._common import (
    Cancel,
    Cancelled,
    Exporter,
    ExportReport,
    ImportBatch,
    Importer,
    Progress,
    atomic_file,
    counted,
    RecordError,
    check_entity_label,
    check_offsets,
    check_relation_label,
    relation_kind,
    title_from_text,
)
from ._jsonlines import read_records
from ._records import layers

_OWN_KEYS = {"text", "entities", "relations", "label", "user"}


def looks_like(obj: dict[str, Any]) -> bool:
    """Whether a JSON record is doccano's rather than a Prodigy task."""
    if "spans" in obj or "tokens" in obj or "_arcmark" in obj:
        return False
    entities = obj.get("entities")
    return (isinstance(entities, list) and all(isinstance(e, dict) and "start_offset" in e
                                               for e in entities)) or "label" in obj


def parse_record(obj: dict[str, Any], schema: Schema, declared: Schema | None) -> DocumentRecord:
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise RecordError("no text")
    meta = {k: v for k, v in obj.items() if k not in _OWN_KEYS}
    entities, relations = _old_labels(obj.get("label") or [], text, schema, declared, meta)
    if "entities" in obj:  # a record may carry both shapes: the spans of both are kept
        found, ids = _entities(obj["entities"], text, schema, declared)
        relations = _relations(obj.get("relations") or [], ids, schema, declared)
        seen = {(e.start, e.end, e.label) for e in found}
        entities = found + tuple(e for e in entities if (e.start, e.end, e.label) not in seen)
    user = obj.get("user")
    if isinstance(user, (str, int)) and not isinstance(user, bool) and str(user):
        entities = tuple(_by(e, str(user)) for e in entities)
        relations = tuple(_by(r, str(user)) for r in relations)
    return DocumentRecord(text=text, title=title_from_text(text, "untitled"), meta=meta,
                          entities=entities, relations=relations)


def _by(annotation: Any, user: str) -> Any:
    from dataclasses import replace

    return replace(annotation, annotator=user)


def _entities(items: object, text: str, schema: Schema, declared: Schema | None
              ) -> tuple[tuple[EntityRecord, ...], dict[Any, int]]:
    if not isinstance(items, list):
        raise RecordError("entities is not a list")
    entities, ids = [], {}
    for item in items:
        if not isinstance(item, dict):
            raise RecordError("an entity is not an object")
        start, end = check_offsets(item.get("start_offset"), item.get("end_offset"), len(text))
        check_entity_label(item.get("label"), schema, declared)
        ids.setdefault(item.get("id"), len(entities))
        entities.append(EntityRecord(start, end, item["label"]))
    return tuple(entities), ids


def _relations(items: object, ids: dict[Any, int], schema: Schema, declared: Schema | None
               ) -> tuple[RelationRecord, ...]:
    if not isinstance(items, list):
        raise RecordError("relations is not a list")
    relations = []
    for item in items:
        if not isinstance(item, dict):
            raise RecordError("a relation is not an object")
        if item.get("from_id") not in ids or item.get("to_id") not in ids:
            raise RecordError("relation refers to a missing span")
        label = item.get("type")
        check_relation_label(label, schema, declared)
        directed = relation_kind(label, schema, declared) == "directed"
        relations.append(RelationRecord(ids[item["from_id"]], ids[item["to_id"]], label, directed))
    return tuple(relations)


def _old_labels(items: object, text: str, schema: Schema, declared: Schema | None,
                meta: dict[str, Any]) -> tuple[tuple[EntityRecord, ...], tuple[()]]:
    if not isinstance(items, list):
        raise RecordError("label is not a list")
    if all(isinstance(i, str) for i in items):  # a text classification project
        if items:
            meta["labels"] = items
        return (), ()
    entities = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 3):
            raise RecordError(f"label item {item!r} is not [start, end, label]")
        start, end = check_offsets(item[0], item[1], len(text))
        check_entity_label(item[2], schema, declared)
        entities.append(EntityRecord(start, end, item[2]))
    return tuple(entities), ()


def read_doccano(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    yield read_records(path, schema, encoding, lambda obj: parse_record)


# --- export ---------------------------------------------------------------------------------

_NOT_META = ("sources", "prodigy", "brat")  # Arcmark's provenance, not doccano columns


def doccano_record(ad: AnnotatedDocument, report: ExportReport, user: str | None = None
                   ) -> dict[str, Any]:
    """The relation project's record of one document (or one of its layers)."""
    entities = [e for e in ad.entities if e.status == "accepted"]
    report.note(len(ad.entities) - len(entities),
                "suggested or rejected entities not written (doccano has no status)")
    index = {e.id: i for i, e in enumerate(entities)}
    relations = [r for r in ad.relations
                 if r.status == "accepted" and r.head_id in index and r.tail_id in index]
    report.note(len(ad.relations) - len(relations),
                "relations not written (suggested, rejected or between entities not written)")
    report.entities += len(entities)
    report.relations += len(relations)
    meta = {k: v for k, v in ad.document.meta.items() if k not in _NOT_META and k not in _OWN_KEYS}
    out: dict[str, Any] = {**meta, "id": ad.document.id, "text": ad.document.text,
                           "entities": [{"id": i, "label": e.label, "start_offset": e.start,
                                         "end_offset": e.end} for i, e in enumerate(entities)],
                           "relations": [{"id": i, "from_id": index[r.head_id],
                                          "to_id": index[r.tail_id], "type": r.label}
                                         for i, r in enumerate(relations)]}
    if user is not None:
        out["user"] = user
    return out


def export_doccano(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                   progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    report = ExportReport()
    try:
        with atomic_file(out) as handle:
            for ad in counted(corpus, progress, cancelled):
                report.documents += 1
                for user, layer in layers(ad):
                    handle.write(json.dumps(doccano_record(layer, report, user),
                                            ensure_ascii=False) + "\n")
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    report.files.append(out)
    return report


EXPORTERS = (Exporter(name="doccano", write=export_doccano),)
IMPORTERS = (Importer(name="doccano", suffixes=(".jsonl", ".json"), read=read_doccano, order=4),)
