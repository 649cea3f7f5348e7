"""The one service the window and the command line talk to.

Every verb validates its input, writes through the store in one transaction,
records the history and returns a `Change` saying what changed. Editing verbs are
undoable commands (`undo()` / `redo()`); bulk work (import, pre-annotation) is not
undone but is recorded in the history.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any, ParamSpec

from annotate import edits
from annotate.commands import Command, UndoStack
from annotate.model import (
    CONFIDENCES, DOCUMENT_STATUSES, AnnotatedDocument, Change, Document, DocumentRecord,
    DocumentSummary, Entity, Relation, ValidationError,
)
from annotate.rows import (
    ENTITY_COLUMNS,
    RELATION_COLUMNS,
    document_from_row,
    entities_from_tuples,
    entity_from_row,
    relation_from_row,
    relations_from_tuples,
)
from annotate.references import Reference, references
from annotate.schema import Schema, load_schema
from annotate.annotators import check_annotator, default_annotator
from annotate.suggestions import SuggestionWriter
from annotate.team import layers
from annotate.importing import ImportResult, RecordImporter
from annotate.record_checks import stored_problem, without_bad_evidence
from storage.store import Store, StoreDamagedError

UNCHANGED: Any = object()
P = ParamSpec("P")
CORPUS_BATCH = 100  # documents per corpus read (their texts are held together)


def _action(verb: Callable[P, Change]) -> Callable[P, Change]:
    """Run an editing verb (its reads, checks and write) in one write transaction.

    The transaction takes the write lock first (`BEGIN IMMEDIATE`), so another process
    or connection writing the same store (a second window, a background import) waits
    instead of taking the new row ids this verb picks, or changing the rows it checked,
    between the check and the write. A command that never committed leaves the undo
    stack as it was."""

    @functools.wraps(verb)
    def run(*args: P.args, **kwargs: P.kwargs) -> Change:
        self: Session = args[0]  # type: ignore[assignment]
        top = self.undo_stack.take_undo()
        try:
            with self.store.write():
                return verb(*args, **kwargs)
        except BaseException:
            if self.undo_stack.take_undo() is not top:  # applied, then the commit failed
                self.undo_stack.drop_last()
            raise

    return run


class Session:
    def __init__(self, store: Store, *, annotator: str | None = None,
                 schema: Schema | None = None) -> None:
        self.store = store
        self.annotator = check_annotator(annotator or default_annotator())
        # the layer the document view shows where a document has several (see
        # `annotate.team.layers`); None: the annotator's own in a team store, else all
        self.layer: str | None = None
        self.undo_stack = UndoStack()
        stored = store.label_schema()
        if not stored["entity"]:
            initial = schema or load_schema()
            if not store.read_only:
                store.save_label_schema(initial.to_dict())
            self._schema = initial
        else:
            self._schema = Schema.from_dict(stored, source=str(store.path))

    # --- reads ---------------------------------------------------------------------------------

    @property
    def schema(self) -> Schema:
        return self._schema

    def reload_schema(self) -> bool:
        """Re-read the label schema from the store (another connection, e.g. a background
        import, may have merged labels into it); True if it changed."""
        stored = self.store.label_schema()
        if not stored["entity"]:
            return False
        schema = Schema.from_dict(stored, source=str(self.store.path))
        changed, self._schema = schema != self._schema, schema
        return changed

    def data_version(self) -> int:
        """Changes whenever another connection commits to the store (see
        `Store.data_version`): how a window notices other writers."""
        return self.store.data_version()

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def documents(self) -> list[DocumentSummary]:
        return [DocumentSummary(**row) for row in self.store.document_summaries()]

    def document(self, doc_id: int) -> Document:
        row = self.store.row("documents", doc_id)
        if row is None:
            raise ValidationError(f"no document {doc_id}")
        return document_from_row(row)

    def references(self, entity: Entity) -> list[Reference]:
        """The knowledge-base references (brat normalizations) kept for an entity."""
        row = self.store.row("documents", entity.doc_id, ("id", "meta"))
        return references(row.get("meta") or {}, entity) if row is not None else []

    def _text_window(self, doc_id: int, start: int, end: int, margin: int = 0) -> edits.TextWindow:
        """The document's text around [start, end): entity edits need no more, and reading
        a whole long text costs milliseconds."""
        lo, hi = max(0, min(start, end) - margin), max(0, start, end) + margin
        found = self.store.document_slice(doc_id, lo, hi)
        if found is None:
            raise ValidationError(f"no document {doc_id}")
        length, text = found
        return edits.TextWindow(doc_id, length, min(lo, length), text)

    def _span_window(self, doc_id: int, start: int, end: int, snap: bool
                     ) -> tuple[edits.TextWindow, int, int]:
        """The text around a span, and the span (snapped to whole words if asked)."""
        if not snap:
            return self._text_window(doc_id, start, end), start, end
        return edits.snap_in_windows(
            lambda margin: self._text_window(doc_id, start, end, margin), start, end)

    def entities(self, doc_id: int) -> list[Entity]:
        """The entities the document view shows: of a document with several layers, those
        of the chosen layer and the model suggestions."""
        if self.shown_layer == layers.ALL:  # all of them: the relations need not be read
            return self.all_entities(doc_id)
        return self._shown(doc_id)[0]

    def relations(self, doc_id: int) -> list[Relation]:
        if self.shown_layer == layers.ALL:  # nor the entities (30,000 in a long document)
            return self.all_relations(doc_id)
        return self._shown(doc_id)[1]

    def _shown(self, doc_id: int) -> tuple[list[Entity], list[Relation]]:
        return layers.visible(self.all_entities(doc_id), self.all_relations(doc_id),
                              self.shown_layer)

    @property
    def shown_layer(self) -> str:
        if self.layer:
            return self.layer
        return self.annotator if self.store.is_team_store() else layers.ALL

    def all_entities(self, doc_id: int) -> list[Entity]:
        """Every entity of the document, of every layer."""
        return [entity_from_row(r) for r in
                self.store.rows("entities", "doc_id = ?", [doc_id], order_by='start, "end", id')]

    def all_relations(self, doc_id: int) -> list[Relation]:
        return [relation_from_row(r) for r in self.store.rows("relations", "doc_id = ?", [doc_id])]

    def _relations_between(self, first: int, second: int) -> list[Relation]:
        """The relations joining two entities either way: all a duplicate check needs."""
        return [relation_from_row(r) for r in self.store.relations_between(first, second)]

    def entity(self, entity_id: int) -> Entity:
        row = self.store.row("entities", entity_id)
        if row is None:
            raise ValidationError(f"no entity {entity_id}")
        return entity_from_row(row)

    def relation(self, relation_id: int) -> Relation:
        row = self.store.row("relations", relation_id)
        if row is None:
            raise ValidationError(f"no relation {relation_id}")
        return relation_from_row(row)

    def annotated(self, doc_id: int) -> AnnotatedDocument:
        return AnnotatedDocument(self.document(doc_id), tuple(self.entities(doc_id)),
                                 tuple(self.relations(doc_id)))

    def annotated_all(self, doc_id: int) -> AnnotatedDocument:
        """The document with the entities and relations of every layer."""
        return AnnotatedDocument(self.document(doc_id), tuple(self.all_entities(doc_id)),
                                 tuple(self.all_relations(doc_id)))

    def corpus(self, status: str | None = None, ids: Iterable[int] | None = None
               ) -> Iterator[AnnotatedDocument]:
        """Every document (or those with `status`, or `ids`) with its entities and
        relations, in id order; read CORPUS_BATCH documents per query."""
        doc_ids = self.store.document_ids(status)
        if ids is not None:
            wanted = set(ids)
            doc_ids = [i for i in doc_ids if i in wanted]
        for k in range(0, len(doc_ids), CORPUS_BATCH):
            yield from self._annotated_batch(doc_ids[k:k + CORPUS_BATCH])

    def _annotated_batch(self, doc_ids: Sequence[int]) -> Iterator[AnnotatedDocument]:
        marks = ", ".join("?" * len(doc_ids))
        with self.store.snapshot():  # a relation never comes without its entities
            documents = {r["id"]: document_from_row(r)
                         for r in self.store.rows("documents", f"id IN ({marks})", doc_ids)}
            entities = _by_document(entities_from_tuples(self.store.document_rows(
                "entities", ENTITY_COLUMNS, doc_ids, 'doc_id, start, "end", id')))
            relations = _by_document(relations_from_tuples(self.store.document_rows(
                "relations", RELATION_COLUMNS, doc_ids, "doc_id, id")))
        for doc_id in doc_ids:
            if doc_id in documents:  # deleted since the ids were read
                ad = without_bad_evidence(AnnotatedDocument(
                    documents[doc_id], tuple(entities.get(doc_id, ())),
                    tuple(relations.get(doc_id, ()))))
                problem = stored_problem(ad)
                if problem is not None:  # exporters rely on what Arcmark itself writes
                    raise StoreDamagedError(
                        f"{self.store.path}: document {doc_id} cannot be read: {problem}; the "
                        "store was changed by another program or is damaged")
                yield ad

    def stats(self) -> dict[str, Any]:
        return self.store.counts()

    def same_as_group(self, entity_id: int) -> list[Entity]:
        """The entities joined to this one by SAME_AS-like (symmetric-transitive) relations."""
        entity = self.entity(entity_id)
        transitive = {r.name for r in self.schema.relation_labels if r.kind == "symmetric_transitive"}
        links: dict[int, set[int]] = {}
        for rel in self.relations(entity.doc_id):
            if rel.label in transitive and rel.status != "rejected":
                links.setdefault(rel.head_id, set()).add(rel.tail_id)
                links.setdefault(rel.tail_id, set()).add(rel.head_id)
        seen, todo = {entity_id}, [entity_id]
        while todo:
            for nxt in links.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        by_id = {e.id: e for e in self.entities(entity.doc_id)}
        return sorted((by_id[i] for i in seen if i in by_id), key=lambda e: (e.start, e.end))

    # --- undo / redo -----------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return self.undo_stack.can_undo

    @property
    def can_redo(self) -> bool:
        return self.undo_stack.can_redo

    @property
    def undo_text(self) -> str:
        return self.undo_stack.undo_text

    @property
    def redo_text(self) -> str:
        return self.undo_stack.redo_text

    def undo(self) -> Change | None:
        command = self.undo_stack.take_undo()
        if command is None:
            return None
        change = command.revert(self.store, self.annotator)
        self.undo_stack.did_undo()
        return replace(change, description="Undo " + change.description)

    def redo(self) -> Change | None:
        command = self.undo_stack.take_redo()
        if command is None:
            return None
        change = command.apply(self.store, self.annotator, redo=True)
        self.undo_stack.did_redo()
        return replace(change, description="Redo " + change.description)

    def _run(self, command: Command) -> Change:
        change = command.apply(self.store, self.annotator)
        self.undo_stack.push(command)
        return change

    # --- entity verbs --------------------------------------------------------------------------

    @_action
    def add_entity(self, doc_id: int, start: int, end: int, label: str, *, snap: bool = False,
                   status: str = "accepted") -> Change:
        window, start, end = self._span_window(doc_id, start, end, snap)
        self._check_label(label)
        return self._run(edits.add_entity(self.store, window, start, end, label, status,
                                          self.annotator))

    @_action
    def relabel_entity(self, entity_id: int, label: str) -> Change:
        self._check_label(label)
        entity = self.entity(entity_id)
        if entity.label == label:
            raise ValidationError(f"the entity is already {label}")
        return self._run(edits.update_entity(
            self.store, entity, f"Relabel “{entity.text}” as {label}", self.annotator,
            label=label))

    @_action
    def resize_entity(self, entity_id: int, start: int, end: int, *, snap: bool = False) -> Change:
        entity = self.entity(entity_id)
        window, start, end = self._span_window(entity.doc_id, start, end, snap)
        edits.check_span(window, start, end)
        return self._run(edits.update_entity(
            self.store, entity, f"Resize “{entity.text}”", self.annotator,
            start=start, end=end, text=window.cut(start, end)))

    @_action
    def accept_entity(self, entity_id: int) -> Change:
        entity = self.entity(entity_id)
        return self._run(edits.update_entity(
            self.store, entity, f"Accept “{entity.text}”", self.annotator, status="accepted"))

    @_action
    def reject_entity(self, entity_id: int) -> Change:
        """Reject the entity and the relations that use it (one undoable step)."""
        entity = self.entity(entity_id)
        if entity.status == "rejected":
            raise ValidationError(f"“{entity.text}” is already rejected")
        used = [relation_from_row(r) for r in self.store.relations_of(entity.id)]
        return self._run(edits.reject_entity(entity, used, self.annotator))

    @_action
    def accept_all(self, doc_id: int, label: str | None = None,
                   ids: Iterable[int] | None = None) -> Change:
        """Accept the document's suggestions (of `label`); with `ids`, only those of them
        (what the analyst sees), never one written meanwhile and not yet shown."""
        wanted = set(ids) if ids is not None else None
        targets = [e for e in self.entities(doc_id) if e.status == "suggested"
                   and (label is None or e.label == label)
                   and (wanted is None or e.id in wanted)]
        if not targets:
            raise ValidationError("no suggestions to accept")
        what = f"{len(targets)} {label + ' ' if label else ''}suggestion{'s' * (len(targets) != 1)}"
        return self._run(edits.set_status_many(self.store, targets, "accepted",
                                               f"Accept {what}", self.annotator))

    @_action
    def delete_entity(self, entity_id: int) -> Change:
        entity = self.entity(entity_id)
        used = [relation_from_row(r) for r in self.store.relations_of(entity.id)]
        return self._run(edits.delete_entity(self.store, entity, used, self.annotator))

    # --- relation verbs ----------------------------------------------------------------------------

    def allowed_relations(self, head_id: int, tail_id: int) -> list[str]:
        head, tail = self.entity(head_id), self.entity(tail_id)
        return [r.name for r in self.schema.allowed_relations(head.label, tail.label)]

    @_action
    def add_relation(self, head_id: int, tail_id: int, label: str, *,
                     confidence: str | None = None, note: str = "") -> Change:
        head, tail = self.entity(head_id), self.entity(tail_id)
        if head.doc_id != tail.doc_id:
            raise ValidationError("a relation links two entities of the same document")
        if head.id == tail.id:
            raise ValidationError("a relation needs two different entities")
        for entity in (head, tail):
            if entity.status == "rejected":
                raise ValidationError(f"“{entity.text}” is rejected: accept it before relating it")
        reason = self.schema.why_not(label, head.label, tail.label)
        if reason:
            raise ValidationError(reason)
        _check_confidence(confidence)
        rel_label = self.schema.relation(label)
        assert rel_label is not None
        sentences = self.store.document_sentences(head.doc_id) or ()
        return self._run(edits.add_relation(
            self.store, head, tail, rel_label, self._relations_between(head.id, tail.id),
            sentences, lambda: self.store.document_text(head.doc_id) or "",
            confidence=confidence, note=note, annotator=self.annotator))

    @_action
    def edit_relation(self, relation_id: int, *, label: str = UNCHANGED,
                      confidence: str | None = UNCHANGED, note: str = UNCHANGED) -> Change:
        rel = self.relation(relation_id)
        fields: dict[str, Any] = {}
        if label is not UNCHANGED and label != rel.label:
            head, tail = self.entity(rel.head_id), self.entity(rel.tail_id)
            reason = self.schema.why_not(label, head.label, tail.label)
            if reason:
                raise ValidationError(reason)
            rel_label = self.schema.relation(label)
            assert rel_label is not None
            fields.update(label=label, directed=rel_label.directed)
            edits.check_duplicate_relation(
                self._relations_between(rel.head_id, rel.tail_id), rel.head_id, rel.tail_id,
                rel_label, ignore=rel.id)
        if confidence is not UNCHANGED and confidence != rel.confidence:
            _check_confidence(confidence)
            fields["confidence"] = confidence
        if note is not UNCHANGED and note != rel.note:
            fields["note"] = note
        if not fields:
            raise ValidationError("nothing to change")
        what = ", ".join(sorted(fields.keys() - {"directed"}))
        return self._run(edits.update_relation(self.store, rel, f"Edit {rel.label} ({what})",
                                               self.annotator, **fields))

    @_action
    def swap_relation(self, relation_id: int) -> Change:
        rel = self.relation(relation_id)
        if not rel.directed:
            raise ValidationError(f"{rel.label} is symmetric: it has no direction to swap")
        head, tail = self.entity(rel.head_id), self.entity(rel.tail_id)
        reason = self.schema.why_not(rel.label, tail.label, head.label)
        if reason:
            raise ValidationError(reason)
        label = self.schema.relation(rel.label)
        assert label is not None
        edits.check_duplicate_relation(self._relations_between(head.id, tail.id), tail.id,
                                       head.id, label, ignore=rel.id)
        return self._run(edits.update_relation(
            self.store, rel, f"Swap {rel.label} direction", self.annotator,
            head_id=rel.tail_id, tail_id=rel.head_id))

    @_action
    def delete_relation(self, relation_id: int) -> Change:
        rel = self.relation(relation_id)
        return self._run(edits.delete_rows(self.store, "relations", [rel.id],
                                           f"Delete {rel.label} relation"))

    @_action
    def accept_relation(self, relation_id: int) -> Change:
        rel = self.relation(relation_id)
        if rel.status == "accepted":
            raise ValidationError("the relation is already accepted")
        return self._run(edits.update_relation(self.store, rel, f"Accept {rel.label} relation",
                                               self.annotator, status="accepted"))

    @_action
    def reject_relation(self, relation_id: int) -> Change:
        """A rejected relation stays stored (hidden), so it is never suggested again."""
        rel = self.relation(relation_id)
        if rel.status == "rejected":
            raise ValidationError("the relation is already rejected")
        return self._run(edits.update_relation(self.store, rel, f"Reject {rel.label} relation",
                                               self.annotator, status="rejected"))

    # --- documents -------------------------------------------------------------------------------

    @_action
    def set_document_status(self, doc_id: int, status: str) -> Change:
        if status not in DOCUMENT_STATUSES:
            raise ValidationError(f"unknown document status {status!r}")
        # the columns the edit needs, not the row: a long document's text is megabytes
        current = self.store.row("documents", doc_id, ("id", "status", "updated_at"))
        if current is None:
            raise ValidationError(f"no document {doc_id}")
        if current["status"] == status:
            raise ValidationError(f"the document is already {status.replace('_', ' ')}")
        return self._run(edits.update_document(
            current, status=status, description=f"Mark document {status.replace('_', ' ')}"))

    @_action
    def delete_document(self, doc_id: int) -> Change:
        doc = self.document(doc_id)
        return self._run(edits.delete_document(self.store, doc, self.all_entities(doc_id),
                                               self.all_relations(doc_id)))

    @_action
    def perform(self, build: Callable[[], Command]) -> Change:
        """Build a command from the store's current state and apply it, undoably, in one
        write transaction (used by curation)."""
        return self._run(build())

    def import_records(self, records: Sequence[DocumentRecord], *, schema: Schema | None = None,
                       source: str | Sequence[str] = "") -> ImportResult:
        """Store documents with their annotations in one transaction (all or nothing).

        A document whose text is already stored is merged: annotations it already has
        are not duplicated. Labels from `schema` (the file's own) join the store's schema."""
        if schema is not None:
            self.merge_schema(schema)
        importer = RecordImporter(self.store, self.schema, self.annotator)
        return importer.run(records, source)

    def merge_schema(self, other: Schema) -> bool:
        """Add the labels of `other` that the store's schema lacks; True if any were added."""
        merged = edits.merge_schemas(self.schema, other)
        if merged == self.schema:
            return False
        self.store.save_label_schema(merged.to_dict())
        self._schema = merged
        return True

    # --- pre-annotation ----------------------------------------------------------------------------

    def suggestion_writer(self, model: str) -> SuggestionWriter:
        """Writes model suggestions in batches; see `annotate.suggestions`."""
        return SuggestionWriter(self.store, model, self.schema)

    def documents_to_annotate(self, model: str, ids: Iterable[int] | None = None) -> list[int]:
        return self.store.documents_without_run(model, ids)

    def _check_label(self, label: str) -> None:
        if self.schema.entity(label) is None:
            raise ValidationError(f"entity label {label!r} is not in the schema")


def _by_document(items: Iterable[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for item in items:
        out.setdefault(item.doc_id, []).append(item)
    return out


def _check_confidence(confidence: str | None) -> None:
    if confidence is not None and confidence not in CONFIDENCES:
        raise ValidationError(f"confidence must be one of {', '.join(CONFIDENCES)}")
