"""Mouse, tooltips and context menu of the document view.

A mixin so `document_view.py` stays about data and painting; it relies on the
view's `_spans`, `_offsets`, `_arcs`, `span_rects`, `select_span`/`select_arc`
and its signals.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QToolTip


class MouseMixin:
    """Clicks select entities and arcs; a drag between two entities proposes a relation."""

    def _init_mouse(self) -> None:
        self._press_span: int | None = None
        self._press_pos: QPoint | None = None
        self._drag_head: int | None = None
        self._drag_pos: QPoint | None = None

    # --- hit-testing ----------------------------------------------------------------------

    def spans_under(self, pos: QPoint) -> list[int]:
        """Visible entities drawn under a viewport point, shortest first."""
        qt = self.cursorForPosition(pos).position()
        cp = self._offsets.to_cp(qt)
        ids = {i for c in (cp - 1, cp) if c >= 0 for i in self.span_at(c)}
        point = QPointF(pos)
        hits = [i for i in ids
                if any(r.adjusted(-1, -1, 1, 1).contains(point) for r in self.span_rects(i))]
        spans = self._spans
        return sorted(hits, key=lambda i: (spans[i].end - spans[i].start, spans[i].start, i))

    def arc_at(self, pos: QPoint) -> int | None:
        """The arc drawn under a viewport point by the last paint, or None."""
        return self._arcs.hit(QPointF(pos))

    def _pick(self, candidates: list[int]) -> int:
        """The span a click selects: the shortest, or the next one when clicking again."""
        if self._selected in candidates:
            return candidates[(candidates.index(self._selected) + 1) % len(candidates)]
        return candidates[0]

    # --- events ---------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        pos = event.position().toPoint()
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        arc_id = self.arc_at(pos)
        if arc_id is not None:
            self.select_arc(arc_id)
            self.arc_clicked.emit(arc_id)
            event.accept()
            return
        spans = [] if event.modifiers() & Qt.KeyboardModifier.AltModifier else self.spans_under(pos)
        if spans:
            self._press_span, self._press_pos = self._pick(spans), pos
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            event.accept()
            return
        self.select_span(None)
        self.select_arc(None)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        pos = event.position().toPoint()
        if self._press_span is not None:
            moved = (pos - self._press_pos).manhattanLength()
            if self._drag_head is None and moved >= QApplication.startDragDistance():
                self._drag_head = self._press_span
                self.viewport().setCursor(Qt.CursorShape.CrossCursor)
            if self._drag_head is not None:
                self._drag_pos = pos
                self.viewport().update()
            event.accept()
            return
        if not event.buttons():
            over = self.arc_at(pos) is not None or bool(self.spans_under(pos))
            self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if over
                                      else Qt.CursorShape.IBeamCursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._press_span is None:
            super().mouseReleaseEvent(event)
            return
        pos = event.position().toPoint()
        head, dragging = self._press_span, self._drag_head is not None
        self._init_mouse()
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        if dragging:
            self.viewport().update()
            targets = [i for i in self.spans_under(pos) if i != head]
            if targets:
                self.relation_dragged.emit(head, targets[0])
        else:
            self.select_span(head)
            self.span_clicked.emit(head, event.modifiers().value)
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt override)
        pos = event.position().toPoint()
        if self.arc_at(pos) is not None or self.spans_under(pos):
            event.accept()  # a double click on an entity is two clicks, not a word selection
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt override)
        span_id = self._selected
        if event.reason() != QContextMenuEvent.Reason.Keyboard:
            arc_id = self.arc_at(event.pos())
            if arc_id is not None:
                self.select_arc(arc_id)
                span_id = None
            else:
                spans = self.spans_under(event.pos())
                if spans:
                    span_id = spans[0] if self._selected not in spans else self._selected
                    self.select_span(span_id)
                else:
                    span_id = None
        self.context_menu_requested.emit(span_id, self.text_selection(), event.globalPos())
        event.accept()

    def viewportEvent(self, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ToolTip:
            self._show_tooltip(event)
            return True
        return super().viewportEvent(event)

    def _show_tooltip(self, event) -> None:
        pos = event.pos()
        arc_id = self.arc_at(pos)
        text = ""
        if arc_id is not None:
            arc = self._arcs.arcs[arc_id]
            text = arc.tooltip or self._arc_summary(arc)
        else:
            spans = self.spans_under(pos)
            if spans:
                span = self._spans[spans[0]]
                text = span.tooltip or f"{span.label} ({span.status})"
        if text:
            QToolTip.showText(event.globalPos(), text, self.viewport())
        else:
            QToolTip.hideText()
            event.ignore()

    def _arc_summary(self, arc) -> str:
        head, tail = self._spans.get(arc.head_id), self._spans.get(arc.tail_id)
        if head is None or tail is None:
            return arc.label
        arrow = "→" if arc.directed else "—"
        return (f"{self._text[head.start:head.end]} {arrow}{arc.label}{arrow} "
                f"{self._text[tail.start:tail.end]}")
