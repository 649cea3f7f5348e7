"""Relation arcs of the document view, drawn brat-style above the text.

An arc whose two entities start on the same screen line is a bracket over the
line: up from the head, across at its stacking level (shorter arcs lower),
down to the tail, with the label on the crossbar and an arrowhead at the tail
when the relation is directed. The layout leaves room above each line for the
levels its arcs need (`line_levels`). An arc between entities on different
lines is a curve from the top of one box to the top of the other.

Only arcs that overlap the visible text are laid out and painted. The shapes
painted last are kept for hit-testing clicks and tooltips.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from weakref import WeakMethod

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor, QFont, QFontMetricsF, QPainter, QPen, QStaticText, QTextBlock, QTextLayout,
)

from ui.document.offsets import OffsetMap
from ui.document.view_data import IntervalIndex, ViewArc, ViewSpan
from ui.document.view_layout import Frame

LABEL_PAD = 4.0  # horizontal padding inside an arc label
ARROW = 5.0  # arrowhead half-width


@dataclass(slots=True)
class _Placed:
    """One arc's piece on one line: a whole bracket, or half of an arc whose
    other end is on another line (it runs to the line's edge)."""

    arc_id: int
    line: int
    level: int
    x_head: float  # the head's anchor, or the edge the arc comes from
    x_tail: float  # the tail's anchor, or the edge the arc goes to
    head_here: bool
    tail_here: bool
    left: float = 0.0  # the line's extent: labels stay inside it
    right: float = 0.0

    def label_centre(self, half: float) -> float:
        """x of the label's centre: mid-bracket, or next to the entity on a half-arc."""
        if self.head_here == self.tail_here:
            mid = (self.x_head + self.x_tail) / 2
        else:
            anchor, other = ((self.x_head, self.x_tail) if self.head_here
                             else (self.x_tail, self.x_head))
            mid = anchor + (half + 10 if other > anchor else -half - 10)
        return min(max(mid, self.left + half), self.right - half)


@dataclass(slots=True)
class _Shape:
    """What one paint drew for a piece of an arc, kept for hit-testing."""

    arc_id: int
    points: list[QPointF]
    label: QRectF


class ArcLayer:
    """The arcs of one document: their index, their layout and their painting."""

    def __init__(self, spans: dict[int, ViewSpan], visible: Callable[[ViewSpan], bool]) -> None:
        self._span = spans.get
        self._visible_ref = WeakMethod(visible)  # the view owns this layer: no cycle
        self.offsets = OffsetMap("")
        self.arcs: dict[int, ViewArc] = {}
        self.index = IntervalIndex()  # code-point extent of each arc
        self._extents: dict[int, tuple[int, int]] = {}
        self.by_span: dict[int, set[int]] = defaultdict(set)
        self.mode = "all"
        self._dark = False
        self._placed: dict[int, dict[int, _Placed]] = {}  # block number -> arc id -> place
        self._shapes: list[_Shape] = []
        self._labels: dict[str, tuple[QStaticText, float]] = {}
        self.font = QFont()
        self.lift = 0.0  # room kept between a line and its arcs (for label tags)
        self.set_font(QFont())

    # --- data ---------------------------------------------------------------------------

    def set_dark(self, dark: bool) -> None:
        """Labels on dark paper: a dark plate and lighter lettering."""
        self._dark = dark

    def set_font(self, base: QFont) -> None:
        font = QFont(base)
        font.setPointSizeF(max(base.pointSizeF() * 0.72, 7.0))
        font.setWeight(QFont.Weight.DemiBold)
        self.font = font
        self.metrics = QFontMetricsF(font)
        self._labels = {}
        self.level_height = self.metrics.height() + 4.0

    def clear(self, offsets: OffsetMap) -> None:
        self.offsets = offsets
        self.arcs.clear()
        self.index = IntervalIndex()
        self._extents.clear()
        self.by_span.clear()
        self._placed.clear()
        self._shapes = []

    def extent(self, arc: ViewArc) -> tuple[int, int] | None:
        head, tail = self._span(arc.head_id), self._span(arc.tail_id)
        if head is None or tail is None:
            return None
        return min(head.start, tail.start), max(head.end, tail.end)

    def upsert(self, arcs: Iterable[ViewArc]) -> list[tuple[int, int]]:
        """Add or replace arcs; returns the code-point ranges whose spacing may change."""
        touched: list[tuple[int, int]] = []
        for arc in arcs:
            touched.extend(self._drop(arc.id))
            self.arcs[arc.id] = arc
            self.by_span[arc.head_id].add(arc.id)
            self.by_span[arc.tail_id].add(arc.id)
            extent = self.extent(arc)
            if extent is not None:
                self.index.add(arc.id, *extent)
                self._extents[arc.id] = extent
                touched.append(extent)
        return touched

    def remove(self, ids: Iterable[int]) -> list[tuple[int, int]]:
        touched: list[tuple[int, int]] = []
        for arc_id in ids:
            touched.extend(self._drop(arc_id))
        return touched

    def _drop(self, arc_id: int) -> list[tuple[int, int]]:
        arc = self.arcs.pop(arc_id, None)
        if arc is None:
            return []
        for span_id in (arc.head_id, arc.tail_id):
            self.by_span.get(span_id, set()).discard(arc_id)
        extent = self._extents.pop(arc_id, None)
        if extent is not None:
            self.index.discard(arc_id, extent[0])
        return [extent] if extent else []

    def span_moved(self, span_ids: Iterable[int]) -> list[tuple[int, int]]:
        """Re-index the arcs of entities that changed; returns ranges to respace."""
        arc_ids = {a for s in span_ids for a in self.by_span.get(s, ())}
        return self.upsert([self.arcs[a] for a in arc_ids if a in self.arcs])

    def shown(self, arc: ViewArc) -> bool:
        """Whether the arc takes room: both entities exist and are drawn."""
        if self.mode == "none":
            return False
        head, tail = self._span(arc.head_id), self._span(arc.tail_id)
        visible = self._visible_ref()
        return (head is not None and tail is not None and visible is not None
                and visible(head) and visible(tail))

    # --- layout: stacking levels per line -------------------------------------------------

    def line_levels(self, block: QTextBlock, layout: QTextLayout) -> list[int]:
        """How many arc levels each line of `block` needs above it (and place them)."""
        levels = [0] * layout.lineCount()
        number = block.blockNumber()
        self._placed.pop(number, None)
        if self.mode == "none" or not self.arcs:
            return levels
        pos, length = block.position(), block.length()
        to_qt = self.offsets.to_qt
        lines: dict[int, list[_Placed]] = defaultdict(list)
        to_cp = self.offsets.to_cp
        for arc_id in self.index.overlapping(to_cp(pos), to_cp(pos + length)):
            arc = self.arcs[arc_id]
            if not self.shown(arc):
                continue
            head, tail = self._span(arc.head_id), self._span(arc.tail_id)
            hq, tq = to_qt(head.start) - pos, to_qt(tail.start) - pos
            ends = {}
            for name, q, span in (("head", hq, head), ("tail", tq, tail)):
                if 0 <= q < length:
                    line = layout.lineForTextPosition(q)
                    if line.isValid():
                        ends[name] = (line, _fragment_centre(line, q, to_qt(span.end) - pos))
            if not ends:
                continue
            head_first = (head.start, 0) <= (tail.start, 1)
            if len(ends) == 2 and ends["head"][0].lineNumber() == ends["tail"][0].lineNumber():
                line = ends["head"][0]
                piece = _Placed(arc_id, line.lineNumber(), 0, ends["head"][1], ends["tail"][1],
                                True, True, line.x(), line.x() + line.width())
            elif "head" in ends:  # the tail is on a later (or earlier) line
                line, x = ends["head"]
                edge = _edge(line, right=head_first)
                piece = _Placed(arc_id, line.lineNumber(), 0, x, edge, True, False,
                                line.x(), line.x() + line.width())
                if "tail" in ends:
                    self._add_tail_half(lines, arc_id, ends["tail"], head_first)
            else:
                self._add_tail_half(lines, arc_id, ends["tail"], head_first)
                continue
            lines[piece.line].append(piece)
        placed: list[_Placed] = []
        for line_number, pieces in lines.items():
            levels[line_number] = self._stack(pieces)
            placed.extend(pieces)
        if placed:
            self._placed[number] = placed
        return levels

    @staticmethod
    def _add_tail_half(lines, arc_id: int, end, head_first: bool) -> None:
        line, x = end
        edge = _edge(line, right=not head_first)
        lines[line.lineNumber()].append(_Placed(arc_id, line.lineNumber(), 0, edge, x, False, True,
                                                line.x(), line.x() + line.width()))

    def _stack(self, pieces: list[_Placed]) -> int:
        """Give each piece on one line the lowest level clear of the narrower ones."""
        _spread_anchors(pieces)
        boxes: list[tuple[float, float, int]] = []  # (left, right, level)
        top = 0
        for piece in sorted(pieces, key=lambda p: abs(p.x_head - p.x_tail)):
            half = self._label(self.arcs[piece.arc_id].label)[1] / 2 + LABEL_PAD + 2
            mid = piece.label_centre(half)
            left = min(piece.x_head, piece.x_tail, mid - half)
            right = max(piece.x_head, piece.x_tail, mid + half)
            below = [lv for lo, hi, lv in boxes if lo < right and hi > left]
            piece.level = 1 + max(below, default=0)
            boxes.append((left, right, piece.level))
            top = max(top, piece.level)
        return top

    # --- painting -------------------------------------------------------------------------

    def paint(self, painter: QPainter, frame: Frame, selected_span: int | None,
              selected_arc: int | None) -> None:
        self._shapes = []
        if self.mode == "none" or not self.arcs or not frame.blocks:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(self.font)
        for block_index, block in enumerate(frame.blocks):
            pieces = self._placed.get(block.blockNumber())
            if not pieces:
                continue
            layout = block.layout()
            for piece in pieces:
                arc = self.arcs.get(piece.arc_id)
                if arc is None or not self.shown(arc):
                    continue
                touches = selected_span in (arc.head_id, arc.tail_id)
                if self.mode == "selected" and not touches and arc.id != selected_arc:
                    continue
                faded = selected_span is not None and not touches and arc.id != selected_arc
                top = frame.tops[block_index] + layout.lineAt(piece.line).y() - self.lift
                self._draw(painter, arc, piece, frame.x, top, arc.id == selected_arc, faded)

    def _label(self, text: str) -> tuple[QStaticText, float]:
        """A prepared label and its width: laid out once per label name."""
        found = self._labels.get(text)
        if found is None:
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=self.font)
            found = self._labels[text] = (static, self.metrics.horizontalAdvance(text))
        return found

    def _draw(self, painter: QPainter, arc: ViewArc, piece: _Placed, x0: float, top: float,
              selected: bool, faded: bool) -> None:
        """One piece as a bracket over its line: legs at the entities present on
        it, rounded corners, the label on the crossbar, the arrowhead on the tail."""
        static, text_width = self._label(arc.label)
        y = top - 2.0 - (piece.level - 0.5) * self.level_height
        x1, x2 = x0 + piece.x_head, x0 + piece.x_tail
        foot = top + 1
        radius = min(4.0, abs(x2 - x1) / 2)
        sign = 1.0 if x2 >= x1 else -1.0
        points = []
        if piece.head_here:
            points += [QPointF(x1, foot), QPointF(x1, y + radius), QPointF(x1 + sign * radius, y)]
        else:
            points.append(QPointF(x1, y))
        if piece.tail_here:
            points += [QPointF(x2 - sign * radius, y), QPointF(x2, y + radius), QPointF(x2, foot)]
        else:
            points.append(QPointF(x2, y))
        colour = QColor(arc.colour)
        if faded:
            colour.setAlphaF(0.22)
        pen = QPen(colour, 2.4 if selected else 1.3)
        if arc.suggested:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawPolyline(points)
        if arc.directed and piece.tail_here:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawPolygon([QPointF(x2, foot + 1), QPointF(x2 - ARROW, foot - 1.6 * ARROW),
                                 QPointF(x2 + ARROW, foot - 1.6 * ARROW)])
        half = text_width / 2 + LABEL_PAD
        centre = x0 + piece.label_centre(half + 2)
        label = QRectF(centre - half, y - self.metrics.height() / 2,
                       2 * half, self.metrics.height())
        painter.setPen(QPen(colour, 1.0))
        plate = QColor(30, 33, 37) if self._dark else QColor(255, 255, 255)
        plate.setAlpha(90 if faded else 235)
        painter.setBrush(colour if selected else plate)
        painter.drawRoundedRect(label, 3, 3)
        painter.setPen(QColor("white") if selected else
                       (colour.lighter(150) if self._dark else colour.darker(115)))
        painter.drawStaticText(QPointF(label.x() + LABEL_PAD, label.y()), static)
        self._shapes.append(_Shape(arc.id, points, label))

    # --- hit-testing ----------------------------------------------------------------------

    def hit(self, point: QPointF, slop: float = 3.5) -> int | None:
        """The arc painted under `point` (labels first, topmost first), or None."""
        for shape in reversed(self._shapes):
            if shape.label.contains(point):
                return shape.arc_id
        for shape in reversed(self._shapes):
            if _near_polyline(point, shape.points, slop):
                return shape.arc_id
        return None

    def painted(self) -> list[int]:
        """Ids of the arcs drawn by the last paint."""
        return [shape.arc_id for shape in self._shapes]

    def label_rect(self, arc_id: int) -> QRectF | None:
        return next((s.label for s in self._shapes if s.arc_id == arc_id), None)


