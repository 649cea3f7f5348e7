"""Creating a relation in three actions: head, tail, label.

- Mouse: click the head, then Ctrl-click (or Shift-click) the tail; or drag from
  the head onto the tail.
- Keyboard: Tab / Shift+Tab to the head, `[` marks it; Tab to the tail, `]` marks
  it; Esc cancels.

Either way a small menu then lists only the relation labels the schema allows
from the head's label to the tail's, each with its key, so the label is one key
press (or click). A key for a label the schema does not allow there is refused
with the schema's reason; nothing is stored. The session fills in the evidence
sentence.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCursor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from annotate.model import Entity
from annotate.schema import RelationLabel, Schema
from ui.relations.inspector import label_swatch

if TYPE_CHECKING:
    from ui.shell.main_window import MainWindow

PICK_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class LabelMenu(QMenu):
    """The relation labels allowed from `head` to `tail`, each picked by its key.

    `label_chosen(str)` for an allowed label (a click, Enter, or its key);
    `label_refused(str)` for the key of a schema label that is not offered here."""

    label_chosen = Signal(str)
    label_refused = Signal(str)

    def __init__(self, head: Entity, tail: Entity, schema: Schema,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relationLabelMenu")
        self.schema = schema
        self.allowed: tuple[RelationLabel, ...] = schema.allowed_relations(head.label, tail.label)
        self.chosen: str | None = None
        self._refusal: QAction | None = None
        self.addSection(
            f"{_short(head.text)} ({head.label}) → {_short(tail.text)} ({tail.label})")
        self.label_actions: dict[str, QAction] = {}
        for label in self.allowed:
            arrow = "→" if label.directed else "—"
            action = self.addAction(label_swatch(label.colour),
                                    f"{arrow}{label.name}{arrow}\t{label.key}")
            action.setToolTip(label.description)
            action.setStatusTip(label.description)
            action.triggered.connect(lambda _=False, n=label.name: self._choose(n))
            self.label_actions[label.name] = action
        if not self.allowed:
            none = self.addAction(f"No relation label links {head.label} to {tail.label}")
            none.setEnabled(False)
        self.addSeparator()
        cancel = self.addAction("Cancel\tEsc")
        cancel.triggered.connect(self.close)
        if self.allowed:
            self.setActiveAction(self.label_actions[self.allowed[0].name])

    def _choose(self, name: str) -> None:
        self.chosen = name
        self.label_chosen.emit(name)

    def label_for_key(self, event: QKeyEvent) -> RelationLabel | None:
        """The schema's relation label whose key this is, allowed here or not."""
        text = event.text()
        pressed = QKeySequence(event.keyCombination())
        for label in self.schema.relation_labels:
            if not label.key:
                continue
            if len(label.key) == 1 and text and text.casefold() == label.key.casefold():
                return label
            if pressed.matches(QKeySequence(label.key)) == QKeySequence.SequenceMatch.ExactMatch:
                return label
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        label = self.label_for_key(event)
        if label is None:
            super().keyPressEvent(event)
            return
        event.accept()
        if label.name in self.label_actions:
            self.label_actions[label.name].trigger()
        else:
            self.label_refused.emit(label.name)

    def show_refusal(self, reason: str) -> None:
        """Say, inside the menu, why the last key was refused."""
        if self._refusal is None:
            self._refusal = self.addAction("")
            self._refusal.setEnabled(False)
        self._refusal.setText("✗ " + reason)
        self.adjustSize()


