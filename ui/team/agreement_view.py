"""The agreement section of the Statistics tab: an annotator × annotator matrix per
label, the team's figures and the documents ranked by disagreement.

The figures are computed in the background (`ui.team.jobs.measure_agreement`) and
handed to `show_report`; the section holds the plain `AgreementReport` and draws from it.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal,
)
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QTableView,
    QVBoxLayout, QWidget,
)

from annotate.team.agreement import ALL_LABELS, AgreementReport
from annotate.team.report import number
from ui.common.charts import begin_card

MEASURES = {"exact_f1": "Exact-span F1", "overlap_f1": "Overlap F1",
            "kappa": "Token Cohen's kappa", "alpha": "Token Krippendorff's alpha"}
CELL, PAD = 64.0, 10.0
_Index = QModelIndex | QPersistentModelIndex


def cell_colour(value: float | None) -> QColor:
    """White (0) to deep green (1); below 0 (worse than chance) towards red; grey: none."""
    if value is None:
        return QColor("#e5e7eb")
    if value < 0:
        return QColor(255, int(235 + 20 * max(value, -1)), int(235 + 20 * max(value, -1)))
    v = min(value, 1.0)
    return QColor(int(255 - 208 * v), int(255 - 97 * v), int(255 - 164 * v))


class MatrixChart(QWidget):
    """An annotator × annotator grid of one measure, painted with QPainter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreementMatrix")
        self.title = ""
        self.names: list[str] = []
        self.values: list[list[float | None]] = []

    def set_matrix(self, title: str, names: list[str], values: list[list[float | None]]) -> None:
        self.title, self.names, self.values = title, names, values
        self.updateGeometry()
        self.update()

    def _label_width(self) -> float:
        metrics = QFontMetricsF(self.font())
        return max((metrics.horizontalAdvance(n) for n in self.names), default=40) + 14

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        line = QFontMetricsF(self.font()).height()
        side = len(self.names) * CELL
        return QSize(int(self._label_width() + side + 2 * PAD),
                     int(2 * line + side + 2 * PAD + 6))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        metrics = begin_card(self, painter, self.title, PAD)
        line = metrics.height()
        left, top = PAD + self._label_width(), PAD + 2 * line + 6
        for j, name in enumerate(self.names):  # column heads
            painter.setPen(QColor("#374151"))
            painter.drawText(QRectF(left + j * CELL, top - line - 2, CELL, line),
                             Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight, CELL - 4))
        for i, name in enumerate(self.names):
            y = top + i * CELL
            painter.setPen(QColor("#374151"))
            painter.drawText(QRectF(PAD, y, left - PAD - 8, CELL),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            for j in range(len(self.names)):
                value = self.values[i][j]
                rect = QRectF(left + j * CELL, y, CELL - 2, CELL - 2)
                painter.fillRect(rect, cell_colour(value))
                painter.setPen(QColor("#ffffff" if value is not None and value > 0.6 else "#111827"))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, number(value))
        painter.end()


class RankedDocumentsModel(QAbstractTableModel):
    """The documents by disagreement: a row cache over the report's plain values."""

    HEADERS = ("Document", "Annotators", "Agreed", "Disagreement")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt override)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        d = self.rows[index.row()]
        return (d.title, ", ".join(d.annotators), f"{d.agreed} of {d.annotations}",
                f"{d.disagreement:.0%}")[index.column()]


class AgreementSection(QFrame):
    """What the Statistics tab shows of agreement; `open_requested(doc_id)` on a double click."""

    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreementSection")
        self.report: AgreementReport | None = None
        self.summary = QLabel("Agreement: measuring…", self)
        self.summary.setObjectName("agreementSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.label = QComboBox(self)
        self.label.setObjectName("agreementLabel")
        self.measure = QComboBox(self)
        self.measure.setObjectName("agreementMeasure")
        for key, text in MEASURES.items():
            self.measure.addItem(text, key)
        self.matrix = MatrixChart(self)
        self.ranked = RankedDocumentsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("agreementDocuments")
        self.table.setModel(self.ranked)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(160)
        self._build_layout()
        self.label.currentIndexChanged.connect(self._draw)
        self.measure.currentIndexChanged.connect(self._draw)
        self.table.doubleClicked.connect(self._on_table_double_clicked)

    def _build_layout(self) -> None:
        choices = QHBoxLayout()
        choices.addWidget(QLabel("Label", self))
        choices.addWidget(self.label)
        choices.addWidget(QLabel("Measure", self))
        choices.addWidget(self.measure)
        choices.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.matrix, 0, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Documents by disagreement</b> (double-click to open)", self))
        right.addWidget(self.table, 1)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.summary)
        layout.addLayout(choices)
        layout.addLayout(body)
        self.setStyleSheet("#agreementSection { background: #ffffff; }")

    def show_report(self, report: AgreementReport) -> None:
        self.report = report
        # a store one analyst annotated has no agreement to show
        enough = len(report.annotators) >= 2 and bool(report.entities)
        self.setVisible(enough)
        if not enough:
            return
        coefficient = "Fleiss' kappa" if len(report.annotators) > 2 else "Cohen's kappa"
        lights = (f" · Light's kappa <b>{number(report.team_lights_kappa)}</b>"
                  if len(report.annotators) > 2 else "")
        self.summary.setText(
            f"<span style='font-size:13pt'><b>Agreement</b> of {len(report.annotators)} "
            f"annotators over {report.documents} document{'s' * (report.documents != 1)} · "
            f"Krippendorff's alpha "
            f"<b>{number(report.team_alpha)}</b> · {coefficient} <b>{number(report.team_kappa)}</b>"
            f"{lights}</span>")
        chosen = self.label.currentData()
        self.label.blockSignals(True)
        self.label.clear()
        for label in report.labels():
            self.label.addItem("All labels" if label == ALL_LABELS else label, label)
        at = self.label.findData(chosen)
        self.label.setCurrentIndex(max(at, 0))
        self.label.blockSignals(False)
        self.ranked.set_rows(report.ranked)
        self._draw()

    def _draw(self) -> None:
        if self.report is None or self.label.currentData() is None:
            return
        label, measure = str(self.label.currentData()), str(self.measure.currentData())
        title = f"{MEASURES[measure]} — {'all labels' if label == ALL_LABELS else label}"
        self.matrix.set_matrix(title, self.report.annotators, self.report.matrix(label, measure))

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(self.ranked.rows[index.row()].doc_id)
