"""One Prodigy task (ours, with `_arcmark`, or Prodigy's own) -> `DocumentRecord`.

Relations find their spans by our `head_id`/`child_id` when present, else by
`head_span`/`child_span` (start, end, label), else by the token index of a span's last
token. Prodigy tasks answered "reject" or "ignore" are skipped and counted.

Prodigy's provenance (`answer`, `_input_hash`, `_task_hash`, `_session_id`,
`_annotator_id`, `_timestamp`, `_view_id`) and an entity-linking choice (`accept`,
`options`) are kept in the document's meta under "prodigy", so the `prodigy` export writes
them back. Spans and relations are credited to the task's `_annotator_id` (else its
`_session_id`) unless they name their own annotator.
"""
from __future__ import annotations

from typing import Any

from annotate.model import (
    CONFIDENCES,
    DOCUMENT_STATUSES,
    ENTITY_STATUSES,
    HUMAN,
    RELATION_STATUSES,
    DocumentRecord,
    EntityRecord,
    RelationRecord,
)
from annotate.record_checks import shown
from annotate.schema import Schema

from ._common import (
    RecordError,
    check_choice,
    check_entity_label,
    check_offsets,
    check_relation_label,
    relation_kind,
    title_from_text,
)
from ._jsonlines import Skip


def parse_task(obj: dict[str, Any], schema: Schema, declared: Schema | None) -> DocumentRecord:
    if obj.get("answer") in ("reject", "ignore"):
        raise Skip(f"Prodigy task answered {obj['answer']!r}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise RecordError("no text")
    spans = obj.get("spans") or []
    who = _annotator(obj)
    entities = tuple(_entity(span, text, schema, declared, who)
                     for span in _dicts(spans, "spans"))
    find = _SpanFinder(spans, entities)
    relations = tuple(_relation(rel, find, schema, declared, who)
                      for rel in _dicts(obj.get("relations") or [], "relations"))
    ours = obj.get("_arcmark")
    if isinstance(ours, dict):
        return _ours(ours, text, entities, relations)
    meta = dict(obj.get("meta")) if isinstance(obj.get("meta"), dict) else {}
    provenance = {k: obj[k] for k in PROVENANCE if k in obj}
    if provenance:
        meta["prodigy"] = provenance
    title = meta.get("title") if isinstance(meta.get("title"), str) else ""
    source = meta.get("source") if isinstance(meta.get("source"), str) else None
    return DocumentRecord(text=text, title=title or title_from_text(text, "untitled"),
                          source=source, meta=dict(meta), entities=entities, relations=relations)


PROVENANCE = ("answer", "_input_hash", "_task_hash", "_session_id", "_annotator_id",
              "_timestamp", "_view_id", "accept", "options")


def _annotator(obj: dict[str, Any]) -> str | None:
    """Who answered the task: Prodigy's `_annotator_id`, else its `_session_id`."""
    for key in ("_annotator_id", "_session_id"):
        if isinstance(obj.get(key), str) and obj[key]:
            return obj[key]
    return None


def _ours(ours: dict[str, Any], text: str, entities: tuple[EntityRecord, ...],
          relations: tuple[RelationRecord, ...]) -> DocumentRecord:
    status = ours.get("status")
    if status is not None:
        check_choice(status, DOCUMENT_STATUSES, "document status")
    sentences = tuple(check_offsets(s, e, len(text)) for s, e in ours.get("sentences") or [])
    meta = ours.get("meta") or {}
    if not isinstance(meta, dict):
        raise RecordError("_arcmark.meta is not an object")
    return DocumentRecord(
        text=text, title=str(ours.get("title") or ""), source=ours.get("source"), meta=meta,
        status=status, entities=entities, relations=relations, sentences=sentences,
    )


def _dicts(items: object, what: str) -> list[dict[str, Any]]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RecordError(f"{what} is not a list of objects")
    return items


def _entity(span: dict[str, Any], text: str, schema: Schema, declared: Schema | None,
            who: str | None = None) -> EntityRecord:
    start, end = check_offsets(span.get("start"), span.get("end"), len(text))
    check_entity_label(span.get("label"), schema, declared)
    status = span.get("status", "accepted")
    check_choice(status, ENTITY_STATUSES, "span status")
    return EntityRecord(start, end, span["label"], span.get("origin") or HUMAN, status,
                        _named(span.get("annotator"), "entity") or who, span.get("created_at"),
                        span.get("updated_at"))


def _named(value: object, what: str) -> str | None:
    """The annotator a span or relation names; None where it names none (the task's is
    then credited). A name that is not text is refused, never replaced."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"{what} annotator {shown(value)} is not text")
    return value


class _SpanFinder:
    """Finds the entity index a relation end refers to."""

    def __init__(self, spans: list[dict[str, Any]], entities: tuple[EntityRecord, ...]) -> None:
        self.by_id: dict[Any, int] = {}
        self.by_key: dict[tuple[int, int, str], int] = {}
        self.by_token: dict[int, int] = {}
        for i, (span, entity) in enumerate(zip(spans, entities)):
            if span.get("id") is not None:
                self.by_id.setdefault(span["id"], i)
            self.by_key.setdefault((entity.start, entity.end, entity.label), i)
            if isinstance(span.get("token_end"), int):
                self.by_token.setdefault(span["token_end"], i)

    def find(self, rel: dict[str, Any], end: str) -> int:
        ref = rel.get(f"{end}_id")
        if ref is not None and ref in self.by_id:
            return self.by_id[ref]
        span = rel.get(f"{end}_span")
        if isinstance(span, dict):
            key = (span.get("start"), span.get("end"), span.get("label"))
            if key in self.by_key:
                return self.by_key[key]  # type: ignore[index]
        token = rel.get(end)
        if isinstance(token, int) and token in self.by_token:
            return self.by_token[token]
        raise RecordError("relation refers to a missing span")


def _relation(rel: dict[str, Any], find: _SpanFinder, schema: Schema, declared: Schema | None,
              who: str | None = None) -> RelationRecord:
    head, tail = find.find(rel, "head"), find.find(rel, "child")
    label = rel.get("label")
    check_relation_label(label, schema, declared)
    status = rel.get("status", "accepted")
    check_choice(status, RELATION_STATUSES, "relation status")
    confidence = rel.get("confidence")
    if confidence is not None:
        check_choice(confidence, CONFIDENCES, "confidence")
    directed = rel.get("directed")
    if not isinstance(directed, bool):
        directed = relation_kind(label, schema, declared) == "directed"
    return RelationRecord(
        head, tail, label, directed, confidence, str(rel.get("note") or ""),
        _offset(rel.get("evidence_start")), _offset(rel.get("evidence_end")),
        rel.get("origin") or HUMAN, status, _named(rel.get("annotator"), "relation") or who,
        rel.get("created_at"), rel.get("updated_at"),
    )


def _offset(value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value  # type: ignore[return-value]
    raise RecordError(f"evidence offset {value!r} is not an offset")
