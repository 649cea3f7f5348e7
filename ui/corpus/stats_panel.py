"""The statistics tab: the corpus in numbers and bar charts painted with QPainter.

Each `BarChart` holds plain numbers (categories × series) and paints stacked bars:
horizontal for labels (long names read well on the left), vertical for days.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from annotate.model import DOCUMENT_STATUSES
from annotate.session import Session
from annotate.statistics import CorpusStatistics, corpus_statistics
from ui.common.charts import begin_card

if TYPE_CHECKING:
    from ui.common.reader import StoreReader

STATUS_COLOURS = {"new": "#94a3b8", "in_progress": "#e0a030", "done": "#2f9e5b",
                  "curated": "#1f6f8b", "suggested": "#c9b6f2", "accepted": "#2f9e5b", "rejected": "#d1495b",
                  "pending": "#cbd5e1"}
STATUS_TEXT = {"new": "New", "in_progress": "In progress", "done": "Done",
               "curated": "Curated", "suggested": "Suggested", "accepted": "Accepted", "rejected": "Rejected",
               "pending": "Not reviewed"}
BAR, GAP, PAD = 16.0, 6.0, 8.0


class BarChart(QWidget):
    """Stacked bars: one per category, one segment per series."""

    def __init__(self, title: str, name: str, *, vertical: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.title = title
        self.vertical = vertical
        self.categories: list[str] = []
        self.series: list[tuple[str, str]] = []  # (name, colour)
        self.values: list[list[int]] = []  # per category, per series
        self.notes: list[str] = []  # text after each bar (e.g. a percentage)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, categories: Sequence[str], series: Sequence[tuple[str, str]],
                 values: Sequence[Sequence[int]], notes: Sequence[str] = ()) -> None:
        self.categories = list(categories)
        self.series = list(series)
        self.values = [list(v) for v in values]
        self.notes = list(notes) or [""] * len(self.categories)
        self.setToolTip("\n".join(
            f"{c}: " + ", ".join(f"{s} {v}" for (s, _), v in zip(self.series, vals, strict=True))
            for c, vals in zip(self.categories, self.values, strict=True)))
        self.updateGeometry()
        self.update()

    def totals(self) -> list[int]:
        return [sum(v) for v in self.values]

    def _header_height(self) -> float:
        return QFontMetricsF(self.font()).height() * 2 + PAD * 2

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        if self.vertical:
            return QSize(420, 240)
        rows = max(len(self.categories), 1)
        return QSize(420, int(self._header_height() + rows * (BAR + GAP) + PAD))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(260, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = begin_card(self, painter, self.title, PAD)
        line = metrics.height()
        self._paint_legend(painter, PAD + line + 2, metrics)
        top = self._header_height()
        if not self.categories or not any(self.totals()):
            painter.setPen(QColor("#6b7280"))
            painter.drawText(QRectF(PAD, top, self.width() - 2 * PAD, line),
                             Qt.AlignmentFlag.AlignLeft, "Nothing yet")
        elif self.vertical:
            self._paint_columns(painter, top, metrics)
        else:
            self._paint_rows(painter, top, metrics)
        painter.end()

    def _paint_legend(self, painter: QPainter, y: float, metrics: QFontMetricsF) -> None:
        x = PAD
        for name, colour in self.series:
            painter.fillRect(QRectF(x, y + 3, 10, 10), QColor(colour))
            painter.setPen(QColor("#374151"))
            width = metrics.horizontalAdvance(name)
            painter.drawText(QRectF(x + 14, y, width + 4, metrics.height()),
                             Qt.AlignmentFlag.AlignLeft, name)
            x += width + 30

    def _paint_rows(self, painter: QPainter, top: float, metrics: QFontMetricsF) -> None:
        label_w = min(max(metrics.horizontalAdvance(c) for c in self.categories) + 10,
                      self.width() * 0.35)
        note_w = max((metrics.horizontalAdvance(f"{t}  {n}") for t, n in
                      zip(self.totals(), self.notes, strict=True)), default=0) + 12
        span = max(self.width() - label_w - note_w - 2 * PAD, 20)
        most = max(self.totals()) or 1
        for i, (category, values) in enumerate(zip(self.categories, self.values, strict=True)):
            y = top + i * (BAR + GAP)
            painter.setPen(QColor("#1f2937"))
            painter.drawText(QRectF(PAD, y, label_w - 8, BAR),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(category, Qt.TextElideMode.ElideRight, label_w - 8))
            x = PAD + label_w
            for (_, colour), value in zip(self.series, values, strict=True):
                w = span * value / most
                if w > 0:
                    painter.fillRect(QRectF(x, y, max(w, 1.5), BAR), QColor(colour))
                x += w
            painter.setPen(QColor("#374151"))
            text = f"{sum(values)}" + (f"  {self.notes[i]}" if self.notes[i] else "")
            painter.drawText(QRectF(x + 6, y, note_w, BAR),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_columns(self, painter: QPainter, top: float, metrics: QFontMetricsF) -> None:
        bottom = self.height() - metrics.height() - PAD
        height = max(bottom - top - metrics.height(), 10)
        n = len(self.categories)
        slot = (self.width() - 2 * PAD) / n
        bar = min(max(slot * 0.6, 3), 40)
        most = max(self.totals()) or 1
        painter.setPen(QPen(QColor("#d1d5db"), 1))
        painter.drawLine(int(PAD), int(bottom), int(self.width() - PAD), int(bottom))
        every = max(1, int(n / max((self.width() - 2 * PAD) / 80, 1)))
        for i, (category, values) in enumerate(zip(self.categories, self.values, strict=True)):
            x = PAD + i * slot + (slot - bar) / 2
            y = bottom
            for (_, colour), value in zip(self.series, values, strict=True):
                h = height * value / most
                if h > 0:
                    painter.fillRect(QRectF(x, y - h, bar, h), QColor(colour))
                y -= h
            painter.setPen(QColor("#374151"))
            total = sum(values)
            if total and slot >= metrics.horizontalAdvance(str(total)):
                painter.drawText(QRectF(x - 10, y - metrics.height(), bar + 20, metrics.height()),
                                 Qt.AlignmentFlag.AlignCenter, str(total))
            if i % every == 0:
                painter.drawText(QRectF(PAD + i * slot - 30, bottom + 2, slot + 60,
                                        metrics.height()), Qt.AlignmentFlag.AlignCenter, category)


class StatsPanel(QScrollArea):
    """The charts of `annotate.statistics`, refreshed with `refresh()`; `counted()` once
    they show the counts last asked for."""

    counted = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsPanel")
        self.session = session
        self.reader: StoreReader | None = None  # reads off the GUI thread when set
        self.stats: CorpusStatistics | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("statsSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.documents = BarChart("Documents by status", "chartDocuments")
        self.entities = BarChart("Entities by label and status", "chartEntities")
        self.relations = BarChart("Relations by label and status", "chartRelations")
        self.model_quality = BarChart("Model suggestions: accepted vs rejected", "chartModel")
        self.progress = BarChart("Progress by day", "chartProgress", vertical=True)
        from ui.model.quality_chart import ModelQualityChart

        self.training = ModelQualityChart()
        body = QWidget(self)
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addWidget(self.documents, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.progress, 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.entities, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.relations, 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.model_quality, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.training, 2, 1, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.summary)
        self._sections = QVBoxLayout()
        layout.addLayout(self._sections)
        layout.addLayout(grid)
        layout.addStretch(1)
        body.setStyleSheet("background: #f6f7f9")
        self.setWidget(body)
        self.setWidgetResizable(True)

    def add_section(self, widget: QWidget) -> None:
        """Another feature's part of the tab (e.g. the team's agreement), above the charts."""
        self._sections.addWidget(widget)

    def refresh(self) -> None:
        """Count again (off the GUI thread when the panel has a `reader` and the store is
        large: the statistics of 100,000 documents take seconds)."""
        if self.reader is None:
            self.show_statistics(corpus_statistics(self.session))
            return
        if not self.reader.at_once():
            self.summary.setText("<span style='font-size:15pt'>Counting …</span>")
        self.reader.read("statistics", corpus_statistics, self.show_statistics,
                         lambda exc: self.summary.setText(f"Cannot count: {exc}"))

    def show_statistics(self, stats: CorpusStatistics) -> None:
        from annotate.model_registry import trained_versions

        self.stats = stats
        self.training.set_rounds(trained_versions(self.session))  # a few rows
        by_status = stats.entities_by_status()
        self.summary.setText(
            f"<span style='font-size:15pt'><b>{stats.documents}</b> "
            f"document{'s' * (stats.documents != 1)} · "
            f"<b>{stats.entities}</b> entities ({by_status['accepted']} accepted, "
            f"{by_status['suggested']} to review) · <b>{stats.relations}</b> relations</span>")
        self.documents.set_data(
            [STATUS_TEXT[s] for s in DOCUMENT_STATUSES], [("Documents", "#4b6cb7")],
            [[stats.documents_by_status[s]] for s in DOCUMENT_STATUSES])
        statuses = ("accepted", "suggested", "rejected")
        series = [(STATUS_TEXT[s], STATUS_COLOURS[s]) for s in statuses]
        self.entities.set_data(list(stats.entities_by_label), series,
                               [[c[s] for s in statuses] for c in stats.entities_by_label.values()])
        self.relations.set_data(list(stats.relations_by_label), series,
                                [[c[s] for s in statuses]
                                 for c in stats.relations_by_label.values()])
        quality = stats.model_quality
        self.model_quality.set_data(
            [q.label for q in quality],
            [("Accepted", STATUS_COLOURS["accepted"]), ("Rejected or corrected",
                                                        STATUS_COLOURS["rejected"]),
             ("Not reviewed", STATUS_COLOURS["pending"])],
            [[q.accepted, q.rejected, q.pending] for q in quality],
            [f"{q.precision:.0%} kept" if q.precision is not None else "" for q in quality])
        self.progress.set_data(
            [d.day[5:] for d in stats.progress],
            [("Documents done", STATUS_COLOURS["done"]), ("Entity edits", "#4b6cb7"),
             ("Relation edits", "#e0a030")],
            [[d.documents_done, d.entity_edits, d.relation_edits] for d in stats.progress])
        self.counted.emit()
