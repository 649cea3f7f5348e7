"""Scrolling to entities and offsets, Tab's stops, and find-in-document, for the
document view.

A mixin over the view's `_spans`, `_index`, `_arcs`, `_offsets`, `_text`, `_frame`,
`next_span`, `select_text` and `text_selection`; everything here speaks code points.
"""
from __future__ import annotations

import re


class NavigationMixin:
    """Bring entities and offsets into view; find text."""

    def scroll_to_span(self, span_id: int) -> None:
        span = self._spans.get(span_id)
        if span is not None:
            self.scroll_to_offset(span.start)

    def scroll_to_offset(self, cp: int) -> None:
        """Bring the line holding code point `cp` into view (a third from the top)."""
        qt = self._offsets.to_qt(cp)
        frame = self._frame()
        line = frame.line_rect(qt)
        if line is not None and line.top() >= 0 and line.bottom() <= self.viewport().height():
            return
        block = self.document().findBlock(qt)
        if not block.isValid():
            return
        self.blockBoundingRect(block)  # lays the block out
        layout_line = block.layout().lineForTextPosition(qt - block.position())
        line_number = block.firstLineNumber() + max(layout_line.lineNumber(), 0)
        pitch = max(self.fontMetrics().lineSpacing() * 2, 1)  # a line and its gap, roughly
        visible_lines = max(self.viewport().height() // pitch, 1)
        self.verticalScrollBar().setValue(max(0, line_number - visible_lines // 3))

    def next_stop(self, direction: int, *, arcs: bool = True) -> tuple[str, int] | None:
        """Where Tab (direction > 0) or Shift+Tab goes: ("span", id) or ("arc", id).

        The stops are the visible entities in text order and, with `arcs`, the drawn arcs
        of suggested relations, each right after the later of its two entities (both ends
        have been passed). It starts from the selected entity or arc, else from the top of
        the screen, and wraps around. Without suggested arcs it is `next_span`."""
        suggested = [a for a in self._arcs.arcs.values()
                     if arcs and a.suggested and self._arcs.shown(a)]
        if not suggested:
            span = self.next_span(direction)
            return None if span is None else ("span", span)
        stops = self._stops(suggested)
        if not stops:
            return None
        keys = [stop[-1] for stop in stops]
        if self._selected_arc in {a.id for a in suggested}:
            at = keys.index(("arc", self._selected_arc))
        elif ("span", self._selected) in keys:
            at = keys.index(("span", self._selected))
        else:  # from the top of the screen
            frame = self._frame()
            first = next(self._index.ids_from(
                self._offsets.to_cp(frame.start) if frame.blocks else 0), None)
            top = len(self._index) if first is None else self._index.rank(
                first, self._spans[first].start)
            at = next((k for k, stop in enumerate(stops) if stop[0] >= top), len(stops))
            at -= 1 if direction > 0 else 0
        return keys[(at + (1 if direction > 0 else -1)) % len(keys)]

    def _stops(self, suggested: list) -> list[tuple]:
        """(rank of the later entity, 0 entity / 1 arc, rank of the earlier, id, stop)."""
        order = self._index
        rank = {order.id_at(k): k for k in range(len(order))}
        stops: list[tuple] = []
        for k in range(len(order)):
            span = self._spans[order.id_at(k)]
            if self.is_span_visible(span) and span.end > span.start:
                stops.append((k, 0, k, span.id, ("span", span.id)))
        for arc in suggested:
            ends = sorted((rank[arc.head_id], rank[arc.tail_id]))
            stops.append((ends[1], 1, ends[0], arc.id, ("arc", arc.id)))
        stops.sort()
        return stops

    def scroll_to_arc(self, arc_id: int) -> None:
        """Bring the first of an arc's two entities into view."""
        arc = self._arcs.arcs.get(arc_id)
        if arc is None:
            return
        ends = [self._spans[i].start for i in (arc.head_id, arc.tail_id) if i in self._spans]
        if ends:
            self.scroll_to_offset(min(ends))

    def find(self, query: str, forward: bool = True, case_sensitive: bool = False) -> bool:
        """Select the next (or previous) match of `query`, wrapping around."""
        if not query:
            return False
        pattern = re.compile(re.escape(query), 0 if case_sensitive else re.IGNORECASE)
        selection = self.text_selection()
        caret = self._offsets.to_cp(self.textCursor().position())
        if forward:
            origin = selection[1] if selection else caret
            match = pattern.search(self._text, origin) or pattern.search(self._text, 0)
        else:
            origin = selection[0] if selection else caret
            match = _last_match(pattern, self._text, origin) or _last_match(
                pattern, self._text, len(self._text))
        if match is None:
            return False
        self.select_text(match.start(), match.end())
        return True


def _last_match(pattern: re.Pattern, text: str, before: int) -> re.Match | None:
    """The last match of `pattern` ending at or before `before`."""
    last = None
    for match in pattern.finditer(text, 0, before):
        last = match
    return last
