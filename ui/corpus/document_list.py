"""The document list: a table model over document ids with a row cache, and its panel.

`DocumentListModel` holds ids in store order plus a `DocumentSummary` per id; it
is refreshed from fresh summaries and emits only the row signals for what changed.
`DocumentFilterModel` filters by title text and status and sorts by any column.
"""
from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import (
    QAbstractItemModel, QAbstractProxyModel, QItemSelectionModel, QModelIndex,
    QPersistentModelIndex, Qt, Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QLineEdit, QTableView, QVBoxLayout,
    QWidget,
)

from annotate.model import DOCUMENT_STATUSES, DocumentSummary
from ui.common.table_model import (
    NarrowColumns, ReadOnlyTableModel, fit_columns, style_list_table,
)

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Title", "Status", "Ent.", "Rel.", "Review")
HEADER_TIPS = ("Document title", "New, in progress or done",
               "Entities (suggested and accepted; orange: suggestions to review)", "Relations",
               "Suggestions (entities and relations) left to review: sort by it to work "
               "through what is left")
REVIEW_COLOUR = "#a15c00"
STATUS_TEXT = {"new": "New", "in_progress": "In progress", "done": "Done", "curated": "Curated"}
SELECT_ROW = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
STATUS_COLOUR = {"new": "#5f6b7a", "in_progress": "#a15c00", "done": "#1b7a3a",
                 "curated": "#1f6f8b"}
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # as the list's model's
# the roles and values a frame asks for hundreds of times, as plain ints: comparing and
# combining Qt's enums costs a Python call each
_DISPLAY, _TOOLTIP = int(Qt.ItemDataRole.DisplayRole.value), int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGN, _FOREGROUND = (int(Qt.ItemDataRole.TextAlignmentRole.value),
                       int(Qt.ItemDataRole.ForegroundRole.value))
_FONT, _ID, _SORT = int(Qt.ItemDataRole.FontRole.value), int(ID_ROLE), int(SORT_ROLE)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


class DocumentListModel(ReadOnlyTableModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ids: list[int] = []
        self._rows: dict[int, DocumentSummary] = {}
        self._row_of: dict[int, int] = {}
        self._current: int | None = None
        self.id_column: list[int] = []
        self.statuses: list[str] = []
        self.folded_titles: list[str] = []
        # the statuses there are, and the largest entity, relation and review counts
        self.widest: tuple[frozenset[str], int, int, int] = (frozenset(), 0, 0, 0)
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
        if not index.isValid():
            return None
        return self.data_at(index.row(), index.column(), role)

    def data_at(self, row: int, col: int, role: int) -> object:
        """`data()` of the cell at (`row`, `col`), without a model index: what the
        filter model asks for each cell it paints."""
        if not 0 <= row < len(self._ids) or not 0 <= col < len(COLUMNS):
            return None
        doc = self._rows[self._ids[row]]
        role = int(role)
        if role == _DISPLAY:
            return _display(doc, col)
        if role == _SORT:
            return sort_key(doc, col)
        if role == _ID:
            return doc.id
        if role == _TOOLTIP:
            about = self.describe(doc.id) if self.describe is not None else ""
            return _tooltip(doc) + (f"\n{about}" if about else "")
        if role == _ALIGN and col >= 2:
            return _RIGHT
        if role == _FOREGROUND and col == 1:
            return QBrush(QColor(STATUS_COLOUR.get(doc.status, "#000000")))
        if role == _FOREGROUND and col == 2 and doc.suggested_count:
            return QBrush(QColor(REVIEW_COLOUR))  # suggestions still to review
        if role == _FONT and doc.id == self._current:
            font = QFont()
            font.setBold(True)
            return font
        return None

    # --- ids and rows ---------------------------------------------------------------------------

    def ids(self) -> list[int]:
        return list(self._ids)

    def _fill_columns(self) -> None:
        """What the filters compare, one list per column in row order (see
        DocumentFilterModel._shown_rows)."""
        docs = self.summaries()
        self.id_column = list(self._ids)
        self.statuses = [d.status for d in docs]
        self.folded_titles = [d.title.casefold() for d in docs]
        self.widest = (frozenset(self.statuses),
                       max((d.entity_count for d in docs), default=0),
                       max((d.relation_count for d in docs), default=0),
                       max((d.to_review for d in docs), default=0))

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def summaries(self) -> list[DocumentSummary]:
        """The documents' summaries, in row order."""
        rows = self._rows
        return [rows[doc_id] for doc_id in self._ids]

    def summary(self, doc_id: int) -> DocumentSummary | None:
        return self._rows.get(doc_id)

    def row_of(self, doc_id: int) -> int:
        return self._row_of.get(doc_id, -1)

    @property
    def current(self) -> int | None:
        return self._current

    def set_current(self, doc_id: int | None) -> None:
        """Show the open document in bold."""
        old, self._current = self._current, doc_id
        for changed in (old, doc_id):
            row = self.row_of(changed) if changed is not None else -1
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1),
                                      [Qt.ItemDataRole.FontRole])

    # --- updating -------------------------------------------------------------------------------

    def set_documents(self, summaries: Sequence[DocumentSummary]) -> None:
        """Bring the model up to date: a reset when documents came or went (one pass, however
        many: row by row, 100,000 documents would take minutes), else one change signal
        over the rows whose summary changed."""
        fresh = {s.id: s for s in summaries}
        if fresh.keys() != self._rows.keys():
            self.beginResetModel()
            self._ids = list(fresh)
            self._rows = fresh
            self._row_of = {doc_id: row for row, doc_id in enumerate(self._ids)}
            self._fill_columns()
            self.endResetModel()
            return
        changed = [self._row_of[doc_id] for doc_id, summary in fresh.items()
                   if self._rows[doc_id] != summary]
        if changed:
            self._rows = fresh
            self._fill_columns()
            self.dataChanged.emit(self.index(min(changed), 0),
                                  self.index(max(changed), len(COLUMNS) - 1))


