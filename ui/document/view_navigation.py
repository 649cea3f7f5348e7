"""Scrolling to entities and offsets, and find-in-document, for the document view.

A mixin over the view's `_spans`, `_offsets`, `_text`, `_frame`, `select_text`
and `text_selection`; everything here speaks code points.
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