class RelationBuilder(QObject):
    """Collects head and tail from clicks, drags and keys, then asks for the label.

    `marks_changed(head, tail)` when the marked entities change;
    `relation_created(int)` with the new relation's id."""

    marks_changed = Signal(object, object)
    relation_created = Signal(int)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.view = window.view
        self.presenter = window.presenter
        self.head: int | None = None
        self.tail: int | None = None
        self.menu: LabelMenu | None = None
        self._current: int | None = None  # the view's selected entity,
        self._before: int | None = None  # and the one selected before it

    # --- what the view reports --------------------------------------------------------------

    def on_span_selection_changed(self, span_id: int | None) -> None:
        if span_id is None:
            self._before = self._current = None
        elif span_id != self._current:
            self._before, self._current = self._current, span_id

    def on_span_clicked(self, span_id: int, modifiers: int) -> None:
        """A Ctrl- or Shift-click picks the tail; the head is the marked or the
        previously selected entity."""
        if not Qt.KeyboardModifier(modifiers) & PICK_MODIFIERS:
            return
        head = self.head if self.head is not None and self.head != span_id else self._before
        if head is None or head == span_id or self.presenter.entity(head) is None:
            self.mark(span_id, None)
            self.window.say("Head marked: now Ctrl-click the tail entity")
            return
        self.propose(head, span_id, QCursor.pos())

    def on_relation_dragged(self, head: int, tail: int) -> None:
        self.propose(head, tail, QCursor.pos())

    # --- keyboard ---------------------------------------------------------------------------

    def mark_head(self) -> None:
        entity = self._need_selected("mark it as the head")
        if entity is None:
            return
        tail = self.tail if self.tail != entity.id else None
        self.mark(entity.id, tail)
        if tail is not None:
            self.propose(entity.id, tail)
        else:
            self.window.say(
                f"Head: “{_short(entity.text)}”. Now go to the tail (Tab) and press ]")

    def mark_tail(self) -> None:
        entity = self._need_selected("mark it as the tail")
        if entity is None:
            return
        if self.head is None:
            self.window.say("Mark the head first: select it and press [", error=True)
            return
        if self.head == entity.id:
            self.window.say("The tail must be another entity than the head", error=True)
            return
        self.propose(self.head, entity.id)

    def new_relation(self) -> None:
        """Ask for the label of the marked pair, or of the marked head and the selected entity."""
        tail = self.tail if self.tail is not None else self.view.selected_span()
        if self.head is None or tail is None or tail == self.head:
            self.window.say("Mark a head ([) and a tail (]) first, or Ctrl-click the tail",
                            error=True)
            return
        self.propose(self.head, tail)

    def cancel(self) -> None:
        if self.menu is not None:
            menu, self.menu = self.menu, None
            menu.close()
        self.mark(None, None)

    @property
    def active(self) -> bool:
        return self.head is not None or self.tail is not None

    # --- marks and the label menu -----------------------------------------------------------

    def mark(self, head: int | None, tail: int | None) -> None:
        if (head, tail) == (self.head, self.tail):
            return
        self.head, self.tail = head, tail
        self.view.set_marked(head, tail)
        self.marks_changed.emit(head, tail)

    def propose(self, head_id: int, tail_id: int, at: QPoint | None = None) -> LabelMenu | None:
        """Mark the pair and pop up the labels allowed between them."""
        head, tail = self.presenter.entity(head_id), self.presenter.entity(tail_id)
        if head is None or tail is None or head_id == tail_id:
            self.window.say("A relation needs two different entities", error=True)
            return None
        self.mark(head_id, tail_id)
        if self.menu is not None:
            old, self.menu = self.menu, None
            old.close()
        menu = LabelMenu(head, tail, self.session.schema, self.view)
        menu.label_chosen.connect(self._on_menu_label_chosen)
        menu.label_refused.connect(self._on_menu_label_chosen)  # the session says why not
        menu.aboutToHide.connect(lambda m=menu: self._on_menu_about_to_hide(m))
        self.menu = menu
        if not menu.allowed:
            self.window.say(f"The schema has no relation from {head.label} to {tail.label}",
                            error=True)
        else:
            self.window.say("Pick the relation label: press its key, or Esc to cancel")
        menu.popup(at if at is not None else self._menu_position(tail_id))
        return menu

    def _menu_position(self, span_id: int) -> QPoint:
        rects = self.view.span_rects(span_id)
        viewport = self.view.viewport()
        if not rects:
            return viewport.mapToGlobal(viewport.rect().center())
        return viewport.mapToGlobal(rects[0].bottomLeft().toPoint() + QPoint(0, 4))

    def choose(self, label: str) -> int | None:
        """Store the relation head → tail with `label`; its id, or None if refused."""
        head, tail = self.head, self.tail
        if head is None or tail is None:
            return None
        change = self.window.perform(lambda: self.session.add_relation(head, tail, label))
        if change is None or not change.relations:
            return None
        if self.menu is not None:
            menu, self.menu = self.menu, None
            menu.close()
        self.mark(None, None)
        self.relation_created.emit(change.relations[0])
        return change.relations[0]

    def _on_menu_label_chosen(self, label: str) -> None:
        if self.choose(label) is None and self.menu is not None and self.menu.isVisible():
            self.menu.show_refusal(self.window.statusBar().currentMessage())

    def _on_menu_about_to_hide(self, menu: LabelMenu) -> None:
        # a click hides the menu before its action triggers: decide once that has happened
        QTimer.singleShot(0, self, lambda: self._after_menu_hidden(menu))

    def _after_menu_hidden(self, menu: LabelMenu) -> None:
        if menu is self.menu:
            self.menu = None
            if menu.chosen is None:  # Esc, Cancel, or a click elsewhere
                self.mark(None, None)
                self.window.say("Relation cancelled")
        menu.deleteLater()

    def _need_selected(self, what: str) -> Entity | None:
        entity = self.presenter.entity(self.view.selected_span())
        if entity is None:
            self.window.say(f"Select an entity to {what}: click it, or press Tab", error=True)
        return entity


def _short(text: str, width: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