def sort_key(doc: DocumentSummary, col: int) -> object:
    """What column `col` sorts by."""
    if col == 0:
        return doc.title.casefold()
    if col == 1:
        return DOCUMENT_STATUSES.index(doc.status) if doc.status in DOCUMENT_STATUSES else 9
    return (doc.entity_count, doc.relation_count, doc.to_review)[col - 2]


def _display(doc: DocumentSummary, col: int) -> str:
    if col == 0:
        return doc.title
    if col == 1:
        return STATUS_TEXT.get(doc.status, doc.status)
    if col == 2:
        return str(doc.entity_count)
    if col == 3:
        return str(doc.relation_count)
    return str(doc.to_review) if doc.to_review else ""


def _tooltip(doc: DocumentSummary) -> str:
    lines = [doc.title, f"Status: {STATUS_TEXT.get(doc.status, doc.status)}",
             f"{doc.entity_count} entities, {doc.suggested_count} of them suggestions to review",
             f"{doc.relation_count} relations ({doc.suggested_relation_count} suggested)",
             f"{doc.length:,} characters"]
    if doc.source:
        lines.append(f"From {doc.source}")
    return "\n".join(lines)


class DocumentFilterModel(QAbstractProxyModel):
    """Rows whose title contains the filter text (any case), whose status matches and whose
    id is among those of the corpus filters, sorted by any column.

    Qt's QSortFilterProxyModel asks Python about every row, one call each, at every change:
    seconds for 100,000 documents. Here the rows shown are worked out in one pass over the
    source's summaries (tens of milliseconds), and Qt asks only about the rows in view. A
    change of which rows pass, or of their order, resets the model (the panel keeps its
    current row and scroll position); a change within a row is passed on as it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._status: str | None = None
        self._ids: set[int] | frozenset[int] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._rows: list[int] = []  # the source rows shown, in order
        # source row -> row here, made when first asked for (see `_row_here`)
        self._at: dict[int, int] | None = None
        self._connections: list[object] = []

    # --- filters and order ------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        self._text = text.strip().casefold()
        self._refilter()

    def set_status(self, status: str | None) -> None:
        self._status = status or None
        self._refilter()

    def set_id_filter(self, ids: Iterable[int] | None) -> None:
        """Show only these documents (None: no such filter), on top of title and status:
        how corpus filters (by entity, label, annotator) narrow the list."""
        # a set is taken as it is (the filters make a new one each time): copying
        # 100,000 ids would cost as much as the rest of the change
        self._ids = ids if isinstance(ids, (set, frozenset)) or ids is None else frozenset(ids)
        self._refilter()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order) if 0 <= column < len(COLUMNS) else None
        self._refilter()

    def _accepts(self, doc: DocumentSummary) -> bool:
        return ((not self._status or doc.status == self._status)
                and (self._ids is None or doc.id in self._ids)
                and (not self._text or self._text in doc.title.casefold()))

    def _shown_rows(self) -> list[int]:
        model = self.sourceModel()
        if not isinstance(model, DocumentListModel):
            return list(range(model.rowCount())) if model is not None else []
        rows: list[int] | range = range(model.rowCount())
        # one narrowing pass per filter over the model's columns: no call per row
        if self._status:
            statuses, status = model.statuses, self._status
            rows = [r for r in rows if statuses[r] == status]
        if self._ids is not None:
            ids, wanted = model.id_column, self._ids
            if isinstance(rows, range):  # no filter before this one: test the ids at C speed
                rows = list(itertools.compress(rows, map(wanted.__contains__, ids)))
            else:
                rows = [r for r in rows if ids[r] in wanted]
        if self._text:
            titles, text = model.folded_titles, self._text
            rows = [r for r in rows if text in titles[r]]
        rows = list(rows)
        if self._sort is not None:
            column, order = self._sort
            docs = model.summaries()
            rows.sort(key=lambda row: sort_key(docs[row], column),
                      reverse=order == Qt.SortOrder.DescendingOrder)
        return rows

    def _refilter(self) -> None:
        self.beginResetModel()
        self._rows = self._shown_rows()
        self._at = None
        self.endResetModel()

    def _row_here(self, source: int) -> int | None:
        """The row here showing source row `source`, None when it is filtered out. Rows in
        the source's order are found by bisection; a sorted list's map is made once, when
        first asked for (a filter change on 100,000 documents need not make it)."""
        rows = self._rows
        if self._sort is None:
            at = bisect.bisect_left(rows, source)
            return at if at < len(rows) and rows[at] == source else None
        if self._at is None:
            self._at = {row: here for here, row in enumerate(rows)}
        return self._at.get(source)

    def source_rows(self) -> list[int]:
        """The source rows shown, in the order shown."""
        return self._rows

    # --- the source -------------------------------------------------------------------------

    def setSourceModel(self, model: QAbstractItemModel) -> None:  # noqa: N802 (Qt override)
        old = self.sourceModel()
        if old is not None:
            for signal, slot in self._connections:  # type: ignore[misc]
                signal.disconnect(slot)
        self._connections = []
        self.beginResetModel()
        super().setSourceModel(model)
        if model is not None:
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                           model.rowsMoved, model.layoutChanged):
                self._connections.append((signal, self._refilter))
                signal.connect(self._refilter)
            self._connections.append((model.dataChanged, self._on_source_data_changed))
            model.dataChanged.connect(self._on_source_data_changed)
        self._rows = self._shown_rows()
        self._at = None
        self.endResetModel()

    def _on_source_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex,
                                roles: Sequence[int] = ()) -> None:
        model = self.sourceModel()
        changed = range(top_left.row(), bottom_right.row() + 1)
        if isinstance(model, DocumentListModel):
            docs = model.summaries() if len(changed) > 2 else None

            def doc(row: int) -> DocumentSummary | None:
                return docs[row] if docs is not None else model.summary(model.id_at(row))

            moved = self._sort is not None and (not roles or Qt.ItemDataRole.DisplayRole in roles)
            if moved or any((self._row_here(r) is not None) != self._accepts(doc(r))  # type: ignore[arg-type]
                            for r in changed):
                self._refilter()  # a row passes the filters now, or no longer, or moved
                return
        shown = [here for here in map(self._row_here, changed) if here is not None]
        if shown:
            self.dataChanged.emit(self.index(min(shown), top_left.column()),
                                  self.index(max(shown), bottom_right.column()), roles)

    # --- Qt's proxy interface -----------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self._rows) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and bool(self._rows)

    def mapToSource(self, index: Index) -> QModelIndex:  # noqa: N802 (Qt override)
        model = self.sourceModel()
        if model is None or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return QModelIndex()
        return model.index(self._rows[index.row()], index.column())

    def mapFromSource(self, index: Index) -> QModelIndex:  # noqa: N802 (Qt override)
        row = self._row_here(index.row()) if index.isValid() else None
        return self.index(row, index.column()) if row is not None else QModelIndex()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The source's data for the cell, asked without making a source index: a frame
        of the list asks this hundreds of times."""
        model = self.sourceModel()
        row = index.row()
        if not isinstance(model, DocumentListModel) or not 0 <= row < len(self._rows):
            return super().data(index, role)
        return model.data_at(self._rows[row], index.column(), role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        model = self.sourceModel()
        if orientation == Qt.Orientation.Horizontal and model is not None:
            return model.headerData(section, orientation, role)
        return None


class DocumentListPanel(QWidget):
    """Filter line, status combo and the table of documents.

    `document_activated(int)` when the user picks a document."""

    document_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentListPanel")
        self._scrolled = 0
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
        style_list_table(table, row_padding=10)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # rows of one height: the view places 100,000 of them without asking each
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        # the other columns as wide as any status and the corpus's largest counts, worked
        # out when the documents change (not by reading rows through the model at every
        # layout pass, as ResizeToContents does: a filter of 100,000 documents would pay it)
        self.fit_columns()
        self.model.modelReset.connect(self.fit_columns)
        self.model.dataChanged.connect(self._refit)
        # the Title keeps its room in a narrow panel: Review, then Rel., give way (the
        # tooltip still says them)
        self.narrow = NarrowColumns(table, 0, (3, 4), keep=120)

    def fit_columns(self) -> None:
        """Status, Ent., Rel. and Review as wide as the widest value they hold (in bold:
        the open document's row), measured from those words."""
        self._fitted = self.model.widest
        statuses, *counts = self._fitted
        font = QFont(self.table.font())
        font.setBold(True)
        fit_columns(self.table, {1: [STATUS_TEXT.get(s, s) for s in statuses],
                                 **{col: [str(n)] for col, n in enumerate(counts, 2)}},
                    font=font)
        narrow = getattr(self, "narrow", None)
        if narrow is not None:  # the spare columns' widths changed: still room for them?
            narrow.fit()

    def _refit(self) -> None:
        if self.model.widest != self._fitted:  # a new status, a count with more digits...
            self.fit_columns()

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
        self.proxy.modelAboutToBeReset.connect(self._on_proxy_about_to_be_reset)
        self.proxy.modelReset.connect(self._on_proxy_reset)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)

    def _on_proxy_about_to_be_reset(self) -> None:
        self._scrolled = self.table.verticalScrollBar().value()

    def _on_proxy_reset(self) -> None:
        """Rows came, went or moved: the open document stays current, the list where it was."""
        current = self.model.current
        self.table.verticalScrollBar().setValue(self._scrolled)
        if current is not None and self.model.row_of(current) >= 0:
            index = self.proxy.mapFromSource(self.model.index(self.model.row_of(current), 0))
            if index.isValid():
                blocked = self.table.selectionModel().blockSignals(True)
                try:
                    self.table.selectionModel().setCurrentIndex(index, SELECT_ROW)
                finally:
                    self.table.selectionModel().blockSignals(blocked)

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
        ids = self.model.id_column
        return [ids[r] for r in self.proxy.source_rows()]

    def neighbour(self, doc_id: int | None, step: int) -> int | None:
        """The document `step` rows after (or before) `doc_id` in the shown order."""
        rows, ids = self.proxy.source_rows(), self.model.id_column
        if not rows:
            return None
        row = self.proxy.mapFromSource(self.model.index(self.model.row_of(doc_id), 0)).row() \
            if doc_id is not None else -1
        if row < 0:
            return ids[rows[0]] if step > 0 else ids[rows[-1]]
        at = row + step
        return ids[rows[at]] if 0 <= at < len(rows) else None
