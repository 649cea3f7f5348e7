"""Keeps the open document's view and entity table in step with the session.

The presenter turns domain values (`Entity`, `Relation`) into what the widgets
draw (`ViewSpan`, `ViewArc`, table rows) and, given a `Change`, re-reads and
redraws only the entities and relations it names.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from annotate.model import Change, Document, Entity, Relation, ValidationError
from annotate.schema import Schema
from annotate.session import Session
from ui.document.document_view import DocumentView, ViewArc, ViewSpan
from ui.document.entity_table import EntityTableView, origin_text

STATUS_TEXT = {"suggested": "Suggestion (not reviewed yet)", "accepted": "Accepted",
               "rejected": "Rejected"}


def entity_tooltip(entity: Entity, schema: Schema) -> str:
    label = schema.entity(entity.label)
    about = f" — {label.description}" if label is not None and label.description else ""
    if entity.is_model:
        origin = f"model {origin_text(entity.origin)}"
    else:
        origin = f"human ({entity.annotator})" if entity.annotator else "human"
    return (f"{entity.label}{about}\nStatus: {STATUS_TEXT.get(entity.status, entity.status)}"
            f"\nOrigin: {origin}")


def view_span(entity: Entity, schema: Schema) -> ViewSpan:
    label = schema.entity(entity.label)
    return ViewSpan(entity.id, entity.start, entity.end, entity.label,
                    label.colour if label is not None else "#cccccc", entity.status,
                    entity_tooltip(entity, schema))


def view_arc(relation: Relation, schema: Schema) -> ViewArc:
    label = schema.relation(relation.label)
    return ViewArc(relation.id, relation.head_id, relation.tail_id, relation.label,
                   label.colour if label is not None else "#555555", relation.directed,
                   suggested=relation.status == "suggested")


class DocumentPresenter:
    """Shows one document of the session in a `DocumentView` and an `EntityTableView`."""

    def __init__(self, session: Session, view: DocumentView, table: EntityTableView) -> None:
        self.session = session
        self.view = view
        self.table = table
        self.document: Document | None = None
        self._relations: dict[int, Relation] = {}
        # which relations the text and the relation table show (the model room hides weak
        # suggestions too)
        self.relation_shown: Callable[[Relation], bool] = lambda r: r.status != "rejected"

    @property
    def doc_id(self) -> int | None:
        return self.document.id if self.document is not None else None

    def open(self, doc_id: int | None) -> None:
        """Show a document (None shows nothing)."""
        if doc_id is None:
            self.document = None
            self._relations = {}
            self.view.set_document("", [])
            self.table.source.set_entities([])
            return
        self.document = self.session.document(doc_id)
        entities = self.session.entities(doc_id)
        relations = [r for r in self.session.relations(doc_id) if self.relation_shown(r)]
        self._relations = {r.id: r for r in relations}
        schema = self.session.schema
        self.table.source.set_colours({lab.name: lab.colour for lab in schema.entity_labels})
        self.table.source.set_entities(entities)
        self.view.set_document(self.document.text, [view_span(e, schema) for e in entities],
                               [view_arc(r, schema) for r in relations])

    def reload_document_row(self) -> None:
        """Re-read the document's own row (title, status) after it changed."""
        if self.document is not None:
            try:
                self.document = self.session.document(self.document.id)
            except ValidationError:
                self.open(None)

    def apply(self, change: Change) -> None:
        """Redraw the entities and relations of the open document that `change` names."""
        if self.document is None or self.document.id not in change.documents:
            return
        if change.entities:
            self.refresh_entities(change.entities)
        if change.relations:
            self.refresh_relations(change.relations)
        self.reload_document_row()

    def refresh_entities(self, ids: Iterable[int]) -> None:
        schema, doc_id = self.session.schema, self.doc_id
        present: list[Entity] = []
        gone_ids: list[int] = []
        for entity_id in dict.fromkeys(ids):
            try:
                entity = self.session.entity(entity_id)
            except ValidationError:
                gone_ids.append(entity_id)
                continue
            if entity.doc_id == doc_id:
                present.append(entity)
            else:
                gone_ids.append(entity_id)
        if gone_ids:
            self.view.remove_spans(gone_ids)
            self.table.source.remove(gone_ids)
        if present:
            self.view.upsert_spans([view_span(e, schema) for e in present])
            self.table.source.upsert(present)

    def split_relations(self, ids: Iterable[int]) -> tuple[list[Relation], list[int]]:
        """The relations among `ids` to show in the open document, and the ids to drop
        (deleted, rejected, or of another document)."""
        keep: list[Relation] = []
        gone: list[int] = []
        for relation_id in dict.fromkeys(ids):
            try:
                relation = self.session.relation(relation_id)
            except ValidationError:
                gone.append(relation_id)
                continue
            if relation.doc_id == self.doc_id and self.relation_shown(relation):
                keep.append(relation)
            else:
                gone.append(relation_id)
        return keep, gone

    def refresh_relations(self, ids: Iterable[int]) -> None:
        schema = self.session.schema
        keep, gone = self.split_relations(ids)
        for relation_id in gone:
            self._relations.pop(relation_id, None)
        if gone:
            self.view.remove_arcs(gone)
        if keep:
            self._relations.update((r.id, r) for r in keep)
            self.view.upsert_arcs([view_arc(r, schema) for r in keep])

    def resync(self) -> None:
        """Bring the open document up to date after work done elsewhere (a background job)."""
        if self.document is None:
            return
        shown = {e.id: e for e in self.table.source.entities()}
        stored = {e.id: e for e in self.session.entities(self.document.id)}
        changed = [i for i, e in stored.items() if shown.get(i) != e]
        removed = [i for i in shown if i not in stored]
        if changed or removed:
            self.refresh_entities(changed + removed)
        stored_rels = {r.id for r in self.session.relations(self.document.id)}
        self.refresh_relations(stored_rels | set(self._relations))
        self.reload_document_row()

    def restyle(self) -> None:
        """Redraw every entity, e.g. after the schema's colours changed."""
        if self.document is not None:
            self.refresh_entities([e.id for e in self.table.source.entities()])

    # --- reading what is shown --------------------------------------------------------------------

    def entities(self) -> list[Entity]:
        return self.table.source.entities()

    def entity(self, entity_id: int | None) -> Entity | None:
        return self.table.source.entity(entity_id) if entity_id is not None else None

    def counts(self) -> tuple[int, int, int]:
        """(entities, suggestions, relations) of the open document, rejected not counted."""
        entities = self.entities()
        return (sum(e.status != "rejected" for e in entities),
                sum(e.status == "suggested" for e in entities), len(self._relations))

    def label_counts(self) -> Counter[str]:
        return Counter(e.label for e in self.entities() if e.status != "rejected")
