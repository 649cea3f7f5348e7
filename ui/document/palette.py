"""The label palette (`labelPalette`): the legend of entity labels.

Each label shows a checkbox (uncheck to hide the label's highlights), its colour
chip with the name, its key and how many entities of the open document carry it.
Clicking the chip applies the label to the selected text or entity.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox, QFrame, QGridLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout,
    QWidget,
)

from annotate.schema import EntityLabel

COLUMNS = 1  # labels per row; 2 suits a wide panel


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on `background`."""
    colour = QColor(background)
    luminance = 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()
    return "#1d1f23" if luminance > 140 else "#ffffff"


def key_text(key: str) -> str:
    """A schema key ("p", "Shift+P") as the menus show it ("P", "Shift+P")."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) if key else ""


class _Chip(QPushButton):
    """A label's colour chip; a flat button so it can be clicked and focused."""

    def __init__(self, label: EntityLabel, parent: QWidget) -> None:
        super().__init__(label.name, parent)
        self.setObjectName(f"labelChip_{label.name}")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("WORK_OF_AR") + 14)
        tip = f"{label.name}: {label.description}" if label.description else label.name
        key = key_text(label.key)
        self.setToolTip(f"{tip}\nClick (or press {key}) to label the selection" if key else tip)
        fg = text_colour(label.colour)
        self.setStyleSheet(
            f"QPushButton {{ background: {label.colour}; color: {fg}; border: 1px solid "
            f"{QColor(label.colour).darker(125).name()}; border-radius: 4px; padding: 2px 5px;"
            f" text-align: left; font-weight: 600; min-width: 0; }}"
            f"QPushButton:hover {{ border-color: #1d1f23; }}"
            f"QPushButton:disabled {{ background: #eceef1; color: #9aa0a8; border-color: #d6d9de; }}")


class LabelPalette(QWidget):
    """Signals: `label_activated(str)`, `hidden_labels_changed(object)` (a frozenset)."""

    label_activated = Signal(str)
    hidden_labels_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelPalette")
        self._checks: dict[str, QCheckBox] = {}
        self._chips: dict[str, _Chip] = {}
        self._counts: dict[str, QLabel] = {}
        self._body = QWidget()
        self._grid = QGridLayout(self._body)
        self._grid.setContentsMargins(8, 6, 8, 6)
        self._grid.setHorizontalSpacing(5)
        self._grid.setVerticalSpacing(4)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def set_labels(self, labels: Sequence[EntityLabel], hidden: Iterable[str] = ()) -> None:
        """Rebuild the rows for a schema's entity labels."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._checks.clear()
        self._chips.clear()
        self._counts.clear()
        hidden = set(hidden)
        rows = (len(labels) + COLUMNS - 1) // COLUMNS
        for n, label in enumerate(labels):
            self._add_row(n % rows, (n // rows) * 5, label, label.name not in hidden)
        for col in range(COLUMNS):
            self._grid.setColumnStretch(col * 5 + 1, 1)
            if col:
                self._grid.setColumnMinimumWidth(col * 5 - 1, 6)
        self._grid.setRowStretch(rows, 1)

    def _add_row(self, row: int, first: int, label: EntityLabel, visible: bool) -> None:
        check = QCheckBox(self._body)
        check.setObjectName(f"labelVisible_{label.name}")
        check.setChecked(visible)
        check.setToolTip(f"Show {label.name} highlights")
        check.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        check.toggled.connect(self._on_check_toggled)
        chip = _Chip(label, self._body)
        chip.setEnabled(visible)
        chip.clicked.connect(lambda _=False, name=label.name: self.label_activated.emit(name))
        key = QLabel(key_text(label.key), self._body)
        key.setObjectName("labelKey")
        key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        key.setMinimumWidth(key.fontMetrics().horizontalAdvance("Shift+M") + 6)
        key.setStyleSheet("QLabel#labelKey { color: #3b4048; background: #f3f4f6; border: 1px "
                          "solid #cfd3d9; border-radius: 3px; padding: 0 4px; }")
        count = QLabel("", self._body)
        count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        count.setMinimumWidth(count.fontMetrics().horizontalAdvance("00"))
        count.setStyleSheet("color: #5f6b7a;")
        for col, widget in enumerate((check, chip, key, count)):
            self._grid.addWidget(widget, row, first + col)
        self._checks[label.name] = check
        self._chips[label.name] = chip
        self._counts[label.name] = count

    def _on_check_toggled(self, _checked: bool) -> None:
        for name, check in self._checks.items():
            self._chips[name].setEnabled(check.isChecked())
        self.hidden_labels_changed.emit(self.hidden_labels())

    def hidden_labels(self) -> frozenset[str]:
        return frozenset(name for name, check in self._checks.items() if not check.isChecked())

    def set_hidden(self, name: str, hidden: bool) -> None:
        if name in self._checks:
            self._checks[name].setChecked(not hidden)

    def set_counts(self, counts: Mapping[str, int]) -> None:
        """Entities per label in the open document (suggested and accepted)."""
        for name, label in self._counts.items():
            n = counts.get(name, 0)
            label.setText(str(n) if n else "")

    def rows_height(self) -> int:
        """The height that shows every label without scrolling."""
        return self._body.sizeHint().height() + 2
