"""Writing model suggestions: batched, all or nothing per document, never over a human.

A suggestion is skipped when the document already has an entity on the same span
(whatever its label or status: a human accepted, rejected or relabelled it) or when
a human removed or moved that exact suggestion before.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotate.schema import Schema
from storage.store import Store, now

Span = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Annotated:
    """The model's output for one document, as plain data."""

    doc_id: int
    entities: tuple[Span, ...]
    sentences: tuple[tuple[int, int], ...]


class SuggestionWriter:
    def __init__(self, store: Store, model: str, schema: Schema) -> None:
        self.store = store
        self.origin = f"model:{model}"
        self.model = model
        self.labels = set(schema.entity_names)
        self.added = 0
        self.documents = 0

    def write(self, batch: Sequence[Annotated]) -> int:
        """Store a batch of documents' suggestions in one transaction; returns how many."""
        added = 0
        at = now()
        with self.store.write() as db:
            next_id = self.store.next_id("entities")
            for item in batch:
                text = self.store.document_text(item.doc_id)
                if text is None:  # deleted meanwhile
                    continue
                rows = self._rows(item, text, next_id, at)
                next_id += len(rows)
                self.store.insert_many(db, "entities", rows)
                self.store.set_sentences(db, item.doc_id, item.sentences)
                self.store.record_model_run(db, item.doc_id, self.model, len(rows))
                added += len(rows)
            self.store.append_history(db, f"pre-annotate with {self.model}", None, [
                ("documents", item.doc_id, item.doc_id, None, {"model": self.model})
                for item in batch])
        self.added += added
        self.documents += len(batch)
        return added

    def _rows(self, item: Annotated, text: str, next_id: int, at: str) -> list[dict]:
        taken = self.store.entity_spans(item.doc_id)
        dismissed = self.store.dismissed(item.doc_id)
        rows = []
        for start, end, label in item.entities:
            if (start, end) in taken or (start, end, label) in dismissed or label not in self.labels:
                continue
            taken.add((start, end))
            rows.append({
                "id": next_id + len(rows), "doc_id": item.doc_id, "start": start, "end": end,
                "label": label, "text": text[start:end], "origin": self.origin,
                "status": "suggested", "annotator": None, "created_at": at, "updated_at": at,
            })
        return rows
