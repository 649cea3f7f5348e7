"""The shared shape of Arcmark's read-only table models: ids plus a row cache in a subclass,
fixed column titles here; and columns sized to the values they can show."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from PySide6.QtCore import (
    QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer,
)
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView

Index = QModelIndex | QPersistentModelIndex
RESIZE_PRECISION = 50  # rows a header measures beyond those in view (Qt's default: 1,000)
CELL_PADDING = 8  # the item delegate's text margins, and some air


class ReadOnlyTableModel(QAbstractTableModel):
    """Rows are selectable, never editable; subclasses give COLUMNS and `_row_count()`."""

    COLUMNS: tuple[str, ...] = ()

    def _row_count(self) -> int:
        raise NotImplementedError

    def _header(self, section: int, role: int) -> object:
        """Header roles beyond the title (tooltips, alignment); None by default."""
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return self._header(section, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def fit_columns(view: QTableView, samples: Mapping[int, Iterable[str]],
                icon_columns: Collection[int] = (), font: QFont | None = None) -> None:
    """Size columns to the widest of the texts given for each (and its title), in `font`
    (the view's by default). Qt's ResizeToContents reads the rows in view through the
    model at every layout pass instead: for the entity table, a good part of the
    window's first paint."""
    advance = QFontMetrics(font or view.font()).horizontalAdvance
    icon = view.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, view) + 4
    header = view.horizontalHeader()
    for col, texts in samples.items():
        width = max((advance(text) for text in texts), default=0) + CELL_PADDING
        width += icon if col in icon_columns else 0
        header.resizeSection(col, max(width, header.sectionSizeHint(col)))


class NarrowColumns(QObject):
    """Keeps a table's main column readable in a narrow panel: while it would get less than
    `keep` pixels, the columns of `spare` are hidden (first ones first), and shown again
    once there is room. Their values stay in the tooltips and the inspector."""

    def __init__(self, view: QTableView, main: int, spare: Sequence[int], keep: int) -> None:
        super().__init__(view)
        self.view, self.main, self.spare, self.keep = view, main, list(spare), keep
        view.viewport().installEventFilter(self)
        self._shown: dict[int, int] = {}  # each column's width when last shown
        # columns sized to their contents change width when rows come or change: fit
        # again then, once, after the turn of the event loop that brought them
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit)
        model = view.model()
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.rowsInserted,
                           model.dataChanged):
                signal.connect(self._refit.start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        width = self.view.viewport().width()
        others = [c for c in range(self.view.horizontalHeader().count())
                  if c != self.main and c not in self.spare and not self.view.isColumnHidden(c)]
        used = sum(self._width(c) for c in others)
        for col in self.spare:  # show the spare columns while the main one keeps its room
            size = self._width(col)
            fits = width - used - size >= self.keep
            self.view.setColumnHidden(col, not fits)
            if fits:
                used += size

    def _width(self, col: int) -> int:
        """The width `col` takes when shown: what its header and rows ask for if it is
        sized to its contents (its present size may be from before the rows came); a
        hidden column (Qt measures it as nothing) keeps the width it last had."""
        header = self.view.horizontalHeader()
        if self.view.isColumnHidden(col):
            return self._shown.get(col) or header.fontMetrics().horizontalAdvance(
                str(self.view.model().headerData(col, Qt.Orientation.Horizontal))) + 24
        if header.sectionResizeMode(col) == QHeaderView.ResizeMode.ResizeToContents:
            width = max(header.sectionSizeHint(col), self.view.sizeHintForColumn(col))
        else:
            width = header.sectionSize(col) or header.sectionSizeHint(col)
        self._shown[col] = width
        return width


def style_list_table(table: QTableView, row_padding: int) -> None:
    """How the window's tables read: whole rows selected one at a time, sortable by a
    header click but shown in the model's order at first, no grid, alternating rows, one
    line per row of the font's height plus `row_padding`, no row numbers."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + row_padding)
