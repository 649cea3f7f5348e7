"""Model quality per training round: held-out F1 of each trained version, side by side
with the base model (entities) and the co-occurrence baseline (relations)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.common.charts import begin_card

SERIES = (("base_f", "Entities: base model", "#cbd5e1"),
          ("f", "Entities: trained", "#2f9e5b"),
          ("baseline_f", "Relations: co-occurrence", "#f3d9a4"),
          ("relation_f", "Relations: trained", "#e0a030"))
PAD, BAR = 8.0, 12.0


class ModelQualityChart(QWidget):
    """Grouped bars, one group per trained version (oldest first), F1 from 0 to 1."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartTraining")
        self.rounds: list[dict[str, Any]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rounds(self, rounds: Sequence[dict[str, Any]]) -> None:
        self.rounds = list(rounds)
        self.setToolTip("\n".join(
            f"v{r['version']} ({r['date']}, {r['documents']} documents): " + ", ".join(
                f"{name} {r[key]:.2f}" for key, name, _ in SERIES) for r in self.rounds))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(420, 280)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        metrics = begin_card(self, painter, "Model quality per training round "
                               "(held-out F1)", PAD)
        line = metrics.height()
        x, y = PAD, PAD + line + 2
        for _, name, colour in SERIES:  # the legend, wrapped to the width
            width = 14 + metrics.horizontalAdvance(name) + 12
            if x > PAD and x + width > self.width() - PAD:
                x, y = PAD, y + line + 2
            painter.fillRect(QRectF(x, y + 4, 10, 10), QColor(colour))
            painter.setPen(QColor("#374151"))
            painter.drawText(QRectF(x + 14, y, width, line + 4),
                             Qt.AlignmentFlag.AlignVCenter, name)
            x += width
        top = y + line + 12
        if not self.rounds:
            painter.drawText(QRectF(PAD, top, self.width() - 2 * PAD, line),
                             Qt.AlignmentFlag.AlignLeft,
                             "No model trained yet: mark reviewed documents done, then "
                             "Annotate → Train Model")
            return
        self._paint_groups(painter, top, self.height() - line - PAD, metrics)

    def _paint_groups(self, painter: QPainter, top: float, bottom: float,
                      metrics: QFontMetricsF) -> None:
        height = bottom - top
        axis = metrics.horizontalAdvance("0.00") + 6
        for tick in (0.0, 0.25, 0.5, 0.75, 1.0):  # F1 gridlines
            y = bottom - tick * height
            painter.setPen(QColor("#e5e7eb"))
            painter.drawLine(int(PAD + axis), int(y), int(self.width() - PAD), int(y))
            painter.setPen(QColor("#6b7280"))
            painter.drawText(QRectF(PAD, y - metrics.height() / 2, axis - 4, metrics.height()),
                             Qt.AlignmentFlag.AlignRight, f"{tick:.2f}")
        group = len(SERIES) * BAR + 14
        for n, r in enumerate(self.rounds):
            x0 = PAD + axis + 4 + n * group
            for k, (key, _, colour) in enumerate(SERIES):
                h = max(0.0, min(1.0, float(r.get(key, 0.0)))) * height
                painter.fillRect(QRectF(x0 + k * BAR, bottom - h, BAR - 2, h), QColor(colour))
            painter.setPen(QColor("#374151"))
            painter.drawText(QRectF(x0, bottom + 2, group, metrics.height()),
                             Qt.AlignmentFlag.AlignLeft, f"v{r['version']}")
