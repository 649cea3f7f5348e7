"""The label schema stored with a corpus: entity labels, and relation labels with the
entity labels they may join. `StoreLabelSchema` is mixed into `Store`, which opens `db`
and provides `write()`.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.errors import translated
from storage.tables import SHAPES, load_json


class StoreLabelSchema:
    """Reads and writes of the label schema, and of the labels the annotations use."""

    db: Database
    path: Path
    write: Callable[[], contextlib.AbstractContextManager[Database]]  # from `Store`

    @translated
    def label_schema(self) -> dict[str, list[dict[str, Any]]]:
        entity = list(self.db.query("SELECT name, colour, key, description FROM entity_labels"
                                    " ORDER BY position"))
        relation = [
            {**r, "heads": load_json(r["heads"], "relation_labels.heads", SHAPES["labels"]),
             "tails": load_json(r["tails"], "relation_labels.tails", SHAPES["labels"])}
            for r in self.db.query("SELECT name, kind, heads, tails, colour, key, description"
                                   " FROM relation_labels ORDER BY position")
        ]
        return {"entity": entity, "relation": relation}

    def save_label_schema(self, schema: dict[str, list[dict[str, Any]]]) -> None:
        """Replace the stored label schema (labels in use must stay: the caller checks)."""
        with self.write() as db:
            db.conn.execute("DELETE FROM entity_labels")
            db.conn.execute("DELETE FROM relation_labels")
            db.conn.executemany(
                "INSERT INTO entity_labels (name, position, colour, key, description)"
                " VALUES (?, ?, ?, ?, ?)",
                [(e["name"], i, e["colour"], e.get("key", ""), e.get("description", ""))
                 for i, e in enumerate(schema["entity"])])
            db.conn.executemany(
                "INSERT INTO relation_labels (name, position, kind, heads, tails, colour, key,"
                " description) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(r["name"], i, r["kind"], json.dumps(list(r["heads"])),
                  json.dumps(list(r["tails"])), r["colour"], r.get("key", ""),
                  r.get("description", ""))
                 for i, r in enumerate(schema["relation"])])

    @translated
    def labels_in_use(self) -> tuple[set[str], set[str]]:
        ents = {r[0] for r in self.db.execute("SELECT DISTINCT label FROM entities").fetchall()}
        rels = {r[0] for r in self.db.execute("SELECT DISTINCT label FROM relations").fetchall()}
        return ents, rels
