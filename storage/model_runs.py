"""What the store keeps of pre-annotation besides its entities: which model ran on
which document, the model's suggestions a person dismissed (so a new run does not bring
them back) and the sentences a model found. `StoreModelRuns` is mixed into `Store`, which
opens `db`; the methods taking `db` run inside its `write()` transaction.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlite_utils import Database

from storage.errors import translated
from storage.tables import now
from storage.text_index import pack_sentences


class StoreModelRuns:
    """Model runs, dismissed suggestions and model-found sentences."""

    db: Database
    path: Path

    @translated
    def documents_without_run(self, model: str, ids: Iterable[int] | None = None) -> list[int]:
        sql = ("SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM model_runs"
               " WHERE model = ?) ORDER BY id")
        todo = [r[0] for r in self.db.execute(sql, [model]).fetchall()]
        if ids is not None:
            wanted = set(ids)
            todo = [i for i in todo if i in wanted]
        return todo

    @translated
    def dismissed(self, doc_id: int) -> set[tuple[int, int, str]]:
        rows = self.db.execute('SELECT start, "end", label FROM dismissed_suggestions'
                               " WHERE doc_id = ?", [doc_id]).fetchall()
        return {(s, e, label) for s, e, label in rows}

    def add_dismissed(self, db: Database, doc_id: int, start: int, end: int, label: str) -> None:
        db.conn.execute('INSERT OR IGNORE INTO dismissed_suggestions (doc_id, start, "end", label)'
                        " VALUES (?, ?, ?, ?)", (doc_id, start, end, label))

    def record_model_run(self, db: Database, doc_id: int, model: str, entities: int) -> None:
        db.conn.execute("INSERT OR REPLACE INTO model_runs (doc_id, model, at, entities)"
                        " VALUES (?, ?, ?, ?)", (doc_id, model, now(), entities))

    def set_sentences(self, db: Database, doc_id: int, sentences: Sequence[tuple[int, int]]) -> None:
        db.conn.execute("UPDATE documents SET sentences = ? WHERE id = ?",
                        (json.dumps([list(s) for s in sentences]), doc_id))
        db.conn.execute("UPDATE document_index SET sentences = ? WHERE doc_id = ?",
                        (pack_sentences([list(s) for s in sentences]), doc_id))
