"""Storing imported documents: all or nothing per call, merging into what is stored."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotate.model import (
    CONFIDENCES, DOCUMENT_STATUSES, ENTITY_STATUSES, RELATION_STATUSES, Change, DocumentRecord,
    ValidationError,
)
from annotate import import_layers
from annotate.record_checks import problem
from annotate.schema import Schema
from storage.store import RowChange, Store, now


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ImportResult:
    documents_added: list[int] = field(default_factory=list)
    documents_merged: list[int] = field(default_factory=list)
    entities_added: int = 0
    relations_added: int = 0
    skipped: int = 0  # annotations already present
    # (document id, layer, file) of each annotation layer a file added to a stored document
    layers: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def change(self) -> Change:
        ids = frozenset(self.documents_added + self.documents_merged)
        return Change("Import", documents=ids, document_list=True)

    def summary(self) -> str:
        parts = [f"{len(self.documents_added)} new document{'s' * (len(self.documents_added) != 1)}"]
        if self.documents_merged:
            parts.append(f"{len(self.documents_merged)} already stored (merged)")
        parts.append(f"{self.entities_added} entities, {self.relations_added} relations added")
        if self.skipped:
            parts.append(f"{self.skipped} annotations already present")
        parts += [f"doc {doc}: annotation layer {layer!r} added from {source}"
                  for doc, layer, source in self.layers]
        return "; ".join(parts)


BATCH_DOCUMENTS = 200


class RecordImporter:
    def __init__(self, store: Store, schema: Schema, annotator: str | None) -> None:
        self.store = store
        self.schema = schema
        self.annotator = annotator

    def run(self, records: Sequence[DocumentRecord], source: str | Sequence[str]) -> ImportResult:
        """Store `records` in one transaction; `source` names the file they come from, or
        is one name per record (files of one document each, stored together)."""
        sources = [source] * len(records) if isinstance(source, str) else list(source)
        for n, (record, name) in enumerate(zip(records, sources), 1):
            self._validate(record, f"{name or 'record'} #{n}"
                           if len(records) > 1 and isinstance(source, str) else name)
        result = ImportResult()
        with self.store.write() as db:
            pending = _Pending()
            self._next = {t: self.store.next_id(t) for t in ("documents", "entities", "relations")}
            for record, name in zip(records, sources):
                self._source = name
                self._store_one(db, record, result, pending)
                if len(pending.documents) >= BATCH_DOCUMENTS:
                    pending.write(self.store, db, self.annotator)
            pending.write(self.store, db, self.annotator)
        return result

    def _validate(self, rec: DocumentRecord, where: str) -> None:
        def fail(msg: str) -> None:
            raise ValidationError(f"{where}: {msg}" if where else msg)

        if not rec.text.strip():
            fail("empty document")
        bad = problem(rec)
        if bad:
            fail(bad)
        if rec.status is not None and rec.status not in DOCUMENT_STATUSES:
            fail(f"unknown document status {rec.status!r}")
        entity_labels = set(self.schema.entity_names)
        for e in rec.entities:
            if not 0 <= e.start < e.end <= len(rec.text):
                fail(f"entity {e.start}-{e.end} is outside the text (length {len(rec.text)})")
            if e.label not in entity_labels:
                fail(f"entity label {e.label!r} is not in the schema")
            if e.status not in ENTITY_STATUSES:
                fail(f"unknown entity status {e.status!r}")
        for r in rec.relations:
            if not (0 <= r.head < len(rec.entities) and 0 <= r.tail < len(rec.entities)):
                fail("a relation refers to a missing entity")
            if self.schema.relation(r.label) is None:
                fail(f"relation label {r.label!r} is not in the schema")
            if r.status not in RELATION_STATUSES:
                fail(f"unknown relation status {r.status!r}")
            if r.confidence is not None and r.confidence not in CONFIDENCES:
                fail(f"unknown confidence {r.confidence!r}")
            if r.head == r.tail:
                fail("a relation links an entity to itself")

    def _store_one(self, db, record: DocumentRecord, result: ImportResult,  # type: ignore[no-untyped-def]
                   pending: _Pending) -> None:
        at = now()
        digest = content_hash(record.text)
        if digest in pending.hashes:  # the same text again: merge into what is written
            pending.write(self.store, db, self.annotator)
        pending.hashes.add(digest)
        existing = self.store.document_by_hash(digest)
        if existing is None:
            doc_id = self._next["documents"]
            self._next["documents"] += 1
            row = {
                "id": doc_id, "title": record.title or _title(record.text), "source": record.source,
                "text": record.text, "content_hash": digest,
                "meta": import_layers.with_source(dict(record.meta), self._source,
                                                  self._layer_of(record), at),
                "status": record.status or "new",
                "sentences": [list(s) for s in record.sentences], "created_at": at, "updated_at": at,
            }
            pending.documents.append(row)
            pending.history.append(("documents", doc_id, doc_id, None,
                                    {"title": row["title"], "source": row["source"]}))
            result.documents_added.append(doc_id)
            known_spans: dict[tuple[int, int, str], int] = {}
            known_rels: set[tuple[int, int, str]] = set()
        else:
            doc_id = existing["id"]
            result.documents_merged.append(doc_id)
            stored = self.store.rows("entities", "doc_id = ?", [doc_id])
            layer = import_layers.new_layer(record, stored, existing["meta"], self._source)
            if layer is not None:
                record = import_layers.in_layer(record, layer)
                result.layers.append((doc_id, layer, self._source))
            known_spans = import_layers.layer_keys(stored, layer)
            self._add_source(db, existing, record, at)
            known_rels = {(r["head_id"], r["tail_id"], r["label"])
                          for r in self.store.rows("relations", "doc_id = ?", [doc_id])}
        self._store_annotations(pending, doc_id, record, known_spans, known_rels, result, at)

    def _layer_of(self, record: DocumentRecord) -> str | None:
        named = import_layers.named_annotators(record)
        return named[0] if len(named) == 1 else self.annotator if not named else None

    def _add_source(self, db, existing: dict, record: DocumentRecord, at: str) -> None:  # type: ignore[no-untyped-def]
        """List this import's file among the stored document's sources (once)."""
        meta = import_layers.with_source(existing["meta"], self._source, self._layer_of(record),
                                         at)
        if meta is not existing["meta"]:
            doc_id = existing["id"]
            self.store.apply([RowChange("documents", doc_id, {"id": doc_id, "meta": existing["meta"]},
                                        {"id": doc_id, "meta": meta})],
                             action="import", annotator=self.annotator)

    def _store_annotations(self, pending, doc_id, record, known_spans, known_rels, result, at):  # type: ignore[no-untyped-def]
        next_entity = self._next["entities"]
        ids: list[int] = []
        new_entities = []
        for e in record.entities:
            key = (e.start, e.end, e.label)
            if key in known_spans:
                ids.append(known_spans[key])
                result.skipped += 1
                continue
            known_spans[key] = next_entity
            ids.append(next_entity)
            new_entities.append({
                "id": next_entity, "doc_id": doc_id, "start": e.start, "end": e.end,
                "label": e.label, "text": record.text[e.start:e.end], "origin": e.origin,
                "status": e.status, "annotator": e.annotator if e.annotator is not None
                else (self.annotator if e.origin == "human" else None),
                "created_at": e.created_at or at, "updated_at": e.updated_at or at,
            })
            next_entity += 1
        self._next["entities"] = next_entity
        next_relation = self._next["relations"]
        new_relations = []
        for r in record.relations:
            head, tail = ids[r.head], ids[r.tail]
            label = self.schema.relation(r.label)
            symmetric = label is not None and label.symmetric
            if head == tail:
                continue
            if (head, tail, r.label) in known_rels or (symmetric and (tail, head, r.label) in known_rels):
                result.skipped += 1
                continue
            known_rels.add((head, tail, r.label))
            # a relation stands only on entities that stand (as `Session.reject_entity` keeps it)
            ends = (record.entities[r.head].status, record.entities[r.tail].status)
            status = "rejected" if "rejected" in ends else r.status
            new_relations.append({
                "id": next_relation, "doc_id": doc_id, "head_id": head, "tail_id": tail,
                "label": r.label, "directed": int(r.directed and not symmetric),
                "confidence": r.confidence, "note": r.note, "evidence_start": r.evidence_start,
                "evidence_end": r.evidence_end, "origin": r.origin, "status": status,
                "annotator": r.annotator if r.annotator is not None
                else (self.annotator if r.origin == "human" else None),
                "created_at": r.created_at or at,
                "updated_at": r.updated_at or at,
            })
            next_relation += 1
        self._next["relations"] = next_relation
        pending.entities += new_entities
        pending.relations += new_relations
        result.entities_added += len(new_entities)
        result.relations_added += len(new_relations)


class _Pending:
    """Rows written together, many documents per statement: a statement per document
    costs a flush of the full-text index per document."""

    def __init__(self) -> None:
        self.hashes: set[str] = set()  # of the documents since the last write
        self.documents: list[dict] = []
        self.entities: list[dict] = []
        self.relations: list[dict] = []
        self.history: list[tuple] = []

    def write(self, store: Store, db, annotator: str | None) -> None:  # type: ignore[no-untyped-def]
        store.insert_many(db, "documents", self.documents)
        store.insert_many(db, "entities", self.entities)
        store.insert_many(db, "relations", self.relations)
        if self.history:
            store.append_history(db, "import", annotator, self.history)
        self.__init__()  # type: ignore[misc]


def _title(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            title = " ".join(line.split())
            return title if len(title) <= 200 else title[:199] + "…"
    return "Untitled"
