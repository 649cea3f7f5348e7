"""The tables of rows the store reads and writes, and how their rows cross its boundary.

Rows are plain dicts; the JSON columns of a table are stored as text, encoded on the
way in and decoded on the way out. Timestamps are `now()`: UTC, sortable as text.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from storage.errors import StoreDamagedError

TABLES = ("documents", "entities", "relations")
SINGULAR = {"documents": "document", "entities": "entity", "relations": "relation"}
IDS_PER_STATEMENT = 500  # rows checked or deleted by one statement
REPEATED_COLUMNS = frozenset({"label", "origin", "status", "annotator", "confidence",
                              "created_at", "updated_at"})
JSON_COLUMNS = {"documents": ("meta", "sentences")}


def now() -> str:
    """A UTC timestamp with milliseconds, sortable as text."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def encode(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """`row` with its JSON columns as text: a new dict, or `row` itself for a table
    without JSON columns."""
    cols = JSON_COLUMNS.get(table, ())
    if not cols:
        return row
    return {k: (json.dumps(v, ensure_ascii=False) if k in cols and not isinstance(v, str) else v)
            for k, v in row.items()}


def decode(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """`row` with its JSON columns decoded, in place."""
    for col in JSON_COLUMNS.get(table, ()):
        if col in row:
            row[col] = load_json(row[col], f"{table}.{col}", SHAPES[col])
    return row


def _pairs(value: Any) -> bool:
    """A list of [start, end] numbers (readers take them as ints)."""
    return isinstance(value, list) and all(
        isinstance(p, list) and len(p) == 2
        and all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n)
                for n in p)
        for p in value)


# what each JSON column must hold: a store written by another program may hold anything
SHAPES: dict[str, Callable[[Any], bool]] = {
    "meta": lambda v: isinstance(v, dict),
    "sentences": _pairs,
    "labels": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "row": lambda v: v is None or isinstance(v, dict),
}


def load_json(value: Any, where: str, shape: Callable[[Any], bool]) -> Any:
    """The decoded JSON of a column's value, or a StoreDamagedError naming the column when
    it is not JSON of the expected shape."""
    try:
        decoded = json.loads(value) if isinstance(value, str) else value
    except (ValueError, RecursionError):
        decoded = _NOT_JSON
    if decoded is _NOT_JSON or not shape(decoded):
        raise StoreDamagedError(f"the store holds a value Arcmark cannot read in {where} (not "
                                "the JSON Arcmark writes): it was changed by another program "
                                "or is damaged; nothing was changed")
    return decoded


_NOT_JSON = object()
