"""Relation annotation in the window: the relation table, the inspector, the builder.

`RelationUi(hub, presenter, view, entity_table, actions)` builds the relation table and
the inspector (the window puts them in its Relations and Inspector docks) and connects
the Relation menu (the window's frame built it, see `ui.relations.relation_actions`):

- every edit goes through `hub.perform` (stored, undoable, announced); the
  presenter redraws the arcs from the `Change`, and this controller
  brings the relation table and the inspector up to date from the same `Change`;
- selection follows both ways: an arc clicked selects its row and fills the
  inspector; a row selected selects its arc and scrolls the text to it.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from annotate.model import Change, Entity, Relation, ValidationError
from ui.relations.inspector import InspectorPanel
from ui.relations.relation_builder import RelationBuilder
from ui.relations.relation_table import RelationRow, RelationTablePanel, relation_row

if TYPE_CHECKING:
    from ui.common.hub import Hub
    from ui.document.document_view import DocumentView
    from ui.document.entity_table import EntityTableView
    from ui.document.presenter import DocumentPresenter
    from ui.relations.relation_actions import RelationActions


class RelationUi(QObject):
    """Keeps the relation table, the inspector and the builder in step with the window."""

    def __init__(self, hub: Hub, presenter: DocumentPresenter, view: DocumentView,
                 entity_table: EntityTableView, actions: RelationActions) -> None:
        super().__init__(hub)
        self.hub = hub
        self.session = hub.session
        self.view = view
        self.presenter = presenter
        self.current: int | None = None  # the relation shown in the inspector
        self.table = RelationTablePanel()
        self.inspector = InspectorPanel()
        self.builder = RelationBuilder(hub, presenter, view)
        self.actions = actions
        self.menu = actions.menu
        self.actions.bind(self.view, entity_table, self.table.table)
        self._connect()
        self.reload()

    def _connect(self) -> None:
        h, view, a, b = self.hub, self.view, self.actions, self.builder
        h.change_applied.connect(self._on_hub_change_applied)
        h.document_opened.connect(self._on_hub_document_opened)
        h.store_changed.connect(lambda: self.reload(keep_current=True))
        view.span_clicked.connect(b.on_span_clicked)
        view.span_selection_changed.connect(b.on_span_selection_changed)
        view.span_selection_changed.connect(self._on_view_span_selection_changed)
        view.relation_dragged.connect(b.on_relation_dragged)
        view.arc_selection_changed.connect(self._on_view_arc_selection_changed)
        b.relation_created.connect(self._on_builder_relation_created)
        b.marks_changed.connect(lambda *_: self._update_actions())
        self.table.relation_selected.connect(self._on_table_relation_selected)
        ins = self.inspector.relation
        ins.label_chosen.connect(
            lambda rid, label: self._edit(lambda: self.session.edit_relation(rid, label=label)))
        ins.confidence_chosen.connect(lambda rid, value: self._edit(
            lambda: self.session.edit_relation(rid, confidence=value)))
        ins.note_edited.connect(
            lambda rid, note: self._edit(lambda: self.session.edit_relation(rid, note=note)))
        ins.swap_requested.connect(lambda rid: self._edit(lambda: self.session.swap_relation(rid)))
        ins.delete_requested.connect(self.delete)
        a.new_relation.triggered.connect(b.new_relation)
        a.mark_head.triggered.connect(b.mark_head)
        a.mark_tail.triggered.connect(b.mark_tail)
        a.cancel.triggered.connect(self._on_cancel_triggered)
        a.delete.triggered.connect(lambda: self.delete(self.current))
        a.delete_key.triggered.connect(self._on_delete_key_triggered)
        a.swap.triggered.connect(self.swap)
        a.change_label.triggered.connect(self._on_change_label_triggered)
        for name, action in a.confidence.items():
            action.triggered.connect(lambda _=False, n=name: self.toggle_confidence(n))
        a.edit_note.triggered.connect(self._on_edit_note_triggered)

    # --- verbs --------------------------------------------------------------------------------

    def _edit(self, verb) -> Change | None:  # type: ignore[no-untyped-def]
        change = self.hub.perform(verb)
        if change is None:
            self._show_current()  # a refused edit: show the stored values again
        return change

    def delete(self, relation_id: int | None) -> None:
        if relation_id is None:
            self.hub.say("Select a relation first: click its arc or its row", error=True)
            return
        self.hub.perform(lambda: self.session.delete_relation(relation_id))

    def swap(self) -> None:
        if self.current is None:
            self.hub.say("Select a relation first: click its arc or its row", error=True)
            return
        rid = self.current
        self._edit(lambda: self.session.swap_relation(rid))

    # --- keeping up with the store ------------------------------------------------------------

    def reload(self, keep_current: bool = False) -> None:
        """Fill the table from the open document (after opening it or background work)."""
        doc = self.presenter.document
        rows = [] if doc is None else self._rows(
            r for r in self.session.relations(doc.id) if self.presenter.relation_shown(r))
        self.table.source.set_rows(rows)
        if not keep_current or self.current not in {r.id for r in rows}:
            self.current = None
        self.table.select_relation(self.current)
        self._show_current()
        self._show_entity()
        self._update_actions()

    def _rows(self, relations: Iterable[Relation]) -> list[RelationRow]:
        doc, schema = self.presenter.document, self.session.schema
        text = doc.text if doc is not None else ""
        rows = []
        for rel in relations:
            label = schema.relation(rel.label)
            rows.append(relation_row(rel, self._entity(rel.head_id), self._entity(rel.tail_id),
                                     text, label.colour if label is not None else "#555555"))
        return rows

    def _entity(self, entity_id: int) -> Entity | None:
        return self.presenter.entity(entity_id)

    def _on_hub_document_opened(self, _doc_id: object) -> None:
        self.builder.cancel()
        self.reload()

    def _on_hub_change_applied(self, change: Change) -> None:
        doc = self.presenter.document
        if doc is None or doc.id not in change.documents:
            self._update_actions()
            return
        touched = set(change.relations)
        if change.entities:  # a relabelled or resized entity changes its relations' rows
            entities = set(change.entities)
            touched |= {r.id for r in self.table.source.rows()
                        if r.head_id in entities or r.tail_id in entities}
            if self.builder.head in entities or self.builder.tail in entities:
                self.builder.cancel()
        self._refresh_rows(touched)
        if self.current is not None and self.table.source.row(self.current) is None:
            self.current = None
        if len(change.relations) == 1 and not change.entities:
            # one relation added, edited or brought back by undo: show it
            only = change.relations[0]
            if self.table.source.row(only) is not None and only != self.current:
                self.set_current(only)
        self._show_current()
        self._show_entity()
        self._update_actions()

    def _refresh_rows(self, ids: Iterable[int]) -> None:
        keep, gone = self.presenter.split_relations(ids)
        self.table.source.remove(gone)
        self.table.source.upsert(self._rows(keep))
        # the table highlights the inspector's relation: the one Ctrl+Del and the
        # inspector's fields act on
        self.table.select_relation(self.current)

    # --- selection, both ways -----------------------------------------------------------------

    def set_current(self, relation_id: int | None) -> None:
        """Show a relation in the inspector and select its row (without echoing it)."""
        self.current = relation_id
        self.table.select_relation(relation_id)
        self._show_current()
        self._update_actions()

    def _on_view_arc_selection_changed(self, arc_id: int | None) -> None:
        if arc_id is not None:
            self.set_current(arc_id)
        elif not self._current_touches(self.view.selected_span()):
            self.set_current(None)

    def _on_table_relation_selected(self, relation_id: int | None) -> None:
        if relation_id is None:
            return
        self.set_current(relation_id)
        self.view.select_arc(relation_id)
        row = self.table.source.row(relation_id)
        if row is not None:
            self.view.scroll_to_offset(row.position)

    def _on_view_span_selection_changed(self, span_id: int | None) -> None:
        if self.current is not None and span_id is not None and not self._current_touches(span_id):
            self.set_current(None)
        self._show_entity()
        self._update_actions()

    def _on_builder_relation_created(self, relation_id: int) -> None:
        self.set_current(relation_id)
        row = self.table.source.row(relation_id)
        if row is not None and self.view.selected_span() not in (row.head_id, row.tail_id):
            # another entity is selected (after a drag): the new arc would be drawn dimmed
            # behind it; select the arc instead (the keyboard flow keeps its entity)
            self.view.select_arc(relation_id)

    def _current_touches(self, span_id: int | None) -> bool:
        row = self.table.source.row(self.current) if self.current is not None else None
        return row is not None and span_id in (row.head_id, row.tail_id)

    def _on_cancel_triggered(self) -> None:
        if self.builder.active:
            self.builder.cancel()
            self.hub.say("Relation cancelled")

    def _on_delete_key_triggered(self) -> None:
        self.delete(self.table.selected_relation())

    def toggle_confidence(self, level: str) -> None:
        """Set the shown relation's confidence to `level` (or clear it if it is set)."""
        if self.current is None:
            self.hub.say("Select a relation first: click its arc or its row", error=True)
            return
        rid, stored = self.current, self.session.relation(self.current).confidence
        value = None if stored == level else level
        self._edit(lambda: self.session.edit_relation(rid, confidence=value))

    def _on_change_label_triggered(self) -> None:
        combo = self.inspector.relation.label
        if self.current is not None and combo.isEnabled():
            combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
            combo.showPopup()

    def _on_edit_note_triggered(self) -> None:
        note = self.inspector.relation.note
        if self.current is not None and note.isEnabled():
            note.setFocus(Qt.FocusReason.ShortcutFocusReason)
            note.selectAll()

    # --- showing ------------------------------------------------------------------------------

    def _show_current(self) -> None:
        panel = self.inspector.relation
        rel = None
        if self.current is not None:
            try:
                rel = self.session.relation(self.current)
            except ValidationError:
                self.current = None
        if rel is None:
            panel.show_relation(None)
            return
        head, tail = self._entity(rel.head_id), self._entity(rel.tail_id)
        allowed = (self.session.schema.allowed_relations(head.label, tail.label)
                   if head is not None and tail is not None else ())
        row = self.table.source.row(rel.id)
        panel.show_relation(rel, head, tail, allowed, row.evidence if row is not None else "",
                            swappable=self._swappable(rel.label, rel.directed, head, tail))

    def _swappable(self, label: str, directed: bool, head: Entity | None,
                   tail: Entity | None) -> bool:
        """Whether Swap would be accepted: directed, and allowed from tail to head."""
        if not directed or head is None or tail is None:
            return False
        return not self.session.schema.why_not(label, tail.label, head.label)

    def _show_entity(self) -> None:
        entity = self._entity(self.view.selected_span()) if self.view.selected_span() else None
        panel = self.inspector.entity
        if entity is None:
            panel.show_entity(None)
            return
        try:
            group = self.session.same_as_group(entity.id)
        except ValidationError:
            group = [entity]
        count = sum(entity.id in (r.head_id, r.tail_id) for r in self.table.source.rows())
        panel.show_entity(entity, group, count, self.session.references(entity))

    def _update_actions(self) -> None:
        a = self.actions
        has_doc = self.presenter.document is not None
        row = self.table.source.row(self.current) if self.current is not None else None
        a.delete.setEnabled(row is not None)
        for action in (a.change_label, a.edit_note, *a.confidence.values()):
            action.setEnabled(row is not None)
        a.swap.setEnabled(row is not None and self._swappable(
            row.label, row.directed, self._entity(row.head_id), self._entity(row.tail_id)))
        a.new_relation.setEnabled(has_doc)
        a.mark_head.setEnabled(has_doc)
        a.mark_tail.setEnabled(has_doc)
        a.cancel.setEnabled(self.builder.active)
