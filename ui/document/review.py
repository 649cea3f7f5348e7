"""Entity review: what the review keys, the palette and the context menu do.

Every action goes through the session (so it is stored, in the history and
undoable) via the hub's `perform`, which has the window apply the returned `Change`
to the widgets; this class only decides *what* to do and what to select after.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from annotate.model import Change, Entity

if TYPE_CHECKING:
    from ui.common.hub import Hub
    from ui.document.document_view import DocumentView
    from ui.document.presenter import DocumentPresenter
    from ui.shell.actions import WindowActions


class EntityReview:
    def __init__(self, hub: Hub, presenter: DocumentPresenter, view: DocumentView,
                 actions: WindowActions) -> None:
        self.hub = hub
        self.session = hub.session
        self.presenter = presenter
        self.view = view
        self.actions = actions
        # A and X on a selected relation suggestion (no entity selected): the model room
        # sets this (see ui.model.model_ui); True when it took the key
        self.decide_relation: Callable[[bool], bool] = lambda _accept: False

    # --- what is selected -------------------------------------------------------------------------

    def selected(self) -> Entity | None:
        return self.presenter.entity(self.view.selected_span())

    def _need_entity(self) -> Entity | None:
        entity = self.selected()
        if entity is None:
            self.hub.say("Select an entity first: click it, or press Tab to go to the next one")
        return entity

    def select(self, entity_id: int | None, *, scroll: bool = True) -> None:
        self.view.select_span(entity_id)
        if entity_id is not None and scroll:
            self.view.scroll_to_span(entity_id)

    # --- verbs ------------------------------------------------------------------------------------

    def apply_label(self, label: str, selection: tuple[int, int] | None = None) -> None:
        """Label the selected text, or relabel the selected entity."""
        doc_id = self.presenter.doc_id
        if doc_id is None:
            return
        selection = selection or self.view.text_selection()
        if selection is not None:
            start, end = selection
            snap = self.actions.snap.isChecked()
            change = self.hub.perform(
                lambda: self.session.add_entity(doc_id, start, end, label, snap=snap))
            if change is not None:
                self._clear_text_selection()
                self.select(_first(change), scroll=False)
            return
        entity = self.selected()
        if entity is None:
            self.hub.say("Select some text to label, or an entity to relabel")
            return
        self.hub.perform(lambda: self.session.relabel_entity(entity.id, label))

    def accept(self) -> None:
        if self.selected() is None and self.decide_relation(True):
            return
        entity = self._need_entity()
        if entity is not None and self.hub.perform(
                lambda: self.session.accept_entity(entity.id)) is not None:
            self.select(self._next_suggestion(entity) or entity.id)

    def reject(self) -> None:
        if self.selected() is None and self.decide_relation(False):
            return
        entity = self._need_entity()
        if entity is None or self.hub.perform(
                lambda: self.session.reject_entity(entity.id)) is None:
            return
        following = self._next_suggestion(entity)
        if following is None and not self.actions.show_rejected.isChecked():
            following = self._neighbour(entity)
        self.select(following or entity.id)

    def delete(self) -> None:
        entity = self._need_entity()
        if entity is None:
            return
        neighbour = self._neighbour(entity)
        if self.hub.perform(lambda: self.session.delete_entity(entity.id)) is not None:
            self.select(neighbour)

    def accept_all(self, label: str | None = None) -> None:
        """Accept the suggestions on screen (of `label`): exactly the ids the analyst sees,
        never one another program wrote meanwhile; the status bar says how many."""
        doc_id = self.presenter.doc_id
        if doc_id is None:
            return
        shown = [e.id for e in self.presenter.entities() if e.status == "suggested"
                 and (label is None or e.label == label) and self._visible(e)]
        if not shown:
            self.hub.say("No suggestions on screen to accept", error=True)
            return
        change = self.hub.perform(lambda: self.session.accept_all(doc_id, label, ids=shown))
        if change is not None:
            self.hub.say(f"{change.description} — Ctrl+Z undoes it")

    def move(self, direction: int) -> None:
        """Tab / Shift+Tab: the next entity or, in the text, the next relation suggestion
        drawn there (whose arc A and X then decide)."""
        stop = self.view.next_stop(direction, arcs=self.view.hasFocus())
        if stop is None:
            self.hub.say("This document has no entities to go to")
            self.select(None)
        elif stop[0] == "arc":
            self.view.select_arc(stop[1])
            self.view.scroll_to_arc(stop[1])
        else:
            self.select(stop[1])

    # --- choosing what comes next -----------------------------------------------------------------

    def _visible(self, entity: Entity) -> bool:
        if entity.label in self.view.hidden_labels():
            return False
        return entity.status != "rejected" or self.actions.show_rejected.isChecked()

    def _next_suggestion(self, after: Entity) -> int | None:
        """The next suggestion to review after `after`, in text order (wrapping around)."""
        entities = self.presenter.entities()
        key = (after.start, after.end, after.id)
        later = [e for e in entities if (e.start, e.end, e.id) > key]
        earlier = [e for e in entities if (e.start, e.end, e.id) < key]
        for entity in later + earlier:
            if entity.status == "suggested" and self._visible(entity):
                return entity.id
        return None

    def _neighbour(self, of: Entity) -> int | None:
        """The visible entity after `of` in text order, else the one before."""
        entities = [e for e in self.presenter.entities() if e.id != of.id and self._visible(e)]
        key = (of.start, of.end, of.id)
        later = [e for e in entities if (e.start, e.end, e.id) > key]
        if later:
            return later[0].id
        return entities[-1].id if entities else None

    def _clear_text_selection(self) -> None:
        cursor = self.view.textCursor()
        cursor.clearSelection()
        self.view.setTextCursor(cursor)

    # --- context menu -----------------------------------------------------------------------------

    def context_menu(self, span_id: int | None, selection: tuple[int, int] | None,
                     pos: QPoint) -> QMenu:
        menu = QMenu(self.view)
        menu.setObjectName("documentContextMenu")
        labels = self.session.schema.entity_labels
        if selection is not None:
            text = " ".join(self.view.text()[selection[0]:selection[1]].split())
            menu.addSection(f"Label “{_short(text)}” as")
            for label in labels:
                action = menu.addAction(label.name, lambda n=label.name, s=selection:
                                        self.apply_label(n, s))
                action.setShortcut(QKeySequence(label.key) if label.key else QKeySequence())
        entity = self.presenter.entity(span_id)
        if entity is not None:
            menu.addSection(f"{entity.label} “{_short(entity.text)}”")
            actions = self.actions
            menu.addActions([actions.accept, actions.reject, actions.delete])
            relabel = menu.addMenu("Relabel As")
            for label in labels:
                if label.name != entity.label:
                    relabel.addAction(label.name, _bind(self._relabel, entity.id, label.name))
        menu.addSeparator()
        menu.addAction(self.actions.snap)
        menu.popup(pos)
        return menu

    def _relabel(self, entity_id: int, label: str) -> None:
        self.hub.perform(lambda: self.session.relabel_entity(entity_id, label))


def _first(change: Change) -> int | None:
    return change.entities[0] if change.entities else None


def _short(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _bind(fn: Callable[[int, str], None], entity_id: int, label: str) -> Callable[[], None]:
    return lambda: fn(entity_id, label)
