"""Conversion between Python code-point offsets and QTextDocument positions.

This is the one place in Arcmark where a Qt text position is turned into a
code-point offset or back. Everything outside `ui/` speaks code points.

Measured with `QPlainTextEdit.setPlainText` (PySide6 6.11):

- A character outside the BMP (an emoji, U+1F600) takes two positions: Qt
  counts UTF-16 code units.
- "\\r\\n" becomes ONE paragraph separator (U+2029): the pair takes one
  position. A lone "\\r", a lone "\\n" and U+2029 each become one separator;
  "\\n\\r" is two separators; "\\r\\r\\n" is two.
- U+2028 (line separator), "\\f", "\\v", U+0085, NUL and every other BMP
  character keep exactly one position.

So positions only drift at astral characters (+1) and at CRLF pairs (-1).
`OffsetMap` records those "jumps" in two sorted lists and answers each lookup
with one bisect; a text with neither (the usual case) maps to itself for free.

Conventions:
- `to_qt(i)` of the "\\n" of a CRLF pair is the position of the separator, the
  same as its "\\r": the pair is one character on screen. An offset just after
  the pair maps to just after the separator.
- `to_cp(q)` of the second UTF-16 unit of an astral character (a position that
  splits a surrogate pair) is the code point of that character (rounded down).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

_JUMPS = re.compile("[\U00010000-\U0010FFFF]|\r\n")


class OffsetMap:
    """Maps code-point offsets of `text` to QTextDocument positions and back."""

    __slots__ = ("_cp_jumps", "_qt_jumps", "_shift", "cp_length", "qt_length")

    def __init__(self, text: str) -> None:
        self.cp_length = len(text)
        # From code point _cp_jumps[k] (and from Qt position _qt_jumps[k]) on,
        # qt - cp == _shift[k + 1]. Both lists are sorted.
        self._cp_jumps: list[int] = []
        self._qt_jumps: list[int] = []
        self._shift: list[int] = [0]
        if not text.isascii() or "\r\n" in text:
            self._find_jumps(text)
        self.qt_length = self.to_qt(self.cp_length)

    def _find_jumps(self, text: str) -> None:
        if "\r\n" not in text and len(text.encode("utf-16-le")) == 2 * len(text):
            return  # BMP only and no CRLF: positions are code points
        shift = 0
        for match in _JUMPS.finditer(text):
            at = match.start()
            # An astral character's second UTF-16 unit rounds down to it;
            # the "\n" of a CRLF shares the "\r"'s separator. Either way the
            # shift changes right after the character at `at`.
            self._cp_jumps.append(at + 1)
            self._qt_jumps.append(at + shift + 1)
            shift += -1 if match.end() - at == 2 else 1
            self._shift.append(shift)

    @property
    def is_identity(self) -> bool:
        """True when every code-point offset equals its Qt position."""
        return not self._cp_jumps

    def to_qt(self, cp: int) -> int:
        """The QTextDocument position of code-point offset `cp` (clamped to the text)."""
        if cp <= 0:
            return 0
        if cp > self.cp_length:
            cp = self.cp_length
        if not self._cp_jumps:
            return cp
        return cp + self._shift[bisect_right(self._cp_jumps, cp)]

    def to_cp(self, qt: int) -> int:
        """The code-point offset of QTextDocument position `qt` (clamped to the text)."""
        if qt <= 0:
            return 0
        if self._qt_jumps:
            qt -= self._shift[bisect_right(self._qt_jumps, qt)]
        return min(qt, self.cp_length)

    def to_qt_many(self, cps: Iterable[int]) -> list[int]:
        """`to_qt` over many offsets."""
        to_qt = self.to_qt
        return [to_qt(cp) for cp in cps]

    def to_cp_many(self, qts: Iterable[int]) -> list[int]:
        """`to_cp` over many positions."""
        to_cp = self.to_cp
        return [to_cp(qt) for qt in qts]

    def qt_range(self, start: int, end: int) -> tuple[int, int]:
        """Qt positions of a code-point range [start, end)."""
        return self.to_qt(start), self.to_qt(end)

    def cp_range(self, start: int, end: int) -> tuple[int, int]:
        """Code-point offsets of a Qt range [start, end)."""
        return self.to_cp(start), self.to_cp(end)
