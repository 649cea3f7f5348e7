"""Plain data the document view draws, and the indexes it finds it with.

Callers hand the view `ViewSpan` and `ViewArc` values (code-point offsets, no
Qt types); `IntervalIndex` answers "what lies in this range" with a bisect, so
painting only ever touches what is on screen.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import attrgetter, sub
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

STATUSES = ("suggested", "accepted", "rejected")
ARC_MODES = ("all", "selected", "none")


@dataclass(frozen=True, slots=True)
class ViewSpan:
    """An entity as the view draws it: code-point offsets, `end` exclusive."""

    id: int
    start: int
    end: int
    label: str
    colour: str = "#dddddd"
    status: str = "accepted"
    tooltip: str = ""


SpanStyle = ViewSpan  # the name the design notes use


@dataclass(frozen=True, slots=True)
class ViewArc:
    """A relation drawn as an arc from the head entity to the tail entity."""

    id: int
    head_id: int
    tail_id: int
    label: str
    colour: str = "#555555"
    directed: bool = True
    tooltip: str = ""
    suggested: bool = False  # a model's suggestion: drawn dashed, like suggested entities


class IntervalIndex:
    """Items with [start, end) extents, sorted by start, found by overlap.

    Three parallel lists (starts, ends, ids) sorted by start: building one for
    30,000 entities is a sort and three C-level maps, with no per-item Python
    objects. A lookup bisects on start and looks back as far as the longest
    item, so it costs O(log n + hits) while items are short (entities are a
    few words). `_longest` only grows between rebuilds: removing the longest
    item keeps lookups correct, just a little wider. Callers give an item's
    current start to move or remove it.
    """

    __slots__ = ("_starts", "_ends", "_ids", "_longest")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._ids: list[int] = []
        self._longest = 0

    def __len__(self) -> int:
        return len(self._ids)

    def rebuild(self, items: Iterable[object]) -> None:
        """Replace everything with objects that have `id`, `start` and `end`."""
        ordered = sorted(items, key=_by_start)
        self._starts = list(map(_start, ordered))
        self._ends = list(map(_end, ordered))
        self._ids = list(map(_id, ordered))
        self._longest = max(map(sub, self._ends, self._starts), default=0)

    def add(self, item_id: int, start: int, end: int) -> None:
        """Insert one item (discard it first if it may be there)."""
        at = bisect_right(self._starts, start)
        self._starts.insert(at, start)
        self._ends.insert(at, end)
        self._ids.insert(at, item_id)
        self._longest = max(self._longest, end - start)

    def discard(self, item_id: int, start: int) -> None:
        """Remove an item that starts at `start`, if it is there."""
        at = self._find(item_id, start)
        if at is not None:
            del self._starts[at], self._ends[at], self._ids[at]

    def _find(self, item_id: int, start: int) -> int | None:
        starts, ids = self._starts, self._ids
        at = bisect_left(starts, start)
        while at < len(starts) and starts[at] == start:
            if ids[at] == item_id:
                return at
            at += 1
        return None

    def overlapping(self, start: int, end: int) -> Iterator[int]:
        """Ids of items overlapping [start, end) in start order; an empty query
        [p, p) finds the items that contain p."""
        starts, ends, ids = self._starts, self._ends, self._ids
        at = bisect_left(starts, start - self._longest)
        stop = bisect_left(starts, end) if end > start else bisect_right(starts, start)
        for k in range(at, stop):
            if ends[k] > start:
                yield ids[k]

    def ids_from(self, start: int) -> Iterator[int]:
        """Ids by start offset, from the first item starting at or after `start`."""
        for k in range(bisect_left(self._starts, start), len(self._ids)):
            yield self._ids[k]

    def rank(self, item_id: int, start: int) -> int | None:
        """Rank of an item in start order, or None."""
        return self._find(item_id, start)

    def id_at(self, rank: int) -> int:
        return self._ids[rank]


_by_start = attrgetter("start")
_start = attrgetter("start")
_end = attrgetter("end")
_id = attrgetter("id")
