"""The entity table: the open document's entities, in text order, as a Qt model.

`EntityTableModel` keeps entity ids sorted by (start, end, id) plus an `Entity`
per id; `upsert` and `remove` emit row signals for exactly the rows touched, so a
one-entity edit never resets the table. `EntityFilterModel` hides rejected
entities (unless shown) and hidden labels, and lets the user sort by any column.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from PySide6.QtCore import (
    QItemSelectionModel, QModelIndex, QPersistentModelIndex,
    QSortFilterProxyModel, Qt, Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from annotate.model import Entity
from ui.common.table_model import NarrowColumns, ReadOnlyTableModel, fit_columns, style_list_table

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Text", "Label", "Status", "Origin", "Start", "End")
TEXT, LABEL, STATUS, ORIGIN, START, END = range(len(COLUMNS))
STATUS_TEXT = {"suggested": "Suggested", "accepted": "Accepted", "rejected": "Rejected"}


def origin_text(origin: str) -> str:
    """`model:en_core_web_sm@3.8.0` → `en_core_web_sm@3.8.0`; `human` stays."""
    return origin.removeprefix("model:")


def _key(entity: Entity) -> tuple[int, int, int]:
    return entity.start, entity.end, entity.id


class EntityTableModel(ReadOnlyTableModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._keys: list[tuple[int, int, int]] = []  # sorted (start, end, id)
        self._rows: dict[int, Entity] = {}
        self._colours: dict[str, str] = {}

    def set_colours(self, colours: dict[str, str]) -> None:
        self._colours = dict(colours)
        if self._keys:
            self.dataChanged.emit(self.index(0, LABEL), self.index(len(self._keys) - 1, LABEL))

    def labels(self) -> set[str]:
        return {e.label for e in self._rows.values()}

    def last_offset(self) -> int:
        return max((end for _start, end, _id in self._keys), default=0)

    # --- reading ----------------------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._keys)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        entity = self._rows[self._keys[index.row()][2]]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(entity, col)
        if role == SORT_ROLE:
            return (entity.text.casefold(), entity.label, entity.status, entity.origin,
                    entity.start, entity.end)[col]
        if role == ID_ROLE:
            return entity.id
        if role == Qt.ItemDataRole.DecorationRole and col == LABEL:
            return QColor(self._colours.get(entity.label, "#dddddd"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (START, END):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole:
            return _font(entity)
        if role == Qt.ItemDataRole.ForegroundRole and entity.status != "accepted":
            return QBrush(QColor("#8a8f98" if entity.status == "rejected" else "#4a5260"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{entity.label} “{entity.text}”\nOrigin: {origin_text(entity.origin)}"
                    f"\nStatus: {entity.status}")
        return None

    # --- ids and rows ---------------------------------------------------------------------------

    def entity(self, entity_id: int) -> Entity | None:
        return self._rows.get(entity_id)

    def entities(self) -> list[Entity]:
        return [self._rows[k[2]] for k in self._keys]

    def row_of(self, entity_id: int) -> int:
        entity = self._rows.get(entity_id)
        return -1 if entity is None else bisect_left(self._keys, _key(entity))

    # --- updating -------------------------------------------------------------------------------

    def set_entities(self, entities: Sequence[Entity]) -> None:
        self.beginResetModel()
        self._rows = {e.id: e for e in entities}
        self._keys = sorted(_key(e) for e in entities)
        self.endResetModel()

    def upsert(self, entities: Iterable[Entity]) -> None:
        for entity in entities:
            old = self._rows.get(entity.id)
            if old is not None and _key(old) == _key(entity):
                self._rows[entity.id] = entity
                row = self.row_of(entity.id)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                continue
            if old is not None:
                self.remove([entity.id])
            row = bisect_left(self._keys, _key(entity))
            self.beginInsertRows(QModelIndex(), row, row)
            self._keys.insert(row, _key(entity))
            self._rows[entity.id] = entity
            self.endInsertRows()

    def remove(self, ids: Iterable[int]) -> None:
        for entity_id in ids:
            row = self.row_of(entity_id)
            if row < 0:
                continue
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._keys[row]
            del self._rows[entity_id]
            self.endRemoveRows()


def _display(entity: Entity, col: int) -> str | int:
    if col == TEXT:
        return " ".join(entity.text.split())
    if col == LABEL:
        return entity.label
    if col == STATUS:
        return STATUS_TEXT.get(entity.status, entity.status)
    if col == ORIGIN:
        return "model" if entity.is_model else "human"
    return entity.start if col == START else entity.end


def _font(entity: Entity) -> QFont | None:
    if entity.status == "accepted":
        return None
    font = QFont()
    if entity.status == "rejected":
        font.setStrikeOut(True)
    else:
        font.setItalic(True)
    return font


class EntityFilterModel(QSortFilterProxyModel):
    """Hides rejected entities (unless shown) and entities whose label is hidden."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._show_rejected = False
        self._hidden: frozenset[str] = frozenset()
        self.setSortRole(SORT_ROLE)

    def set_show_rejected(self, show: bool) -> None:
        self.beginFilterChange()
        self._show_rejected = show
        self.endFilterChange()

    def set_hidden_labels(self, labels: Iterable[str]) -> None:
        self.beginFilterChange()
        self._hidden = frozenset(labels)
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, EntityTableModel):
            return True
        entity_id = model.index(source_row, 0).data(ID_ROLE)
        entity = model.entity(entity_id) if entity_id is not None else None
        if entity is None:
            return False
        if entity.status == "rejected" and not self._show_rejected:
            return False
        return entity.label not in self._hidden


