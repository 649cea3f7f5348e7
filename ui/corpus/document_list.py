"""The document list: a table model over document ids with a row cache, and its panel.

`DocumentListModel` holds ids in store order plus a `DocumentSummary` per id; it
is refreshed from fresh summaries and emits only the row signals for what changed.
`DocumentFilterModel` filters by title text and status and sorts by any column.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import (
    QItemSelectionModel, QModelIndex, QPersistentModelIndex,
    QSortFilterProxyModel, Qt, Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLineEdit, QTableView, QVBoxLayout,
    QWidget,
)

from annotate.model import DOCUMENT_STATUSES, DocumentSummary
from ui.common.table_model import RESIZE_PRECISION, ReadOnlyTableModel

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Title", "Status", "Ent.", "Rel.")
HEADER_TIPS = ("Document title", "New, in progress or done",
               "Entities (suggested and accepted; orange: suggestions to review)", "Relations")
REVIEW_COLOUR = "#a15c00"
STATUS_TEXT = {"new": "New", "in_progress": "In progress", "done": "Done"}
SELECT_ROW = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
STATUS_COLOUR = {"new": "#5f6b7a", "in_progress": "#a15c00", "done": "#1b7a3a"}


class DocumentListModel(ReadOnlyTableModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ids: list[int] = []
        self._rows: dict[int, DocumentSummary] = {}
        self._current: int | None = None
        # a line about where a document came from (author, date, URL...), given by the reader
        self.describe: Callable[[int], str] | None = None

    # --- reading ----------------------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._ids)

    def _header(self, section: int, role: int) -> object:
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        doc = self._rows[self._ids[index.row()]]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(doc, col)
        if role == SORT_ROLE:
            return (doc.title.casefold(), DOCUMENT_STATUSES.index(doc.status)
                    if doc.status in DOCUMENT_STATUSES else 9, doc.entity_count,
                    doc.relation_count)[col]
        if role == ID_ROLE:
            return doc.id
        if role == Qt.ItemDataRole.ToolTipRole:
            about = self.describe(doc.id) if self.describe is not None else ""
            return _tooltip(doc) + (f"\n{about}" if about else "")
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QBrush(QColor(STATUS_COLOUR.get(doc.status, "#000000")))
        if role == Qt.ItemDataRole.ForegroundRole and col == 2 and doc.suggested_count:
            return QBrush(QColor(REVIEW_COLOUR))  # suggestions still to review
        if role == Qt.ItemDataRole.FontRole and doc.id == self._current:
            font = QFont()
            font.setBold(True)
            return font
        return None

    # --- ids and rows ---------------------------------------------------------------------------

    def ids(self) -> list[int]:
        return list(self._ids)

    def summary(self, doc_id: int) -> DocumentSummary | None:
        return self._rows.get(doc_id)

    def row_of(self, doc_id: int) -> int:
        try:
            return self._ids.index(doc_id)
        except ValueError:
            return -1

    def set_current(self, doc_id: int | None) -> None:
        """Show the open document in bold."""
        old, self._current = self._current, doc_id
        for changed in (old, doc_id):
            row = self.row_of(changed) if changed is not None else -1
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # --- updating -------------------------------------------------------------------------------

    def set_documents(self, summaries: Sequence[DocumentSummary]) -> None:
        """Bring the model up to date, emitting row removals, insertions and changes."""
        fresh = {s.id: s for s in summaries}
        for row in range(len(self._ids) - 1, -1, -1):
            if self._ids[row] not in fresh:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[self._ids.pop(row)]
                self.endRemoveRows()
        for doc_id, summary in fresh.items():
            row = self.row_of(doc_id) if doc_id in self._rows else -1
            if row < 0:
                at = len(self._ids)
                self.beginInsertRows(QModelIndex(), at, at)
                self._ids.append(doc_id)
                self._rows[doc_id] = summary
                self.endInsertRows()
            elif self._rows[doc_id] != summary:
                self._rows[doc_id] = summary
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))


def _display(doc: DocumentSummary, col: int) -> str:
    if col == 0:
        return doc.title
    if col == 1:
        return STATUS_TEXT.get(doc.status, doc.status)
    if col == 2:
        return str(doc.entity_count)
    return str(doc.relation_count)


def _tooltip(doc: DocumentSummary) -> str:
    lines = [doc.title, f"Status: {STATUS_TEXT.get(doc.status, doc.status)}",
             f"{doc.entity_count} entities, {doc.suggested_count} of them suggestions to review",
             f"{doc.relation_count} relations", f"{doc.length:,} characters"]
    if doc.source:
        lines.append(f"From {doc.source}")
    return "\n".join(lines)


class DocumentFilterModel(QSortFilterProxyModel):
    """Rows whose title contains the filter text (any case) and whose status matches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._status: str | None = None
        self._ids: frozenset[int] | None = None
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange()

    def set_status(self, status: str | None) -> None:
        self.beginFilterChange()
        self._status = status or None
        self.endFilterChange()

    def set_id_filter(self, ids: Iterable[int] | None) -> None:
        """Show only these documents (None: no such filter), on top of title and status:
        how corpus filters (by entity, label, annotator) narrow the list."""
        self.beginFilterChange()
        self._ids = frozenset(ids) if ids is not None else None
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, DocumentListModel):
            return True
        ids = model.ids()
        if not 0 <= source_row < len(ids):
            return False
        doc = model.summary(ids[source_row])
        if doc is None:
            return False
        if self._status and doc.status != self._status:
            return False
        if self._ids is not None and doc.id not in self._ids:
            return False
        return not self._text or self._text in doc.title.casefold()


