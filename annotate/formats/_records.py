"""Conversions between stored documents (`AnnotatedDocument`) and import records."""
from __future__ import annotations

from annotate.model import (
    AnnotatedDocument,
    Document,
    DocumentRecord,
    Entity,
    EntityRecord,
    Relation,
    RelationRecord,
)

from ._common import FormatError


def to_annotated_records(ad: AnnotatedDocument) -> DocumentRecord:
    """The `DocumentRecord` an importer gives back for a stored document.

    Relations point at entities by their index in the record's `entities`; empty
    timestamps become None. The store's own ids and hash are not part of a record.
    """
    doc = ad.document
    index = {entity.id: i for i, entity in enumerate(ad.entities)}
    entities = tuple(
        EntityRecord(e.start, e.end, e.label, e.origin, e.status, e.annotator,
                     e.created_at or None, e.updated_at or None)
        for e in ad.entities
    )
    relations = []
    for r in ad.relations:
        if r.head_id not in index or r.tail_id not in index:
            raise FormatError(f"document {doc.id}: relation {r.id} refers to a missing entity")
        relations.append(RelationRecord(
            index[r.head_id], index[r.tail_id], r.label, r.directed, r.confidence, r.note,
            r.evidence_start, r.evidence_end, r.origin, r.status, r.annotator,
            r.created_at or None, r.updated_at or None))
    return DocumentRecord(
        text=doc.text, title=doc.title, source=doc.source, meta=dict(doc.meta),
        status=doc.status, entities=entities, relations=tuple(relations),
        sentences=tuple(tuple(s) for s in doc.sentences),  # type: ignore[misc]
    )


def to_annotated_document(record: DocumentRecord, doc_id: int = 1, *, first_entity_id: int = 1,
                          first_relation_id: int = 1, content_hash: str = "") -> AnnotatedDocument:
    """A stored-looking document made from a record, with ids counted from the given ones.

    The inverse of `to_annotated_records`; the store does the same when it saves a record.
    """
    doc = Document(
        id=doc_id, title=record.title, text=record.text, source=record.source,
        content_hash=content_hash, meta=dict(record.meta), status=record.status or "new",
        sentences=record.sentences,
    )
    entities = tuple(
        Entity(first_entity_id + i, doc_id, e.start, e.end, e.label, record.text[e.start:e.end],
               e.origin, e.status, e.annotator, e.created_at or "", e.updated_at or "")
        for i, e in enumerate(record.entities)
    )
    relations = tuple(
        Relation(first_relation_id + i, doc_id, entities[r.head].id, entities[r.tail].id,
                 r.label, r.directed, r.confidence, r.note, r.evidence_start, r.evidence_end,
                 r.origin, r.status, r.annotator, r.created_at or "", r.updated_at or "")
        for i, r in enumerate(record.relations)
    )
    return AnnotatedDocument(doc, entities, relations)


def layers(ad: AnnotatedDocument) -> list[tuple[str | None, AnnotatedDocument]]:
    """The document once per annotation layer named in its sources (for formats with one
    annotator per record), else once whole. Annotations of no listed layer (a model's
    suggestions, a later edit) go with the first layer, the document's first source."""
    sources = ad.document.meta.get("sources") or []
    names = list(dict.fromkeys(s.get("annotator") for s in sources
                               if isinstance(s, dict) and isinstance(s.get("annotator"), str)))
    if len(names) < 2:
        return [(None, ad)]
    out = []
    for name in names:
        entities = tuple(e for e in ad.entities if e.annotator == name
                         or (name == names[0] and e.annotator not in names))
        ids = {e.id for e in entities}
        relations = tuple(r for r in ad.relations if r.head_id in ids and r.tail_id in ids)
        out.append((name, AnnotatedDocument(ad.document, entities, relations)))
    return out
