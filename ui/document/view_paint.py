"""How entity highlights look: fills under the text, outlines and veils over it.

- accepted: filled with the label colour, thin darker border;
- suggested: pale fill and a dashed border in the label colour;
- rejected (only when shown): no fill, greyed by a veil over the text, struck through;
- overlapping entities: each nesting level is inset a little more, so the
  outer entity's colour stays visible above and below the inner one;
- selected: a strong dark outline; relation head / tail being built: a thick
  blue / magenta outline with a small tag above;
- with View → Label Tags: each entity's label written above its text, brat-style.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap

from ui.document.view_data import ViewSpan

INSET = 2.5  # px per overlap depth
MAX_DEPTH = 3
SELECTED = QColor("#1b1f24")
HEAD = QColor("#1565c0")
TAIL = QColor("#ad1457")
VEIL = QColor(255, 255, 255, 150)
DARK_VEIL = QColor(30, 33, 37, 150)
DARK_SELECTED = QColor("#f2f2ee")
REJECTED = QColor("#9aa0a6")

_colours: dict[str, QColor] = {}


def colour(name: str) -> QColor:
    """A cached QColor for '#rrggbb' (grey for anything unreadable)."""
    found = _colours.get(name)
    if found is None:
        found = QColor(name)
        if not found.isValid():
            found = QColor("#cccccc")
        _colours[name] = found
    return found


@dataclass(slots=True)
class Painted:
    """One visible entity this frame: its data, rectangles and nesting depth."""

    span: ViewSpan
    boxes: list[tuple[float, float, float, float]]  # (x, y, width, height)
    depth: int

    @property
    def rects(self) -> list[QRectF]:
        return [QRectF(*box) for box in self.boxes]


def nest(spans: list[ViewSpan]) -> list[tuple[ViewSpan, int]]:
    """Spans in drawing order (outer first) with their overlap depth."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
    open_ends: list[int] = []
    out = []
    for span in ordered:
        open_ends = [end for end in open_ends if end > span.start]
        out.append((span, min(len(open_ends), MAX_DEPTH)))
        open_ends.append(span.end)
    return out


def inset(rect: QRectF, depth: int) -> QRectF:
    d = depth * INSET
    return rect.adjusted(0.5, d + 0.5, -0.5, -d - 0.5)


def _dashes(base: QColor) -> QBrush:
    """A brush of short dashes in a darker shade, for the edge of suggestions."""
    key = base.name()
    brush = _dash_brushes.get(key)
    if brush is None:
        pixmap = QPixmap(7, 2)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.fillRect(0, 0, 4, 2, base.darker(165))
        painter.end()
        brush = _dash_brushes[key] = QBrush(pixmap)
    return brush


_dash_brushes: dict[str, QBrush] = {}


def paint_fills(painter: QPainter, items: list[Painted], dark: bool = False) -> None:
    """What goes under the text. Runs for every entity on screen at every frame,
    so it only fills whole-pixel rectangles, batched per brush: strokes and
    antialiased shapes cost ten times more. On dark paper the label colour is laid
    thinner, so the light ink stays legible on it; the edge keeps the full colour."""
    # (overlap depth, kind, colour): outer entities first, fills before edges
    batches: dict[tuple[int, int, str], list[QRect]] = defaultdict(list)
    brushes: dict[tuple[int, int, str], QBrush | QColor] = {}
    for item in items:
        span, depth = item.span, item.depth
        status = span.status
        d = round(depth * INSET)
        if status == "rejected":
            key = (depth, 0, "rejected")
            brushes[key] = REJECTED
            batches[key].extend(QRect(round(x), round(y + h) - 1 - d, round(w), 1)
                                for x, y, w, h in item.boxes)
            continue
        suggested = status == "suggested"
        fill_key = (depth, 1 if suggested else 0, span.colour)
        edge_key = (depth, 3 if suggested else 2, span.colour)
        if fill_key not in brushes:
            base = colour(span.colour)
            brushes[fill_key] = _pale(base, 0.22 if dark else 0.5) if suggested \
                else (_pale(base, 0.42) if dark else base)
            brushes[edge_key] = _dashes(base) if suggested else \
                (base if dark else base.darker(135))
        fills, edges = batches[fill_key], batches[edge_key]
        for x, y, w, h in item.boxes:
            x, y, w, h = round(x), round(y) + d, round(w), round(h) - 2 * d
            fills.append(QRect(x, y, w, h - 2))
            edges.append(QRect(x, y + h - 2, w, 2))
            if suggested:
                edges.append(QRect(x, y, w, 1))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(Qt.PenStyle.NoPen)
    for key in sorted(batches):
        painter.setBrush(brushes[key])
        painter.drawRects(batches[key])


def _pale(base: QColor, alpha: float = 0.5) -> QColor:
    fill = QColor(base)
    fill.setAlphaF(alpha)
    return fill


def paint_overlays(painter: QPainter, items: list[Painted], selected: int | None,
                   head: int | None, tail: int | None, font: QFont, dark: bool = False) -> None:
    """What goes over the text: veils on rejected entities and outlines."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for item in items:
        span = item.span
        if span.status == "rejected":
            for rect in item.rects:
                painter.fillRect(rect, DARK_VEIL if dark else VEIL)
                painter.setPen(QPen(QColor("#70757a"), 1.2))
                y = rect.center().y() + 1
                painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        marks = []
        if span.id == selected:
            marks.append((DARK_SELECTED if dark else SELECTED, 2.0, 1.5))
        if span.id == head:
            marks.append((HEAD, 2.6, 3.0))
        if span.id == tail:
            marks.append((TAIL, 2.6, 3.0))
        for pen_colour, width, grow in marks:
            painter.setPen(QPen(pen_colour, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for rect in item.rects:
                painter.drawRoundedRect(rect.adjusted(-grow, -grow, grow, grow), 4.0, 4.0)
        if span.id in (head, tail) and item.rects:
            _tag(painter, item.rects[0], "head" if span.id == head else "tail",
                 HEAD if span.id == head else TAIL, font)


def paint_label_tags(painter: QPainter, items: list[Painted], font: QFont) -> list[QRectF]:
    """Each entity's label in a small box above its first line (a tag that would cover
    one already drawn is left out: the tooltip still names the label); returns the boxes."""
    metrics = QFontMetricsF(font)
    painter.setFont(font)
    drawn: list[QRectF] = []
    for item in sorted(items, key=lambda i: i.depth):
        if not item.rects:
            continue
        first = item.rects[0]
        width = metrics.horizontalAdvance(item.span.label) + 6
        box = QRectF(first.left(), first.top() - metrics.height() - 1, width, metrics.height())
        if any(box.intersects(other) for other in drawn):
            continue
        drawn.append(box)
        base = colour(item.span.colour)
        painter.setPen(QPen(base.darker(135), 1.0))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(box, 2.5, 2.5)
        painter.setPen(QColor("#1b1f24") if item.span.status != "rejected" else REJECTED)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, item.span.label)
    return drawn


def _tag(painter: QPainter, rect: QRectF, text: str, fill: QColor, font: QFont) -> None:
    metrics = QFontMetricsF(font)
    box = QRectF(rect.left() - 3, rect.top() - metrics.height() - 4,
                 metrics.horizontalAdvance(text) + 8, metrics.height())
    painter.setFont(font)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(box, 3, 3)
    painter.setPen(QColor("white"))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
