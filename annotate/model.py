"""Plain data that crosses the layers: frozen dataclasses with code-point offsets.

Nothing here knows about Qt, spaCy or SQL. Offsets are Python string indices
(code points), `end` exclusive, into the document's stored text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOCUMENT_STATUSES = ("new", "in_progress", "done", "curated")
ENTITY_STATUSES = ("suggested", "accepted", "rejected")
RELATION_STATUSES = ("suggested", "accepted", "rejected")
CONFIDENCES = ("low", "moderate", "high")
HUMAN = "human"
CURATED = "curated"  # the annotator (layer) of a document's curated version: a reserved name


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    title: str
    text: str
    source: str | None = None
    content_hash: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    status: str = "new"
    sentences: tuple[tuple[int, int], ...] = ()
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A row of the document list: everything but the text."""

    id: int
    title: str
    status: str
    source: str | None
    entity_count: int
    suggested_count: int
    relation_count: int
    length: int
    updated_at: str
    suggested_relation_count: int = 0

    @property
    def to_review(self) -> int:
        """Suggestions (entities and relations) still waiting for a decision."""
        return self.suggested_count + self.suggested_relation_count


@dataclass(frozen=True, slots=True)
class Entity:
    id: int
    doc_id: int
    start: int
    end: int
    label: str
    text: str
    origin: str = HUMAN
    status: str = "accepted"
    annotator: str | None = None
    created_at: str = ""
    updated_at: str = ""

    @property
    def is_model(self) -> bool:
        return self.origin.startswith("model:")


@dataclass(frozen=True, slots=True)
class Relation:
    id: int
    doc_id: int
    head_id: int
    tail_id: int
    label: str
    directed: bool = True
    confidence: str | None = None
    note: str = ""
    evidence_start: int | None = None
    evidence_end: int | None = None
    origin: str = HUMAN
    status: str = "accepted"
    annotator: str | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """What an action changed, so each view decides what to redraw.

    `documents` lists the documents whose content (text, entities, relations,
    status) changed; the id tuples name the rows touched.
    """

    description: str
    documents: frozenset[int] = frozenset()
    entities: tuple[int, ...] = ()
    relations: tuple[int, ...] = ()
    document_list: bool = False  # a document was added, removed, renamed or re-counted
    schema: bool = False

    def merge(self, other: Change) -> Change:
        return Change(
            description=self.description or other.description,
            documents=self.documents | other.documents,
            entities=self.entities + other.entities,
            relations=self.relations + other.relations,
            document_list=self.document_list or other.document_list,
            schema=self.schema or other.schema,
        )


# --- interchange records: what importers yield and the session stores ------------------


@dataclass(frozen=True, slots=True)
class EntityRecord:
    start: int
    end: int
    label: str
    origin: str = HUMAN
    status: str = "accepted"
    annotator: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relation between two entities given by their index in `DocumentRecord.entities`."""

    head: int
    tail: int
    label: str
    directed: bool = True
    confidence: str | None = None
    note: str = ""
    evidence_start: int | None = None
    evidence_end: int | None = None
    origin: str = HUMAN
    status: str = "accepted"
    annotator: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    text: str
    title: str = ""
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    entities: tuple[EntityRecord, ...] = ()
    relations: tuple[RelationRecord, ...] = ()
    sentences: tuple[tuple[int, int], ...] = ()


class ArcmarkError(Exception):
    """An error the user can cause and fix; its message is one clear line."""


class ValidationError(ArcmarkError):
    """An action that breaks the schema or the data's rules; nothing was written."""


@dataclass(frozen=True, slots=True)
class AnnotatedDocument:
    """A stored document with its entities and relations: what exporters read."""

    document: Document
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
