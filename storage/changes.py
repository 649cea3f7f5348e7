"""Row changes and the edit history: how every edit is written.

An edit is a sequence of `RowChange`s. `StoreChanges.apply` writes them and appends one
history entry per row in one transaction; `insert_many` and `append_history` do the
same in bulk for an import or a model run. `StoreChanges` is mixed into `Store`, which
provides `write()` and sets `_history_seen`.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.errors import StoreConflictError, translated
from storage.reads import StoreReads
from storage.tables import IDS_PER_STATEMENT, SHAPES, SINGULAR, TABLES, encode, load_json, now
from storage.text_index import index_row

BULK_ROWS_PER_STATEMENT = 200


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row's state before and after an edit; None means the row does not exist.

    An insert's `after` and a delete's `before` are the whole row. An update may carry
    only its `id` and the columns it changes, in both `before` and `after`: then only
    those columns are written, compared by the conflict check and recorded in the
    history (marking a long document done neither rewrites nor copies its text)."""

    table: str
    id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def inverted(self) -> RowChange:
        return RowChange(self.table, self.id, self.after, self.before)

    @property
    def doc_id(self) -> int | None:
        row = self.after or self.before or {}
        return row.get("id") if self.table == "documents" else row.get("doc_id")


class StoreChanges(StoreReads):
    """Writes of row changes with their history, and reads of that history."""

    write: Callable[[], contextlib.AbstractContextManager[Database]]  # from `Store`
    add_dismissed: Callable[[Database, int, int, int, str], None]  # from `StoreModelRuns`
    # (last history id read, largest row id per table): see `_history_top`
    _history_seen: tuple[int, dict[str, int]]

    def apply(self, changes: Sequence[RowChange], *, action: str, annotator: str | None,
              check: bool = False, dismiss: Sequence[tuple[int, int, int, str]] = ()) -> None:
        """Write each row's `after` state and append the history, in one transaction.

        With `check`, each row must currently be in its `before` state, in the columns
        `before` names (used by undo, so it never clobbers an edit made since, e.g. by
        another window)."""
        at = now()
        with self.write() as db:
            for group in _runs(changes):
                if check:
                    self._check(group, action)
                self._put_run(db, group)
            for doc_id, start, end, label in dismiss:
                self.add_dismissed(db, doc_id, start, end, label)
            db.conn.executemany(
                "INSERT INTO history (at, annotator, action, table_name, row_id, doc_id, before, after)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (at, annotator, action, c.table, c.id, c.doc_id,
                     _dump(c.before), _dump(c.after))
                    for c in changes
                ],
            )

    def _check(self, run: Sequence[RowChange], action: str) -> None:
        """Each row of `run` is in its `before` state, in the columns `before` names."""
        first = run[0]
        found = self._current_many(first.table, [c.id for c in run],
                                   tuple(first.before or ("id",)))
        for change in run:
            if found.get(change.id) != change.before:
                raise StoreConflictError(
                    f"the {SINGULAR[change.table]} {change.id} was changed since; cannot {action}")

    def _put_run(self, db: Database, run: Sequence[RowChange]) -> None:
        """Write a run of changes of one kind to one table, inserts and deletes many rows
        per statement: the full-text index's triggers flush once per statement, and
        deleting (or restoring) a document with 30,000 entities must not make 30,000
        index segments."""
        first = run[0]
        table = first.table
        if table not in TABLES:
            raise ValueError(f"unknown table {table}")
        if first.after is None:
            self.delete_many(db, table, [c.id for c in run])
            # a document's index goes with it (ON DELETE CASCADE)
        elif first.before is None:
            self.insert_many(db, table, [c.after for c in run if c.after is not None])
        else:
            for change in run:
                self._update(db, change)

    def _update(self, db: Database, change: RowChange) -> None:
        """Write the columns of `change.after` (a whole row or only some of its columns)."""
        assert change.after is not None
        table, row = change.table, encode(change.table, change.after)
        cols = [c for c in row if c != "id"]
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        cursor = db.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?",
                                 [row[c] for c in cols] + [change.id])
        if cursor.rowcount != 1:
            raise StoreConflictError(f"the {SINGULAR[table]} {change.id} no longer exists")
        if table == "documents" and _indexed_fields_changed(change.before, change.after):
            # a partial row may lack the text (or the sentences) the index is built from
            whole = change.after if {"text", "sentences"} <= change.after.keys() else \
                self._current(table, change.id, ("id", "text", "sentences"))
            self._index_documents(db, [whole] if whole is not None else [])

    def _index_documents(self, db: Database, rows: Sequence[dict[str, Any]]) -> None:
        """(Re)write the `document_index` rows of documents whose text or sentences were
        written (see `storage.text_index`); only rows that hold a text are indexed."""
        db.conn.executemany(
            "INSERT OR REPLACE INTO document_index (doc_id, length, stride, offsets, sentences)"
            " VALUES (?, ?, ?, ?, ?)",
            [index_row(r["id"], r["text"], _sentences_value(r.get("sentences")))
             for r in rows if isinstance(r.get("text"), str)])

    def insert_many(self, db: Database, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert inside a `write()` transaction (import, pre-annotation)."""
        if not rows:
            return
        if table not in TABLES:
            raise ValueError(table)
        encoded = [encode(table, r) for r in rows]
        cols = list(encoded[0])
        # Many rows per statement: the full-text index's triggers flush its pending terms
        # at the end of every statement, so a statement per row makes one tiny index
        # segment per row (and merges them), about 8x slower than the insert itself.
        limit = db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per = max(1, min(BULK_ROWS_PER_STATEMENT, limit // len(cols)))
        one = "(" + ", ".join("?" for _ in cols) + ")"
        head = f"INSERT INTO {table} (" + ", ".join(f'"{c}"' for c in cols) + ") VALUES "
        for i in range(0, len(encoded), per):
            chunk = encoded[i:i + per]
            db.conn.execute(head + ", ".join([one] * len(chunk)),
                            [r[c] for r in chunk for c in cols])
        if table == "documents":
            self._index_documents(db, rows)

    def delete_many(self, db: Database, table: str, ids: Sequence[int]) -> None:
        """Bulk delete by id inside a `write()` transaction, many rows per statement."""
        if table not in TABLES:
            raise ValueError(table)
        for i in range(0, len(ids), IDS_PER_STATEMENT):
            chunk = list(ids[i:i + IDS_PER_STATEMENT])
            db.conn.execute(f"DELETE FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})",
                            chunk)

    def append_history(self, db: Database, action: str, annotator: str | None,
                       entries: Sequence[tuple[str, int, int | None, Any, Any]]) -> None:
        """Bulk history rows: (table, row_id, doc_id, before, after)."""
        at = now()
        db.conn.executemany(
            "INSERT INTO history (at, annotator, action, table_name, row_id, doc_id, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(at, annotator, action, t, rid, did, _dump(b), _dump(a)) for t, rid, did, b, a in entries])

    @translated
    def next_id(self, table: str) -> int:
        """An id that no row of `table` has ever used here (so undo/redo can reuse ids)."""
        if table not in TABLES:
            raise ValueError(table)
        top = self.db.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
        return max(top, self._history_top(table)) + 1

    def _history_top(self, table: str) -> int:
        """The largest row id of `table` named in the history.

        The history is append-only and its ids grow in commit order, so only entries
        added since the last call are read (a full scan of a long history costs
        milliseconds per action). A rollback may remove entries already read: `write()`
        then forgets what was read."""
        seen, tops = self._history_seen
        for name, top, last in self.db.execute(
                "SELECT table_name, max(row_id), max(id) FROM history WHERE id > ?"
                " GROUP BY table_name", [seen]).fetchall():
            tops[name] = max(tops.get(name, 0), top)
            seen = max(seen, last)
        self._history_seen = (seen, tops)
        return tops.get(table, 0)

    @translated
    def history(self, doc_id: int | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """The newest entries first. `before` and `after` are rows as `RowChange` holds
        them: an update's may name only `id` and the columns it changed; an import's
        document names only its title and source."""
        where = "doc_id = ?" if doc_id is not None else None
        params = [doc_id] if doc_id is not None else []
        rows = self.db["history"].rows_where(where, params, order_by="id desc", limit=limit)
        return [{**r, "before": _load(r["before"]), "after": _load(r["after"])} for r in rows]


def _runs(changes: Sequence[RowChange]) -> Iterator[list[RowChange]]:
    """`changes` in order, cut into runs of one table, one kind (insert, update, delete) and
    the same columns, each row once."""
    run: list[RowChange] = []
    ids: set[int] = set()
    key: tuple[Any, ...] = ()
    for change in changes:
        this = (change.table, change.before is None, change.after is None,
                tuple(change.before or ()), tuple(change.after or ()))
        if run and (this != key or change.id in ids):
            yield run
            run, ids = [], set()
        run.append(change)
        ids.add(change.id)
        key = this
    if run:
        yield run


def _indexed_fields_changed(before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    if before is None:
        return True
    return any(k in after and (k not in before or before[k] != after[k])
               for k in ("text", "sentences"))


def _sentences_value(value: Any) -> Any:
    """A row's sentences as a list (rows may carry them encoded as JSON text)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return [] if value is None else value


_HISTORY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once, not per row


def _dump(row: dict[str, Any] | None) -> str | None:
    return None if row is None else _HISTORY_JSON.encode(row)


def _load(value: str | None) -> Any:
    return None if value is None else load_json(value, "history", SHAPES["row"])
