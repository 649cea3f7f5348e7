"""Line spacing for the document view, and where visible text sits on screen.

`QPlainTextDocumentLayout` (the only layout `QPlainTextEdit` accepts, and the
one fast enough for a 1 MB text) ignores block-format line height and margins:
every line is exactly as tall as the font. `SpacedDocumentLayout` keeps its
layout and wrapping and only moves each line down by a gap the view chooses
(room to read and to draw relation arcs above the line). The base layout puts
the first line of a freshly laid-out block at y == 0, so a first line at
y == 0 tells "not spaced yet"; blocks are spaced lazily, when Qt first asks for
their geometry, i.e. only the blocks that get painted or scrolled through.

`Frame` records where the visible blocks are during one paint, and turns a Qt
position range into rectangles on the viewport.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from weakref import WeakMethod

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QTextBlock, QTextLayout
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit

GapsFor = Callable[[QTextBlock, QTextLayout], Sequence[float]]


class SpacedDocumentLayout(QPlainTextDocumentLayout):
    """A plain-text layout that leaves a gap above every line."""

    def __init__(self, document, gaps_for: GapsFor) -> None:
        super().__init__(document)
        # A weak reference: the view owns this layout (through its document),
        # and a cycle through Qt wrappers must not be left to the garbage collector.
        self._gaps_for = WeakMethod(gaps_for)

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:  # noqa: N802 (Qt override)
        layout = block.layout()
        if layout.lineCount() == 0 or layout.lineAt(0).y() == 0.0:
            super().blockBoundingRect(block)  # lays the block out
            self.space(block)
        return super().blockBoundingRect(block)

    def space(self, block: QTextBlock) -> bool:
        """(Re)place the lines of an already laid-out block; False if it has none yet."""
        layout = block.layout()
        count = layout.lineCount()
        if not count:
            return False
        gaps_for = self._gaps_for()
        gaps = gaps_for(block, layout) if gaps_for is not None else [1.0] * count
        y = 0.0
        for i in range(count):
            line = layout.lineAt(i)
            y += max(gaps[i], 1.0)  # never 0: a first line at 0 means "unspaced"
            line.setPosition(QPointF(line.x(), y))
            y += line.height()
        return True

    def relayout_all(self) -> None:
        """Forget every block's layout (a C++ loop); visible ones are redone on paint."""
        document = self.document()
        self.documentChanged(0, 0, document.characterCount())


class Frame:
    """The visible blocks of a `QPlainTextEdit` and their tops, for one paint."""

    def __init__(self, edit: QPlainTextEdit, height: float | None = None,
                 top_limit: float | None = None) -> None:
        """`height`: down to where (default: the viewport's height); `top_limit`: leave out
        the blocks that end above it (a report renders a tall view one slice at a time)."""
        offset = edit.contentOffset()
        self.x = offset.x()
        bottom = edit.viewport().height() if height is None else height
        self.blocks: list[QTextBlock] = []
        self.tops: list[float] = []
        self.positions: list[int] = []
        block = edit.firstVisibleBlock()
        top = edit.blockBoundingGeometry(block).translated(offset).top() if block.isValid() else 0
        while block.isValid() and top <= bottom:
            height_ = edit.blockBoundingRect(block).height()
            if top_limit is None or top + height_ >= top_limit:
                self.blocks.append(block)
                self.tops.append(top)
                self.positions.append(block.position())
            top += height_
            block = block.next()
        self.bottom = top
        self._line_cache: dict[int, tuple[list[int], list]] = {}
        self.first_number = self.blocks[0].blockNumber() if self.blocks else 0
        last = self.blocks[-1] if self.blocks else None
        self.start = self.positions[0] if last else 0
        self.end = last.position() + last.length() if last else 0

    def index_of(self, qt: int) -> int | None:
        """Index in `blocks` of the visible block holding position `qt`."""
        if not self.blocks or qt < self.start or qt >= self.end:
            return None
        return bisect_right(self.positions, qt) - 1

    def block_top(self, block_number: int) -> float | None:
        i = block_number - self.first_number
        return self.tops[i] if 0 <= i < len(self.tops) else None

    def _lines(self, i: int) -> tuple[list[int], list]:
        """Line starts and lines of visible block `i`, read from Qt once per frame."""
        cached = self._line_cache.get(i)
        if cached is None:
            layout = self.blocks[i].layout()
            lines = [layout.lineAt(n) for n in range(layout.lineCount())]
            cached = ([line.textStart() for line in lines], lines)
            self._line_cache[i] = cached
        return cached

    def rects(self, qs: int, qe: int) -> list[QRectF]:
        """Viewport rectangles, one per visible line fragment, of the Qt range [qs, qe)."""
        return [QRectF(*box) for box in self.boxes(qs, qe)]

    def boxes(self, qs: int, qe: int) -> list[tuple[float, float, float, float]]:
        """`rects` as (x, y, width, height) tuples: painting makes thousands a second."""
        out: list[tuple[float, float, float, float]] = []
        if qe <= qs or qe <= self.start or qs >= self.end:
            return out
        for i in range(self.index_of(max(qs, self.start)), len(self.blocks)):
            pos = self.positions[i]
            if pos >= qe:
                break
            s = max(qs - pos, 0)
            e = min(qe - pos, self.blocks[i].length() - 1)
            if e <= s:
                continue
            starts, lines = self._lines(i)
            top = self.tops[i]
            for n in range(max(bisect_right(starts, s) - 1, 0), len(lines)):
                ls = starts[n]
                if ls >= e:
                    break
                line = lines[n]
                x1 = line.cursorToX(s if s > ls else ls)[0]
                x2 = line.cursorToX(min(e, ls + line.textLength()))[0]
                if x2 < x1:
                    x1, x2 = x2, x1
                out.append((self.x + x1, top + line.y(), max(x2 - x1, 2.0), line.height()))
        return out

    def line_rect(self, qt: int) -> QRectF | None:
        """The viewport rectangle of the visible line holding position `qt`."""
        i = self.index_of(qt)
        if i is None:
            return None
        layout = self.blocks[i].layout()
        line = layout.lineForTextPosition(qt - self.positions[i])
        if not line.isValid():
            return None
        return QRectF(self.x + line.x(), self.tops[i] + line.y(), line.width(), line.height())