class DocumentListPanel(QWidget):
    """Filter line, status combo and the table of documents.

    `document_activated(int)` when the user picks a document."""

    document_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentListPanel")
        self.model = DocumentListModel(self)
        self.proxy = DocumentFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("documentFilter")
        self.filter_edit.setPlaceholderText("Filter by title")
        self.filter_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("documentStatusFilter")
        self.status_combo.addItem("All", None)
        for status in DOCUMENT_STATUSES:
            self.status_combo.addItem(STATUS_TEXT[status], status)
        self.table = QTableView(self)
        self.table.setObjectName("documentList")
        self._setup_table()
        self._lay_out()
        self._connect()

    def _setup_table(self) -> None:
        table = self.table
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # size columns to the rows in view (and a few more), not to every row: a long
        # document has tens of thousands, and measuring them all costs seconds
        header.setResizeContentsPrecision(RESIZE_PRECISION)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.status_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def _connect(self) -> None:
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)

    def _on_status_combo_changed(self, _index: int) -> None:
        self.proxy.set_status(self.status_combo.currentData())

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.document_activated.emit(int(current.data(ID_ROLE)))

    # --- API for the window ---------------------------------------------------------------------

    def set_documents(self, summaries: Sequence[DocumentSummary]) -> None:
        self.model.set_documents(summaries)

    def select_document(self, doc_id: int | None) -> None:
        """Show `doc_id` as current without emitting `document_activated`."""
        self.model.set_current(doc_id)
        row = self.model.row_of(doc_id) if doc_id is not None else -1
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()
        blocked = self.table.selectionModel().blockSignals(True)
        try:
            if index.isValid():
                self.table.selectionModel().setCurrentIndex(index, SELECT_ROW)
                self.table.scrollTo(index)
            else:
                self.table.selectionModel().clearSelection()
        finally:
            self.table.selectionModel().blockSignals(blocked)
        self.table.viewport().update()

    def visible_ids(self) -> list[int]:
        """Document ids in the order the list shows them (filtered and sorted)."""
        return [int(self.proxy.index(r, 0).data(ID_ROLE)) for r in range(self.proxy.rowCount())]

    def neighbour(self, doc_id: int | None, step: int) -> int | None:
        """The document `step` rows after (or before) `doc_id` in the shown order."""
        ids = self.visible_ids()
        if not ids:
            return None
        if doc_id not in ids:
            return ids[0] if step > 0 else ids[-1]
        at = ids.index(doc_id) + step
        return ids[at] if 0 <= at < len(ids) else None
