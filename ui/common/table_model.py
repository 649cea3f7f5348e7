"""The shared shape of Arcmark's read-only table models: ids plus a row cache in a subclass,
fixed column titles here; and columns sized to the values they can show."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QStyle, QTableView

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
