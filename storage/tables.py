"""The tables of rows the store reads and writes, and how their rows cross its boundary.

Rows are plain dicts; the JSON columns of a table are stored as text, encoded on the
way in and decoded on the way out. Timestamps are `now()`: UTC, sortable as text.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

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
        if isinstance(row.get(col), str):
            row[col] = json.loads(row[col])
    return row
