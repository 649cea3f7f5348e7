"""The relation table: the open document's relations as a Qt model, sortable and filterable.

`RelationTableModel` keeps relation ids in text order plus one `RelationRow` per
id (what the row shows: the head's and tail's text, the evidence sentence…), so a
one-relation edit emits signals for exactly one row. `RelationFilterModel` sorts
by any column and filters on the text of every column. `RelationTablePanel` is
the filter field above the table (`relationTable`).
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotate.model import Entity, Relation
from ui.common.table_model import (
    RESIZE_PRECISION, NarrowColumns, ReadOnlyTableModel, style_list_table,
)

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Head", "Label", "Tail", "Evidence", "Confidence", "Note", "Annotator", "Time")
HEAD, LABEL, TAIL, EVIDENCE, CONFIDENCE, NOTE, ANNOTATOR, TIME = range(len(COLUMNS))
CONFIDENCE_RANK = {None: 0, "low": 1, "moderate": 2, "high": 3}


@dataclass(frozen=True, slots=True)
class RelationRow:
    """What one row of the table shows, read once from the relation and its entities."""

    id: int
    position: int  # where the relation starts in the text: the table's natural order
    head_id: int
    tail_id: int
    head: str
    head_label: str
    label: str
    tail: str
    tail_label: str
    directed: bool
    colour: str
    evidence: str
    confidence: str | None
    note: str
    annotator: str
    time: str

    @property
    def key(self) -> tuple[int, int]:
        return self.position, self.id

    @property
    def arrow(self) -> str:
        return "→" if self.directed else "—"

    def summary(self) -> str:
        return f"{self.head} {self.arrow}{self.label}{self.arrow} {self.tail}"


def relation_row(relation: Relation, head: Entity | None, tail: Entity | None, text: str,
                 colour: str = "#555555") -> RelationRow:
    """The row of `relation`; `text` is the document's text (for the evidence sentence)."""
    start, end = relation.evidence_start, relation.evidence_end
    evidence = " ".join(text[start:end].split()) if start is not None and end is not None else ""
    return RelationRow(
        id=relation.id,
        position=min(head.start if head else 0, tail.start if tail else 0),
        head_id=relation.head_id,
        tail_id=relation.tail_id,
        head=_one_line(head.text) if head else "?",
        head_label=head.label if head else "",
        label=relation.label,
        tail=_one_line(tail.text) if tail else "?",
        tail_label=tail.label if tail else "",
        directed=relation.directed,
        colour=colour,
        evidence=evidence,
        confidence=relation.confidence,
        note=relation.note,
        annotator=relation.annotator or "",
        time=short_time(relation.updated_at),
    )


def short_time(stamp: str) -> str:
    """`2026-11-25T10:59:19.681Z` → `2026-11-25 10:59` (UTC, as stored)."""
    return stamp[:16].replace("T", " ") if stamp else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


class RelationTableModel(ReadOnlyTableModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._keys: list[tuple[int, int]] = []  # sorted (position, id)
        self._rows: dict[int, RelationRow] = {}

    # --- reading ----------------------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._keys)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        row = self._rows[self._keys[index.row()][1]]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, col)
        if role == SORT_ROLE:
            return _sort_value(row, col)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole and col == LABEL:
            return QBrush(QColor(row.colour))
        if role == Qt.ItemDataRole.DecorationRole and col == LABEL:
            return QColor(row.colour)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, col)
        return None

    # --- ids and rows -----------------------------------------------------------------------

    def row(self, relation_id: int) -> RelationRow | None:
        return self._rows.get(relation_id)

    def rows(self) -> list[RelationRow]:
        return [self._rows[k[1]] for k in self._keys]

    def ids(self) -> list[int]:
        return [k[1] for k in self._keys]

    def row_of(self, relation_id: int) -> int:
        row = self._rows.get(relation_id)
        return -1 if row is None else bisect_left(self._keys, row.key)

    # --- updating ---------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[RelationRow]) -> None:
        self.beginResetModel()
        self._rows = {r.id: r for r in rows}
        self._keys = sorted(r.key for r in rows)
        self.endResetModel()

    def upsert(self, rows: Iterable[RelationRow]) -> None:
        """Add or replace rows, signalling only the rows touched."""
        for new in rows:
            old = self._rows.get(new.id)
            if old is not None and old.key == new.key:
                if old != new:
                    self._rows[new.id] = new
                    at = self.row_of(new.id)
                    self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
                continue
            if old is not None:
                self.remove([new.id])
            at = bisect_left(self._keys, new.key)
            self.beginInsertRows(QModelIndex(), at, at)
            self._keys.insert(at, new.key)
            self._rows[new.id] = new
            self.endInsertRows()

    def remove(self, ids: Iterable[int]) -> None:
        for relation_id in ids:
            at = self.row_of(relation_id)
            if at < 0:
                continue
            self.beginRemoveRows(QModelIndex(), at, at)
            del self._keys[at]
            del self._rows[relation_id]
            self.endRemoveRows()


