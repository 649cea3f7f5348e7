"""Conversions between the store's row dicts and the domain's frozen dataclasses."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from itertools import starmap
from typing import Any

from annotate.model import Document, Entity, Relation

# the entities table's columns in the order of Entity's fields, for positional reads
ENTITY_COLUMNS = tuple(f.name for f in fields(Entity))
RELATION_COLUMNS = tuple(f.name for f in fields(Relation))
_DIRECTED, _NOTE = RELATION_COLUMNS.index("directed"), RELATION_COLUMNS.index("note")


def document_from_row(row: dict[str, Any]) -> Document:
    return Document(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        source=row.get("source"),
        content_hash=row["content_hash"],
        meta=dict(row.get("meta") or {}),
        status=row["status"],
        sentences=tuple((int(s), int(e)) for s, e in row.get("sentences") or ()),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def entity_from_row(row: dict[str, Any]) -> Entity:
    return Entity(
        id=row["id"], doc_id=row["doc_id"], start=row["start"], end=row["end"],
        label=row["label"], text=row["text"], origin=row["origin"], status=row["status"],
        annotator=row.get("annotator"), created_at=row["created_at"], updated_at=row["updated_at"],
    )


def entities_from_tuples(rows: Iterable[tuple[Any, ...]]) -> list[Entity]:
    """Entities from rows of ENTITY_COLUMNS (a whole corpus' worth: no dict per row)."""
    return list(starmap(Entity, rows))


def relations_from_tuples(rows: Iterable[tuple[Any, ...]]) -> list[Relation]:
    """Relations from rows of RELATION_COLUMNS, converted as `relation_from_row` does."""
    return [Relation(*row[:_DIRECTED], bool(row[_DIRECTED]), row[_DIRECTED + 1],
                     row[_NOTE] or "", *row[_NOTE + 1:]) for row in rows]


def entity_row(e: Entity) -> dict[str, Any]:
    return {
        "id": e.id, "doc_id": e.doc_id, "start": e.start, "end": e.end, "label": e.label,
        "text": e.text, "origin": e.origin, "status": e.status, "annotator": e.annotator,
        "created_at": e.created_at, "updated_at": e.updated_at,
    }


def relation_from_row(row: dict[str, Any]) -> Relation:
    return Relation(
        id=row["id"], doc_id=row["doc_id"], head_id=row["head_id"], tail_id=row["tail_id"],
        label=row["label"], directed=bool(row["directed"]), confidence=row.get("confidence"),
        note=row.get("note") or "", evidence_start=row.get("evidence_start"),
        evidence_end=row.get("evidence_end"), origin=row["origin"], status=row["status"],
        annotator=row.get("annotator"), created_at=row["created_at"], updated_at=row["updated_at"],
    )


def relation_row(r: Relation) -> dict[str, Any]:
    return {
        "id": r.id, "doc_id": r.doc_id, "head_id": r.head_id, "tail_id": r.tail_id,
        "label": r.label, "directed": int(r.directed), "confidence": r.confidence, "note": r.note,
        "evidence_start": r.evidence_start, "evidence_end": r.evidence_end, "origin": r.origin,
        "status": r.status, "annotator": r.annotator, "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def document_row(d: Document) -> dict[str, Any]:
    return {
        "id": d.id, "title": d.title, "source": d.source, "text": d.text,
        "content_hash": d.content_hash, "meta": dict(d.meta), "status": d.status,
        "sentences": [list(s) for s in d.sentences], "created_at": d.created_at,
        "updated_at": d.updated_at,
    }
