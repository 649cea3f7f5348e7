"""What a team store keeps besides its rows: the layers (the human annotators) of its
documents, the stores merged into it and which rows came from each.

A *layer* is the `annotator` of the entities and relations a person made or accepted
(status other than `suggested`); model suggestions belong to no layer. `StoreTeam` is
mixed into `Store`, which opens `db`; the methods taking `db` run inside its `write()`.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from storage.errors import translated
from storage.tables import IDS_PER_STATEMENT

ENTITY_KEY_COLUMNS = ("id", "doc_id", "start", "end", "label", "annotator", "status")
RELATION_KEY_COLUMNS = ("id", "doc_id", "head_id", "tail_id", "label", "directed", "confidence",
                        "note", "annotator", "status")


class StoreTeam:
    """Layers, merge sources and merged rows."""

    db: Database

    @translated
    def layer_counts(self, doc_id: int | None = None) -> dict[str, dict[str, int]]:
        """{annotator: {"entities": n, "relations": m}} of the accepted human work, in one
        document or the whole store; annotators in name order."""
        where, params = ("AND doc_id = ?", [doc_id]) if doc_id is not None else ("", [])
        out: dict[str, dict[str, int]] = {}
        for table in ("entities", "relations"):
            for name, n in self.db.execute(
                    f"SELECT annotator, count(*) FROM {table} WHERE status = 'accepted'"
                    f" AND annotator IS NOT NULL {where} GROUP BY annotator", params).fetchall():
                out.setdefault(name, {"entities": 0, "relations": 0})[table] = n
        return dict(sorted(out.items()))

    @translated
    def document_layers(self) -> dict[int, list[str]]:
        """{doc_id: [annotator, ...]} for every document with accepted human entities."""
        out: dict[int, list[str]] = {}
        for doc_id, name in self.db.execute(
                "SELECT DISTINCT doc_id, annotator FROM entities WHERE status = 'accepted'"
                " AND annotator IS NOT NULL ORDER BY doc_id, annotator").fetchall():
            out.setdefault(doc_id, []).append(name)
        return out

    @translated
    def document_titles(self, doc_ids: Sequence[int]) -> dict[int, str]:
        marks = ", ".join("?" * len(doc_ids))
        return dict(self.db.execute(f"SELECT id, title FROM documents WHERE id IN ({marks})",
                                    list(doc_ids)).fetchall())

    @translated
    def is_team_store(self) -> bool:
        """Whether other stores were merged into this one (an older store cannot say: no)."""
        try:
            return self.db.execute("SELECT 1 FROM merge_sources LIMIT 1").fetchone() is not None
        except sqlite3.OperationalError:  # opened read-only without m008
            return False

    @translated
    def hashes(self) -> dict[str, int]:
        """{content_hash: doc_id} of every document."""
        return dict(self.db.execute("SELECT content_hash, id FROM documents").fetchall())

    @translated
    def accepted_rows(self, table: str, doc_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The accepted entities (or relations) of these documents: the key columns of
        each (`ENTITY_KEY_COLUMNS`, `RELATION_KEY_COLUMNS`), in id order."""
        columns = ENTITY_KEY_COLUMNS if table == "entities" else RELATION_KEY_COLUMNS
        if table not in ("entities", "relations"):
            raise ValueError(table)
        names = ", ".join(f'"{c}"' for c in columns)
        out: list[dict[str, Any]] = []
        for i in range(0, len(doc_ids), IDS_PER_STATEMENT):
            chunk = list(doc_ids[i:i + IDS_PER_STATEMENT])
            cursor = self.db.execute(
                f"SELECT {names} FROM {table} WHERE status = 'accepted' AND doc_id IN"
                f" ({', '.join('?' * len(chunk))}) ORDER BY id", chunk)
            out += [dict(zip(columns, row)) for row in cursor]
        return out

    # --- merge sources -----------------------------------------------------------------

    @translated
    def merge_sources(self) -> list[dict[str, Any]]:
        rows = list(self.db.query("SELECT * FROM merge_sources ORDER BY id"))
        for row in rows:
            row["annotators"] = json.loads(row["annotators"])
        return rows

    def merge_source(self, db: Database, path: str, at: str, annotators: Sequence[str]) -> int:
        """The id of the merge source `path`, recorded (or its last merge updated) now."""
        found = db.execute("SELECT id, annotators FROM merge_sources WHERE path = ?",
                           [path]).fetchone()
        if found is None:
            return db.execute("INSERT INTO merge_sources (path, first_merged_at, last_merged_at,"
                              " annotators) VALUES (?, ?, ?, ?)",
                              [path, at, at, json.dumps(sorted(annotators))]).lastrowid
        names = sorted(set(json.loads(found[1])) | set(annotators))
        db.execute("UPDATE merge_sources SET last_merged_at = ?, annotators = ? WHERE id = ?",
                   [at, json.dumps(names), found[0]])
        return found[0]

    def merged_from(self, db: Database, source_id: int, table: str) -> set[int]:
        """The ids of the rows of `table` a merge from this source wrote."""
        return {r[0] for r in db.execute(
            "SELECT row_id FROM merged_rows WHERE source_id = ? AND table_name = ?",
            [source_id, table]).fetchall()}

    def record_merged(self, db: Database, table: str, ids: Sequence[int], source_id: int,
                      at: str) -> None:
        db.conn.executemany(
            "INSERT OR REPLACE INTO merged_rows (table_name, row_id, source_id, merged_at)"
            " VALUES (?, ?, ?, ?)", [(table, i, source_id, at) for i in ids])

    def delete_merged(self, db: Database, table: str, ids: Sequence[int]) -> None:
        """Delete rows a merge wrote (the analyst deleted them since), and their record."""
        if table not in ("entities", "relations"):
            raise ValueError(table)
        for i in range(0, len(ids), IDS_PER_STATEMENT):
            chunk = list(ids[i:i + IDS_PER_STATEMENT])
            db.conn.execute(f"DELETE FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})",
                            chunk)
        db.conn.executemany("DELETE FROM merged_rows WHERE table_name = ? AND row_id = ?",
                            [(table, i) for i in ids])