def _display(row: RelationRow, col: int) -> str:
    if col == LABEL:
        return f"{row.arrow}{row.label}{row.arrow}"
    return (row.head, "", row.tail, row.evidence, (row.confidence or "").capitalize(), row.note,
            row.annotator, row.time)[col]


def _sort_value(row: RelationRow, col: int) -> object:
    """Sort keys, ties broken by position in the text."""
    if col == EVIDENCE:
        return (row.position, row.id)
    if col == CONFIDENCE:
        return (CONFIDENCE_RANK.get(row.confidence, 0), row.position)
    key = {HEAD: row.head.casefold(), LABEL: row.label, TAIL: row.tail.casefold(),
           NOTE: row.note.casefold(), ANNOTATOR: row.annotator, TIME: row.time}[col]
    return (key, row.position)


def _tooltip(row: RelationRow, col: int) -> str:
    if col == HEAD:
        return f"{row.head} ({row.head_label})"
    if col == TAIL:
        return f"{row.tail} ({row.tail_label})"
    if col == EVIDENCE:
        return row.evidence
    if col == NOTE:
        return row.note
    return row.summary()


class RelationFilterModel(QSortFilterProxyModel):
    """Sorts by `SORT_ROLE`; the filter text matches any column, case-insensitively."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()
        self.setSortRole(SORT_ROLE)

    def set_filter_text(self, text: str) -> None:
        words = tuple(text.casefold().split())
        if words != self._words:
            self.beginFilterChange()
            self._words = words
            self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        row = model.row(model.index(source_row, 0).data(ID_ROLE)) if isinstance(
            model, RelationTableModel) else None
        if row is None:
            return True
        haystack = " ".join((row.head, row.head_label, row.label, row.tail, row.tail_label,
                             row.evidence, row.confidence or "", row.note, row.annotator))
        haystack = haystack.casefold()
        return all(word in haystack for word in self._words)

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class RelationTablePanel(QWidget):
    """A filter field over the relation table (`relationTable`).

    `relation_selected(object)` carries the id of the row the user selected, or None;
    `select_relation` selects a row without emitting it."""

    relation_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relationPanel")
        self.source = RelationTableModel(self)
        self.proxy = RelationFilterModel(self)
        self.proxy.setSourceModel(self.source)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("relationFilter")
        self.filter.setPlaceholderText("Filter relations (text, label, note…)")
        self.filter.setClearButtonEnabled(True)
        self.table = QTableView(self)
        self.table.setObjectName("relationTable")
        self.table.setModel(self.proxy)
        self._setup_table()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        self.filter.textChanged.connect(self.proxy.set_filter_text)
        self.table.selectionModel().currentRowChanged.connect(self._on_selection_current_changed)
        # a click on the row already selected still asks for its relation (e.g. to show its arc)
        self.table.clicked.connect(
            lambda index: self.relation_selected.emit(int(index.data(ID_ROLE))))

    def _setup_table(self) -> None:
        table = self.table
        style_list_table(table, row_padding=8)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        # size columns to the rows in view (and a few more), not to every row: a long
        # document has tens of thousands, and measuring them all costs seconds
        header.setResizeContentsPrecision(RESIZE_PRECISION)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col in (LABEL, CONFIDENCE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EVIDENCE, QHeaderView.ResizeMode.Stretch)
        width = self.fontMetrics().horizontalAdvance
        for col, sample in ((HEAD, "Islamic State"), (TAIL, "Islamic State"),
                            (NOTE, "a note of some length"), (ANNOTATOR, "annotator"),
                            (TIME, "2026-01-01 00:00")):
            header.resizeSection(col, width(sample) + 16)
        # read left to right: who, what, whom, how sure, the note; then the evidence
        for visual, col in enumerate((HEAD, LABEL, TAIL, CONFIDENCE, NOTE, EVIDENCE)):
            header.moveSection(header.visualIndex(col), visual)
        self.narrow = NarrowColumns(table, EVIDENCE, (TIME, ANNOTATOR), keep=160)
        header.setMinimumSectionSize(40)

    def _on_selection_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.relation_selected.emit(int(current.data(ID_ROLE)) if current.isValid() else None)

    def selected_relation(self) -> int | None:
        selection = self.table.selectionModel()
        index = selection.currentIndex()
        if not index.isValid() or not selection.isRowSelected(index.row(), QModelIndex()):
            return None
        return int(index.data(ID_ROLE))

    def select_relation(self, relation_id: int | None) -> None:
        """Select the row of `relation_id` (or nothing) without emitting `relation_selected`."""
        row = self.source.row_of(relation_id) if relation_id is not None else -1
        index = self.proxy.mapFromSource(self.source.index(row, 0)) if row >= 0 else QModelIndex()
        selection = self.table.selectionModel()
        blocked = selection.blockSignals(True)
        try:
            if index.isValid():
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(index)
            else:
                selection.clear()
        finally:
            selection.blockSignals(blocked)
        self.table.viewport().update()
