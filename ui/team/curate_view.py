"""The Curate view: every annotator's version of the open document, settled one key at a time.

A table lists the document's units (entity spans, then relations): each annotator's
labels, the curated labels and the state (agreed / only some / conflicting label).
While the table has the focus, a letter takes that annotator's version (A the first,
B the second, …), T takes them all (both), N takes neither and G takes every agreed
unit; each is one undoable edit (`annotate.team.curation`) run through the window's
`perform`, after which the next unit is selected. The text around the selected unit
shows below the table.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QTextBrowser,
    QVBoxLayout, QWidget,
)

from annotate.model import Change
from annotate.session import Session
from annotate.team import curation

LETTERS = "ABCDEF"  # annotators a key can take; T, N and G are the other keys
STATE_COLOURS = {curation.AGREED: "#dcefe1", curation.SOME: "#fbecc8",
                 curation.CONFLICT: "#f8d7da"}
STATE_TEXT = {curation.AGREED: "Agreed", curation.SOME: "Only some",
              curation.CONFLICT: "Conflicting label"}
CONTEXT = 160  # characters shown on either side of the selected unit
_Index = QModelIndex | QPersistentModelIndex


class UnitTableModel(QAbstractTableModel):
    """The units of one document: a row cache over plain `Unit` values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.units: list[curation.Unit] = []
        self.annotators: list[str] = []

    def set_units(self, annotators: Sequence[str], units: Sequence[curation.Unit]) -> None:
        self.beginResetModel()
        self.annotators, self.units = list(annotators), list(units)
        self.endResetModel()

    def headers(self) -> list[str]:
        named = [f"{LETTERS[i]}: {n}" if i < len(LETTERS) else n
                 for i, n in enumerate(self.annotators)]
        return ["State", "Kind", "Text", *named, "Curated"]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self.units)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else 4 + len(self.annotators)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt override)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        unit = self.units[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 0:
            return QBrush(QColor(STATE_COLOURS[unit.state]))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0 and unit.settled:
            return "The curated version is one of the annotators' versions"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.cells(unit)[index.column()]

    def cells(self, unit: curation.Unit) -> list[str]:
        versions = dict(unit.versions)
        return [("✓ " if unit.settled else "") + STATE_TEXT[unit.state],
                "Relation" if unit.is_relation else "Entity", unit.text,
                *[", ".join(versions.get(n, ())) or "—" for n in self.annotators],
                ", ".join(unit.curated) or "—"]


class CurateView(QWidget):
    """The Curate tab. `perform` is the window's: it runs a session verb and redraws."""

    document_changed = Signal(object)  # the Change of a take, once applied

    def __init__(self, session: Session, perform: Callable[[Callable[[], Change]], Change | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curateView")
        self.session, self.perform = session, perform
        self.doc_id: int | None = None
        self.header = QLabel(self)
        self.header.setObjectName("curateHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.model = UnitTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("curateTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.context = QTextBrowser(self)
        self.context.setObjectName("curateContext")
        self.context.setMaximumHeight(120)
        self.take_agreed_button = QPushButton("Take All Agreed (G)", self)
        self.mark_button = QPushButton("Mark Document Curated", self)
        self.keys = QLabel(self)
        self.keys.setStyleSheet("color: #5f6b7a;")
        self._build_layout()
        self._make_actions()
        self._connect()

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.header, 1)
        row.addWidget(self.take_agreed_button)
        row.addWidget(self.mark_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.context)
        layout.addWidget(self.keys)

    def _make_actions(self) -> None:
        """The single keys, acting only while the table has the focus."""
        self.take_actions: list[QAction] = []
        for i, letter in enumerate(LETTERS):
            action = self._key_action(letter, lambda _checked=False, i=i: self.take_version(i))
            self.take_actions.append(action)
        self.take_all_action = self._key_action("T", self.take_all)
        self.take_none_action = self._key_action("N", self.take_neither)
        self.take_agreed_action = self._key_action("G", self.take_agreed)

    def _key_action(self, key: str, slot: Callable[[], object]) -> QAction:
        action = QAction(self.table)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.table.addAction(action)
        return action

    def _connect(self) -> None:
        self.take_agreed_button.clicked.connect(self.take_agreed)
        self.mark_button.clicked.connect(self.mark_curated)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

    # --- showing a document ------------------------------------------------------------------

    def set_document(self, doc_id: int | None, keep_row: int | None = None) -> None:
        self.doc_id = doc_id
        if doc_id is None:
            self.model.set_units([], [])
            self.header.setText("No document is open.")
            self._show_keys()
            return
        doc = self.session.annotated_all(doc_id)
        annotators = curation.annotators_of(doc)
        units = curation.units(doc, annotators)
        self.model.set_units(annotators, units)
        counts = {s: sum(u.state == s for u in units) for s in STATE_TEXT}
        status = "curated" if doc.document.status == "curated" else doc.document.status
        self.header.setText(
            f"<b>{html.escape(doc.document.title)}</b> — {len(annotators)} annotator"
            f"{'s' * (len(annotators) != 1)}, status {status.replace('_', ' ')}<br>"
            + " · ".join(f"{n} {STATE_TEXT[s].lower()}" for s, n in counts.items())
            + f" · {sum(u.settled for u in units)} settled")
        self.mark_button.setEnabled(doc.document.status != "curated" and bool(units))
        self._show_keys()
        if units:
            row = min(keep_row if keep_row is not None else 0, len(units) - 1)
            self.table.selectRow(row)
        else:
            self.context.setPlainText("Nothing to curate: the document has one annotator's "
                                      "version or none." if not annotators else "")

    def _show_keys(self) -> None:
        names = self.model.annotators
        letters = " · ".join(f"<b>{LETTERS[i]}</b> take {html.escape(n)}'s"
                             for i, n in enumerate(names[:len(LETTERS)]))
        self.keys.setText(f"{letters} · <b>T</b> take {'both' if len(names) == 2 else 'all'} · "
                          "<b>N</b> take neither · <b>G</b> take all agreed · Ctrl+Z undo")

    def current_unit(self) -> curation.Unit | None:
        row = self.table.currentIndex().row()
        return self.model.units[row] if 0 <= row < len(self.model.units) else None

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        unit = self.model.units[current.row()] if current.isValid() else None
        if unit is None or self.doc_id is None:
            self.context.clear()
            return
        spans = [unit.head] + ([unit.tail] if unit.tail else [])
        lo, hi = min(s for s, _ in spans), max(e for _, e in spans)
        found = self.session.store.document_slice(self.doc_id, lo - CONTEXT, hi + CONTEXT)
        if found is None:
            return
        _, text = found
        base = max(0, lo - CONTEXT)
        self.context.setHtml(_highlighted(text, base, spans))

    # --- taking versions -----------------------------------------------------------------------

    def take_version(self, index: int) -> None:
        if index < len(self.model.annotators):
            self._take([self.model.annotators[index]])

    def take_all(self) -> None:
        self._take(list(self.model.annotators))

    def take_neither(self) -> None:
        self._take([])

    def _take(self, annotators: list[str]) -> None:
        unit, doc_id = self.current_unit(), self.doc_id
        if unit is None or doc_id is None:
            return
        row = self.table.currentIndex().row()
        change = self.perform(lambda: curation.take(self.session, doc_id, unit, annotators))
        if change is not None:
            self.set_document(doc_id, keep_row=row + 1)
            self.document_changed.emit(change)

    def take_agreed(self) -> None:
        doc_id = self.doc_id
        if doc_id is None:
            return
        row = max(0, self.table.currentIndex().row())
        change = self.perform(lambda: curation.take_agreed(self.session, doc_id))
        if change is not None:
            self.set_document(doc_id, keep_row=row)
            self.document_changed.emit(change)

    def mark_curated(self) -> None:
        doc_id = self.doc_id
        if doc_id is not None and self.perform(
                lambda: self.session.set_document_status(doc_id, "curated")) is not None:
            self.set_document(doc_id, keep_row=self.table.currentIndex().row())


def _highlighted(text: str, base: int, spans: Sequence[tuple[int, int]]) -> str:
    """`text` (the document's characters from `base`) as HTML with `spans` marked."""
    out, at = [], 0
    for start, end in sorted(spans):
        start, end = start - base, end - base
        if start < at:
            continue
        out.append(html.escape(text[at:start]))
        out.append(f"<span style='background:#ffe08a'><b>{html.escape(text[start:end])}</b></span>")
        at = end
    out.append(html.escape(text[at:]))
    return "<p style='line-height:140%'>" + "".join(out).replace("\n", "<br>") + "</p>"
