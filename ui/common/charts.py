"""What the window's painted charts share: a white card with a bold title."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget


def begin_card(widget: QWidget, painter: QPainter, title: str, pad: float) -> QFontMetricsF:
    """Paint `widget`'s white ground and bold `title` `pad` pixels in from its top left;
    leave the painter on the widget's plain font in dark ink and return its metrics."""
    painter.fillRect(widget.rect(), QColor("#ffffff"))
    metrics = QFontMetricsF(widget.font())
    bold = widget.font()
    bold.setBold(True)
    painter.setFont(bold)
    painter.setPen(QColor("#111827"))
    painter.drawText(QRectF(pad, pad, widget.width() - 2 * pad, metrics.height()),
                     Qt.AlignmentFlag.AlignLeft, title)
    painter.setFont(widget.font())
    return metrics