class EntityTableView(QTableView):
    """The table of the open document's entities (`entityTable`).

    `entity_selected(object)` carries the selected entity id, or None."""

    entity_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entityTable")
        self.source = EntityTableModel(self)
        self.proxy = EntityFilterModel(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        style_list_table(self, row_padding=8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        header.setHighlightSections(False)
        self._fitted: tuple[frozenset[str], int] = (frozenset(), 0)  # labels, offset digits
        self.fit_columns()
        # the Text column first: offsets and origin give way in a narrow panel
        self.narrow = NarrowColumns(self, TEXT, (ORIGIN, START, END), keep=170)
        self.source.modelReset.connect(self.fit_columns)
        self.source.rowsInserted.connect(self._on_source_rows_inserted)
        self.source.dataChanged.connect(self._on_source_data_changed)
        # selection, not the current index: focusing the table makes a row current, and
        # that must not select an entity
        self.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def fit_columns(self) -> None:
        """Columns as wide as the rows' labels, any status and origin, and the longest
        offset: measured from those words, not by reading the rows through the model."""
        labels, digits = self.source.labels(), len(str(self.source.last_offset()))
        self._fitted = (frozenset(labels), digits)
        fit_columns(self, {LABEL: labels, STATUS: STATUS_TEXT.values(),
                           ORIGIN: ("model", "human"), START: ["0" * digits],
                           END: ["0" * digits]}, icon_columns=[LABEL])
        narrow = getattr(self, "narrow", None)
        if narrow is not None:  # the spare columns' widths changed: still room for them?
            narrow.fit()

    def _on_source_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._refit_for_rows(first, last)

    def _on_source_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex,
                                _roles: object = None) -> None:
        self._refit_for_rows(top_left.row(), bottom_right.row())  # e.g. a relabelled entity

    def _refit_for_rows(self, first: int, last: int) -> None:
        """Refit the columns if these rows bring a new label or a longer offset."""
        if last - first > 100:  # many rows (new colours, say): cheaper to measure afresh
            self.fit_columns()
            return
        labels, digits = self._fitted
        changed = [self.source.index(row, 0).data(ID_ROLE) for row in range(first, last + 1)]
        entities = [e for e in map(self.source.entity, changed) if e is not None]
        if any(e.label not in labels or len(str(e.end)) > digits for e in entities):
            self.fit_columns()

    def _on_selection_changed(self, _selected: object, _deselected: object) -> None:
        self.entity_selected.emit(self.selected_entity())

    def selected_entity(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return int(rows[0].data(ID_ROLE)) if rows else None

    def select_entity(self, entity_id: int | None) -> None:
        """Select the row of `entity_id` (or nothing) without emitting `entity_selected`."""
        row = self.source.row_of(entity_id) if entity_id is not None else -1
        index = self.proxy.mapFromSource(self.source.index(row, 0)) if row >= 0 else QModelIndex()
        selection = self.selectionModel()
        blocked = selection.blockSignals(True)
        try:
            if index.isValid():
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
                self.scrollTo(index)
            else:
                selection.clear()
        finally:
            selection.blockSignals(blocked)
        self.viewport().update()
