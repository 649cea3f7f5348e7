"""doccano JSONL import.

Two shapes: the relation project's {"text", "entities": [{"id", "label", "start_offset",
"end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]} and the older sequence
labelling {"text", "label": [[start, end, "LABEL"], ...]}. doccano files carry no schema:
every label must be in the store's. Other keys (id, comments, document-level labels) go
into the document's meta. A record with both `entities` and a `label` list of spans
keeps the spans of both (relations refer to `entities` by id).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import Schema

from ._common import (
    ImportBatch,
    Importer,
    RecordError,
    check_entity_label,
    check_offsets,
    check_relation_label,
    relation_kind,
    title_from_text,
)
from ._jsonlines import read_records

_OWN_KEYS = {"text", "entities", "relations", "label"}


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
    return DocumentRecord(text=text, title=title_from_text(text, "untitled"), meta=meta,
                          entities=entities, relations=relations)


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


IMPORTERS = (Importer(name="doccano", suffixes=(".jsonl", ".json"), read=read_doccano, order=4),)
