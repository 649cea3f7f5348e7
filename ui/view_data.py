"""Plain data the document view draws, and the indexes it finds it with.

Callers hand the view `ViewSpan` and `ViewArc` values (code-point offsets, no
Qt types); `IntervalIndex` answers "what lies in this range" with a bisect, so
painting only ever touches what is on screen.
"""
from __future__ import annotations

from bisect import bisect_left, insort
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


class IntervalIndex:
    """Items with [start, end) extents, sorted by start, found by overlap.

    Lookups bisect on start and look back as far as the longest item, so a
    query costs O(log n + hits) while items are short (entities are a few
    words). `_longest` only grows between rebuilds: removing the longest item
    keeps lookups correct, just a little wider.
    """

    __slots__ = ("_keys", "_extent", "_longest")

    def __init__(self) -> None:
        self._keys: list[tuple[int, int]] = []  # (start, id), sorted
        self._extent: dict[int, tuple[int, int]] = {}
        self._longest = 0

    def __len__(self) -> int:
        return len(self._extent)

    def __contains__(self, item_id: int) -> bool:
        return item_id in self._extent

    def rebuild(self, items: Iterable[tuple[int, int, int]]) -> None:
        """Replace everything with (id, start, end) triples."""
        self._extent = {item_id: (start, end) for item_id, start, end in items}
        self._keys = sorted((start, item_id) for item_id, (start, _) in self._extent.items())
        self._longest = max((end - start for start, end in self._extent.values()), default=0)

    def add(self, item_id: int, start: int, end: int) -> None:
        """Insert or move one item."""
        self.discard(item_id)
        self._extent[item_id] = (start, end)
        insort(self._keys, (start, item_id))
        self._longest = max(self._longest, end - start)

    def discard(self, item_id: int) -> None:
        extent = self._extent.pop(item_id, None)
        if extent is None:
            return
        key = (extent[0], item_id)
        at = bisect_left(self._keys, key)
        if at < len(self._keys) and self._keys[at] == key:
            del self._keys[at]

    def extent(self, item_id: int) -> tuple[int, int] | None:
        return self._extent.get(item_id)

    def overlapping(self, start: int, end: int) -> Iterator[int]:
        """Ids of items that overlap [start, end), by start; an empty query or
        empty item counts when its point lies inside the other."""
        keys, extent = self._keys, self._extent
        at = bisect_left(keys, (start - self._longest, -(1 << 62)))
        for k in range(at, len(keys)):
            item_start, item_id = keys[k]
            if item_start > end or (item_start == end and end > start):
                break
            item_end = extent[item_id][1]
            if item_end > start or (item_start == item_end == start):
                yield item_id

    def ids_in_order(self, start: int = 0) -> Iterator[int]:
        """Ids by start offset, from the first item starting at or after `start`."""
        at = bisect_left(self._keys, (start, -(1 << 62)))
        for k in range(at, len(self._keys)):
            yield self._keys[k][1]

    def ids_before(self, start: int) -> Iterator[int]:
        """Ids of items starting before `start`, nearest first."""
        at = bisect_left(self._keys, (start, -(1 << 62)))
        for k in range(at - 1, -1, -1):
            yield self._keys[k][1]

    def position(self, item_id: int) -> int | None:
        """Rank of an item in start order, or None."""
        extent = self._extent.get(item_id)
        if extent is None:
            return None
        return bisect_left(self._keys, (extent[0], item_id))

    def key_at(self, rank: int) -> int:
        return self._keys[rank][1]