def _fragment_centre(line, start: int, end: int) -> float:
    """x of the middle of the part of [start, end) that lies on `line`."""
    end = min(end, line.textStart() + line.textLength())
    x1, x2 = line.cursorToX(start)[0], line.cursorToX(max(end, start))[0]
    return (x1 + x2) / 2


def _edge(line, right: bool) -> float:
    """x just beyond the left or right end of a line, where half-arcs leave it."""
    return line.x() + line.width() + 8 if right else line.x() - 8


def _spread_anchors(pieces: list[_Placed]) -> None:
    """Spread the ends of several arcs that meet at one entity a few pixels apart."""
    ends: dict[float, list[tuple[float, int, _Placed, bool]]] = defaultdict(list)
    for k, piece in enumerate(pieces):
        if piece.head_here:
            ends[piece.x_head].append((piece.x_tail, k, piece, True))
        if piece.tail_here:
            ends[piece.x_tail].append((piece.x_head, k, piece, False))
    for x, group in ends.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda item: (item[0], item[1]))
        step = min(6.0, 24.0 / len(group))
        first = x - step * (len(group) - 1) / 2
        for k, (_, _, piece, is_head) in enumerate(group):
            if is_head:
                piece.x_head = first + k * step
            else:
                piece.x_tail = first + k * step


def _near_polyline(point: QPointF, points: list[QPointF], slop: float) -> bool:
    """Whether `point` lies within `slop` pixels of the polyline."""
    px, py = point.x(), point.y()
    for a, b in zip(points, points[1:]):
        ax, ay, bx, by = a.x(), a.y(), b.x(), b.y()
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        t = 0.0 if not length else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
        cx, cy = ax + t * dx - px, ay + t * dy - py
        if cx * cx + cy * cy <= slop * slop:
            return True
    return False
