"""The document view: one document's text, its entities and its relations.

The view is a read-only `QPlainTextEdit` that shows the text as plain text and
paints entity highlights and relation arcs itself, for the visible lines only:
opening a 1 MB document with tens of thousands of entities costs little more
than `setPlainText`, and one entity changing repaints one rectangle.

It knows nothing of the store or the session. It receives plain data
(`ViewSpan`, `ViewArc`, code-point offsets) and emits signals carrying ids and
code-point offsets. The text handed to `set_document` is the truth; the view
never reads text back from Qt.

Mouse: click an entity to select it (click again to cycle through overlapping
ones); drag from one entity onto another to propose a relation; click an arc
or its label to select it. Text is selected as usual; to start a text selection
inside an entity, hold Alt.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor, QFont, QPainter, QPalette, QPen, QTextCursor, QTextDocument, QTextOption,
)
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QWidget

from ui.document.arcs import ArcLayer
from ui.document.offsets import OffsetMap
from ui.document.view_data import ARC_MODES, IntervalIndex, SpanStyle, ViewArc, ViewSpan
from ui.document.view_layout import Frame, SpacedDocumentLayout
from ui.document.view_mouse import MouseMixin
from ui.document.view_navigation import NavigationMixin
from ui.document.view_paint import Painted, nest, paint_fills, paint_label_tags, paint_overlays

__all__ = ["DocumentView", "SpanStyle", "ViewArc", "ViewSpan"]

_span_id = attrgetter("id")

FONT_POINTS = 11.5
MAX_TEXT_WIDTH = 860  # px: a comfortable line length for reading
BACKGROUND = "#fdfdfb"
INK = "#1f2328"
DARK_BACKGROUND = "#1e2125"
DARK_INK = "#e6e6e3"


class DocumentView(MouseMixin, NavigationMixin, QPlainTextEdit):
    """Shows a document's text with entity highlights and relation arcs."""

    span_clicked = Signal(int, int)  # span id, Qt.KeyboardModifiers as int
    span_selection_changed = Signal(object)  # span id or None
    arc_clicked = Signal(int)
    arc_selection_changed = Signal(object)  # arc id or None
    text_selection_changed = Signal(object)  # (start, end) code points or None
    relation_dragged = Signal(int, int)  # head span id, tail span id
    # span id or None, (start, end) or None, global position
    context_menu_requested = Signal(object, object, QPoint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentView")
        self._text = ""
        self._offsets = OffsetMap("")
        self._spans: dict[int, ViewSpan] = {}
        self._index = IntervalIndex()
        self._hidden: frozenset[str] = frozenset()
        self._show_rejected = False
        self._selected: int | None = None
        self._selected_arc: int | None = None
        self._head: int | None = None
        self._tail: int | None = None
        self._last_selection: tuple[int, int] | None = None
        self._arcs = ArcLayer(self._spans, self.is_span_visible)
        self._dark = False
        self._max_text_width = MAX_TEXT_WIDTH
        self.paint_region_only = False
        self._base_gap = 8.0
        self._label_tags = False  # View → Label Tags: each label written above its entity
        self.painted_tags: list[QRectF] = []  # the tags of the last paint
        self._setup_document()
        self._setup_look()
        self._init_mouse()
        self.selectionChanged.connect(self._on_self_selection_changed)

    # --- set-up ---------------------------------------------------------------------------

    def _setup_document(self) -> None:
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        self._layout = SpacedDocumentLayout(document, self._line_gaps)  # keep the wrapper alive
        document.setDocumentLayout(self._layout)
        document.setDocumentMargin(22)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        document.setDefaultTextOption(option)
        self.setDocument(document)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)

    def _setup_look(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(FONT_POINTS)
        font.setStyleHint(QFont.StyleHint.SansSerif)
        self.setFont(font)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.set_theme(dark=False)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.viewport().setMouseTracking(True)

    def set_theme(self, dark: bool) -> None:
        """Light or dark paper and ink; label colours stay, the text on them keeps its contrast."""
        self._dark = dark
        ink = QColor(DARK_INK if dark else INK)
        palette = self.palette()
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
            palette.setColor(role, QColor(DARK_BACKGROUND if dark else BACKGROUND))
        palette.setColor(QPalette.ColorRole.Text, ink)
        palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f5d8a" if dark else "#b4d5fe"))
        palette.setColor(QPalette.ColorRole.HighlightedText, ink)
        self.setPalette(palette)
        self._arcs.set_dark(dark)
        self.viewport().update()

    def is_dark(self) -> bool:
        return self._dark

    def setFont(self, font: QFont) -> None:  # noqa: N802 (Qt override)
        super().setFont(font)
        self._arcs.set_font(font)
        if self._label_tags:
            self._arcs.lift = self._arcs.metrics.height() + 2.0
        self._base_gap = max(round(self.fontMetrics().height() * 0.42), 4)
        self.document().documentLayout().relayout_all()

    def _line_gaps(self, block, layout) -> list[float]:
        levels = self._arcs.line_levels(block, layout)
        step = self._arcs.level_height
        return [self._base_gap + self._arcs.lift + level * step for level in levels]

    def set_label_tags(self, on: bool) -> None:
        """Write each entity's label above it (the lines move apart to make room)."""
        if on == self._label_tags:
            return
        self._label_tags = on
        self._arcs.lift = self._arcs.metrics.height() + 2.0 if on else 0.0
        self.document().documentLayout().relayout_all()
        self.viewport().update()

    def label_tags(self) -> bool:
        return self._label_tags

    def set_max_text_width(self, pixels: int | None) -> None:
        """Centre the text in a column at most `pixels` wide (None: the default width)."""
        self._max_text_width = int(pixels) if pixels else MAX_TEXT_WIDTH
        side = max(0, (self.width() - self._max_text_width) // 2)
        self.setViewportMargins(side, 0, side, 0)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        side = max(0, (self.width() - self._max_text_width) // 2)
        if self.viewportMargins().left() != side:
            self.setViewportMargins(side, 0, side, 0)
        super().resizeEvent(event)

    # --- data in --------------------------------------------------------------------------

    def set_document(self, text: str, spans: Sequence[ViewSpan],
                     arcs: Sequence[ViewArc] = ()) -> None:
        """Show `text` with these entities and relations, replacing everything."""
        self._text = text
        self._offsets = OffsetMap(text)
        self._spans.clear()
        self._spans.update(zip(map(_span_id, spans), spans))
        if len(self._spans) != len(spans):  # repeated ids: the last one wins
            spans = list(self._spans.values())
        self._index.rebuild(spans)
        self._arcs.clear(self._offsets)
        self._arcs.upsert(arcs)
        self._selected = self._selected_arc = self._head = self._tail = None
        self._last_selection = None
        self.setPlainText(text)

    def text(self) -> str:
        """The text given to `set_document` (never read back from Qt)."""
        return self._text

    @property
    def offsets(self) -> OffsetMap:
        return self._offsets

    def spans(self) -> dict[int, ViewSpan]:
        return dict(self._spans)

    def arcs(self) -> dict[int, ViewArc]:
        return dict(self._arcs.arcs)

    def upsert_spans(self, spans: Iterable[ViewSpan]) -> None:
        """Add or replace entities, repainting only where they were and are."""
        spans = list(spans)
        dirty = [self._span_bounds(s.id) for s in spans]
        for span in spans:
            old = self._spans.get(span.id)
            if old is not None:
                self._index.discard(old.id, old.start)
            self._spans[span.id] = span
            self._index.add(span.id, span.start, span.end)
        dirty += [self._span_bounds(s.id) for s in spans]
        self._after_span_change([s.id for s in spans], dirty)

    def remove_spans(self, ids: Iterable[int]) -> None:
        ids = [i for i in ids if i in self._spans]
        dirty = [self._span_bounds(i) for i in ids]
        for span_id in ids:
            self._index.discard(span_id, self._spans.pop(span_id).start)
        if self._selected in ids:
            self.select_span(None)
        self._after_span_change(ids, dirty)

    def _after_span_change(self, ids: list[int], dirty: list[QRectF | None]) -> None:
        touched = self._arcs.span_moved(ids)
        if touched or any(self._arcs.by_span.get(i) for i in ids):
            self._respace(touched)
            self.viewport().update()
            return
        for rect in dirty:
            if rect is not None:
                self.viewport().update(rect.adjusted(-6, -20, 6, 6).toAlignedRect())

    def set_arcs(self, arcs: Sequence[ViewArc]) -> None:
        self._arcs.clear(self._offsets)
        self._arcs.upsert(arcs)
        if self._selected_arc is not None and self._selected_arc not in self._arcs.arcs:
            self.select_arc(None)
        self._relayout()

    def upsert_arcs(self, arcs: Iterable[ViewArc]) -> None:
        self._respace(self._arcs.upsert(arcs))
        self.viewport().update()

    def remove_arcs(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if self._selected_arc in ids:
            self.select_arc(None)
        self._respace(self._arcs.remove(ids))
        self.viewport().update()

    # --- filters --------------------------------------------------------------------------

    def set_hidden_labels(self, labels: Iterable[str]) -> None:
        self._hidden = frozenset(labels)
        self._relayout()

    def hidden_labels(self) -> frozenset[str]:
        return self._hidden

    def set_show_rejected(self, show: bool) -> None:
        self._show_rejected = bool(show)
        self._relayout()

    def set_arc_mode(self, mode: str) -> None:
        """'all' arcs, only those of the 'selected' entity, or 'none'."""
        if mode not in ARC_MODES:
            raise ValueError(f"arc mode must be one of {', '.join(ARC_MODES)}, not {mode!r}")
        self._arcs.mode = mode
        self._relayout()

    def arc_mode(self) -> str:
        return self._arcs.mode

    def is_span_visible(self, span: ViewSpan) -> bool:
        if span.label in self._hidden:
            return False
        return self._show_rejected or span.status != "rejected"

    def _relayout(self) -> None:
        self.document().documentLayout().relayout_all()
        self.viewport().update()

    def _respace(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Recompute the spacing of the laid-out blocks that hold these ranges."""
        document, to_qt = self.document(), self._offsets.to_qt
        layout = document.documentLayout()
        for start, end in ranges:
            block = document.findBlock(to_qt(start))
            last = document.findBlock(to_qt(end)).blockNumber()
            while block.isValid() and block.blockNumber() <= last:
                layout.space(block)
                block = block.next()

    # --- selection and markers ------------------------------------------------------------

    def select_span(self, span_id: int | None) -> None:
        """Select an entity (None clears); emits span_selection_changed on change."""
        if span_id is not None and span_id not in self._spans:
            span_id = None
        if span_id == self._selected:
            return
        old, self._selected = self._selected, span_id
        if span_id is not None:
            self.select_arc(None)
        if self._arcs.arcs and self._arcs.mode != "none":
            self.viewport().update()
        else:
            self._update_spans([old, span_id])
        self.span_selection_changed.emit(span_id)

    def selected_span(self) -> int | None:
        return self._selected

    def select_arc(self, arc_id: int | None) -> None:
        """Select a relation arc (None clears); emits arc_selection_changed on change."""
        if arc_id is not None and arc_id not in self._arcs.arcs:
            arc_id = None
        if arc_id == self._selected_arc:
            return
        self._selected_arc = arc_id
        if arc_id is not None:
            self.select_span(None)
        self.viewport().update()
        self.arc_selection_changed.emit(arc_id)

    def selected_arc(self) -> int | None:
        return self._selected_arc

    def set_marked(self, head_id: int | None, tail_id: int | None) -> None:
        """Mark the entities picked as head and tail of the relation being built."""
        old = [self._head, self._tail]
        self._head, self._tail = head_id, tail_id
        self._update_spans(old + [head_id, tail_id], margin=24)

    def marked(self) -> tuple[int | None, int | None]:
        return self._head, self._tail

    def _update_spans(self, ids: Iterable[int | None], margin: int = 6) -> None:
        for span_id in ids:
            rect = self._span_bounds(span_id) if span_id is not None else None
            if rect is not None:
                grown = rect.adjusted(-margin, -margin, margin, margin)
                self.viewport().update(grown.toAlignedRect())

    # --- geometry -------------------------------------------------------------------------

    def _frame(self) -> Frame:
        return Frame(self)

    def span_rects(self, span_id: int, frame: Frame | None = None) -> list[QRectF]:
        """Viewport rectangles of an entity's visible line fragments."""
        span = self._spans.get(span_id)
        if span is None:
            return []
        frame = frame or self._frame()
        return frame.rects(self._offsets.to_qt(span.start), self._offsets.to_qt(span.end))

    def _span_bounds(self, span_id: int) -> QRectF | None:
        rects = self.span_rects(span_id)
        if not rects:
            return None
        bounds = rects[0]
        for rect in rects[1:]:
            bounds = bounds.united(rect)
        return bounds

    def arc_label_rect(self, arc_id: int) -> QRectF | None:
        """Where the last paint drew an arc's label (viewport coordinates)."""
        return self._arcs.label_rect(arc_id)

    def painted_arcs(self) -> list[int]:
        return self._arcs.painted()

    # --- painting -------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.paint_region_only:  # a report's slice: only the blocks in it
            rect = event.rect()
            frame = Frame(self, rect.bottom() + 1, rect.top())
        else:  # every visible arc is laid out and kept for hit-testing
            frame = self._frame()
        items = self._visible_items(frame, event.rect())
        painter = QPainter(self.viewport())
        painter.setClipRegion(event.region())  # also when rendered into a report, a slice at a time
        paint_fills(painter, items, self._dark)
        painter.end()
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setClipRegion(event.region())
        paint_overlays(painter, items, self._selected, self._head, self._tail, self._arcs.font,
                       self._dark)
        if self._label_tags:
            self.painted_tags = paint_label_tags(painter, items, self._arcs.font)
        self._arcs.paint(painter, frame, self._selected, self._selected_arc)
        self._paint_drag(painter)
        painter.end()

    def _visible_items(self, frame: Frame, region: QRect) -> list[Painted]:
        if not frame.blocks:
            return []
        to_cp, to_qt = self._offsets.to_cp, self._offsets.to_qt
        ids = self._index.overlapping(to_cp(frame.start), to_cp(frame.end))
        spans = [self._spans[i] for i in ids]
        spans = [s for s in spans if s.end > s.start and self.is_span_visible(s)]
        region_f = QRectF(region).adjusted(-4, -4, 4, 4)
        whole = region.contains(self.viewport().rect())
        items = []
        for span, depth in nest(spans):
            boxes = frame.boxes(to_qt(span.start), to_qt(span.end))
            if not whole:
                boxes = [b for b in boxes if QRectF(*b).intersects(region_f)]
            if boxes:
                items.append(Painted(span, boxes, depth))
        return items

    def _paint_drag(self, painter: QPainter) -> None:
        if self._drag_head is None or self._drag_pos is None:
            return
        rects = self.span_rects(self._drag_head)
        if not rects:
            return
        start = QPointF(rects[0].center().x(), rects[0].top())
        painter.setPen(QPen(QColor("#1565c0"), 1.6, Qt.PenStyle.DashLine))
        painter.drawLine(start, QPointF(self._drag_pos))

    # --- queries --------------------------------------------------------------------------

    def span_at(self, cp: int) -> list[int]:
        """Ids of the visible entities covering code point `cp`, shortest first."""
        found = [self._spans[i] for i in self._index.overlapping(cp, cp + 1)]
        found = [s for s in found if s.start <= cp < s.end and self.is_span_visible(s)]
        return [s.id for s in sorted(found, key=lambda s: (s.end - s.start, s.start, s.id))]

    def next_span(self, direction: int) -> int | None:
        """The next (direction > 0) or previous visible entity in text order,
        from the selected one or from the top of the screen; wraps around."""
        if not self._spans:
            return None
        order = self._index
        selected = self._spans.get(self._selected) if self._selected is not None else None
        rank = order.rank(selected.id, selected.start) if selected is not None else None
        if rank is None:  # from the top of the screen
            frame = self._frame()
            start = self._offsets.to_cp(frame.start) if frame.blocks else 0
            first = next(order.ids_from(start), None)
            rank = len(order) if first is None else order.rank(first, self._spans[first].start)
            rank -= 1 if direction > 0 else 0
        step = 1 if direction > 0 else -1
        for k in range(1, len(order) + 1):
            span = self._spans[order.id_at((rank + step * k) % len(order))]
            if self.is_span_visible(span) and span.end > span.start:
                return span.id
        return None

    def text_selection(self) -> tuple[int, int] | None:
        """The selected text as code points (start, end), or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self._offsets.to_cp(cursor.selectionStart())
        end = self._offsets.to_cp(cursor.selectionEnd())
        return (start, end) if end > start else None

    def select_text(self, start: int, end: int) -> None:
        """Select the code points [start, end) and scroll them into view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets.to_qt(start))
        cursor.setPosition(self._offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.scroll_to_offset(start)

    def _on_self_selection_changed(self) -> None:
        selection = self.text_selection()
        if selection != self._last_selection:
            self._last_selection = selection
            self.text_selection_changed.emit(selection)
