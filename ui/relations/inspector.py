"""The inspector: edit the selected relation, see the selected entity and its actor.

A plain widget: it is handed plain values (`Relation`, `Entity`, allowed
`RelationLabel`s) and emits what the user asked for, with the relation's id; the
relation controller turns those requests into session verbs. The note is sent
when editing finishes (Enter or leaving the field), never per keystroke.
"""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotate.model import CONFIDENCES, Entity, Relation
from annotate.references import Reference
from annotate.schema import RelationLabel
from ui.document.entity_table import origin_text
from ui.relations.relation_table import short_time

EVIDENCE_CHARS = 200  # a long evidence passage is cut here (the tooltip has it all)
STATUS_TEXT = {"suggested": "Suggestion (not reviewed)", "accepted": "Accepted",
               "rejected": "Rejected"}


def label_swatch(colour: str) -> QIcon:
    """A small square of a label's colour, for menus and lists."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class RelationInspector(QGroupBox):
    """Label, direction, confidence, note and delete for one relation."""

    label_chosen = Signal(int, str)
    swap_requested = Signal(int)
    confidence_chosen = Signal(int, object)  # relation id, "low"/"moderate"/"high" or None
    note_edited = Signal(int, str)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Relation", parent)
        self.setObjectName("relationInspector")
        # the inspector takes the focus back from a button it disables (Delete): Qt would
        # pass it on to the next field, a filter where the next key would be typed
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.relation: Relation | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("relationSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.label = QComboBox(self)
        self.label.setObjectName("relationLabel")
        self.swap = QToolButton(self)
        self.swap.setObjectName("swapDirection")
        self.swap.setText("⇄ Swap")
        self.swap.setToolTip("Swap head and tail")
        self.confidence = QButtonGroup(self)
        self.confidence.setExclusive(False)
        self.note = QLineEdit(self)
        self.note.setObjectName("relationNote")
        self.note.setPlaceholderText("Note (Enter to save)")
        self.evidence = QLabel(self)
        self.evidence.setObjectName("relationEvidence")
        self.evidence.setWordWrap(True)
        self.evidence.setTextFormat(Qt.TextFormat.PlainText)
        self.evidence.setStyleSheet("color: #4a5260;")
        self.meta = QLabel(self)
        self.meta.setStyleSheet("color: #6b7280;")
        self.delete = QPushButton("Delete Relation", self)
        self.delete.setObjectName("deleteRelation")
        self._layout()
        self._connect()
        self.show_relation(None)

    def _layout(self) -> None:
        label_row = QHBoxLayout()
        label_row.addWidget(self.label, 1)
        label_row.addWidget(self.swap)
        confidence_row = QHBoxLayout()
        confidence_row.setSpacing(0)
        for k, name in enumerate(CONFIDENCES):
            button = QToolButton(self)
            button.setObjectName(f"confidence_{name}")
            button.setText(name.capitalize())
            button.setCheckable(True)
            button.setAutoRaise(False)
            self.confidence.addButton(button, k)
            confidence_row.addWidget(button)
        confidence_row.addStretch(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Label", label_row)
        form.addRow("Confidence", confidence_row)
        form.addRow("Note", self.note)
        form.addRow("Evidence", self.evidence)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        bottom = QHBoxLayout()
        bottom.addWidget(self.meta, 1)
        bottom.addWidget(self.delete)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        self.label.activated.connect(self._on_label_activated)
        self.swap.clicked.connect(lambda: self._emit(self.swap_requested))
        self.confidence.idClicked.connect(self._on_confidence_id_clicked)
        self.note.editingFinished.connect(self._on_note_editing_finished)
        self.delete.clicked.connect(lambda: self._emit(self.delete_requested))

    # --- showing ------------------------------------------------------------------------------

    def show_relation(self, relation: Relation | None, head: Entity | None = None,
                      tail: Entity | None = None, allowed: Sequence[RelationLabel] = (),
                      evidence: str = "", swappable: bool = True) -> None:
        """Show `relation` (None: nothing selected); `allowed` are the labels it may take,
        `swappable` whether the schema allows it the other way round."""
        focus = QApplication.focusWidget()
        had_focus = focus is not None and self.isAncestorOf(focus)
        self.relation = relation
        for widget in (self.label, self.swap, self.note, self.delete,
                       *self.confidence.buttons()):
            widget.setEnabled(relation is not None)
        self._fill(relation, head, tail, allowed, evidence, swappable)
        focus = QApplication.focusWidget()
        if had_focus and (focus is None or not self.isAncestorOf(focus)):
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill(self, relation: Relation | None, head: Entity | None, tail: Entity | None,
              allowed: Sequence[RelationLabel], evidence: str, swappable: bool) -> None:
        with QSignalBlocker(self.label):
            self.label.clear()
            for option in allowed:
                self.label.addItem(label_swatch(option.colour), _label_text(option), option.name)
                self.label.setItemData(self.label.count() - 1, option.description,
                                       Qt.ItemDataRole.ToolTipRole)
        if relation is None:
            self.summary.setText("Select an arc or a row of the relation table.")
            self.note.setText("")
            self.evidence.setText("")
            self.meta.setText("")
            self._check_confidence(None)
            return
        arrow = "→" if relation.directed else "—"
        names = (head.text if head else "?", tail.text if tail else "?")
        self.summary.setText(f"{_one_line(names[0])}  {arrow}{relation.label}{arrow}  "
                             f"{_one_line(names[1])}")
        with QSignalBlocker(self.label):
            at = self.label.findData(relation.label)
            if at < 0:  # not allowed any more (the schema changed): still show what it is
                self.label.addItem(relation.label, relation.label)
                at = self.label.count() - 1
            self.label.setCurrentIndex(at)
        self.swap.setEnabled(relation.directed and swappable)
        self.swap.setToolTip("Swap head and tail (Ctrl+Shift+E)" if relation.directed and swappable
                             else f"{relation.label} is symmetric: it has no direction"
                             if not relation.directed
                             else f"The schema has no {relation.label} from "
                                  f"{tail.label if tail else '?'} to {head.label if head else '?'}")
        self._check_confidence(relation.confidence)
        if not self.note.hasFocus() or self.note.text() == relation.note:
            self.note.setText(relation.note)
        self.evidence.setText(_elide(evidence, EVIDENCE_CHARS))
        self.evidence.setToolTip(evidence if len(evidence) > EVIDENCE_CHARS else "")
        who = relation.annotator or "unknown"
        self.meta.setText(f"{who}, {short_time(relation.updated_at)}")

    def _check_confidence(self, confidence: str | None) -> None:
        for k, name in enumerate(CONFIDENCES):
            button = self.confidence.button(k)
            with QSignalBlocker(button):
                button.setChecked(name == confidence)

    # --- user input ---------------------------------------------------------------------------

    def _emit(self, signal) -> None:  # type: ignore[no-untyped-def]
        if self.relation is not None:
            signal.emit(self.relation.id)

    def _on_label_activated(self, index: int) -> None:
        name = self.label.itemData(index)
        if self.relation is not None and name and name != self.relation.label:
            self.label_chosen.emit(self.relation.id, str(name))

    def _on_confidence_id_clicked(self, button_id: int) -> None:
        if self.relation is None:
            return
        chosen = CONFIDENCES[button_id]
        # clicking the level already set clears it
        value = None if chosen == self.relation.confidence else chosen
        self._check_confidence(self.relation.confidence)  # the stored value shows until saved
        self.confidence_chosen.emit(self.relation.id, value)

    def _on_note_editing_finished(self) -> None:
        if self.relation is not None and self.note.text() != self.relation.note:
            self.note_edited.emit(self.relation.id, self.note.text())


class EntityInspector(QGroupBox):
    """The selected entity's label, status and origin, its actor (SAME_AS group) and the
    knowledge-base references (normalizations) an import kept for it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Entity", parent)
        self.setObjectName("entityInspector")
        self.title = QLabel(self)
        self.title.setObjectName("entitySummary")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.details = QLabel(self)
        self.details.setObjectName("entityDetails")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setWordWrap(True)
        self.actor = QLabel(self)
        self.actor.setObjectName("entityActor")
        self.actor.setWordWrap(True)
        self.actor.setTextFormat(Qt.TextFormat.PlainText)
        self.references = QLabel(self)
        self.references.setObjectName("entityReferences")
        self.references.setWordWrap(True)
        self.references.setTextFormat(Qt.TextFormat.PlainText)
        self.references.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.actor)
        layout.addWidget(self.references)
        self.show_entity(None)

    def show_entity(self, entity: Entity | None, group: Sequence[Entity] = (),
                    relation_count: int = 0, references: Sequence[Reference] = ()) -> None:
        self.references.setText("\n".join(f"Knowledge base: {r}" for r in references))
        self.references.setVisible(bool(references))
        if entity is None:
            self.title.setText("Select an entity: click it, or press Tab.")
            self.details.setText("")
            self.actor.setText("")
            return
        self.title.setText(f"“{_one_line(entity.text)}”  {entity.label}")
        origin = (f"model {origin_text(entity.origin)}" if entity.is_model
                  else f"human ({entity.annotator})" if entity.annotator else "human")
        plural = "s" * (relation_count != 1)
        self.details.setText(f"Status: {STATUS_TEXT.get(entity.status, entity.status)}\n"
                             f"Origin: {origin}\n{relation_count} relation{plural}")
        self.actor.setText(actor_text(entity, group))


def actor_text(entity: Entity, group: Sequence[Entity]) -> str:
    """The actor an entity names: its SAME_AS group, each mention once, in text order."""
    others = [e for e in group if e.id != entity.id]
    if not others:
        return "Actor: this mention only (no SAME_AS links)"
    names = list(dict.fromkeys(_one_line(e.text) for e in group))
    return f"Actor: {' = '.join(names)}  ({len(group)} mentions)"


class InspectorPanel(QScrollArea):
    """The inspector dock: the selected relation above the selected entity; it scrolls
    rather than squeezing its fields when the dock is short."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        self.relation = RelationInspector(body)
        self.entity = EntityInspector(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.relation)
        layout.addWidget(self.entity)
        layout.addStretch(1)
        self.setWidget(body)


def _label_text(label: RelationLabel) -> str:
    arrow = "→" if label.directed else "—"
    key = f"  ({label.key})" if label.key else ""
    return f"{arrow}{label.name}{arrow}{key}"


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())
