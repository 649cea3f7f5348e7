"""The SQLite store: one file per corpus, opened with sqlite-utils.

Every write goes through `Store.write()`: one `BEGIN IMMEDIATE` transaction that
commits (fsync, WAL + synchronous=FULL) before it returns, or rolls back whole.
Rows cross this boundary as plain dicts; `storage/` knows tables, not the domain.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from storage.checkpoint import Checkpointer
from storage.migrations import migration_names, migrations
from storage.text_index import (
    PackedSentences, byte_range, index_row, pack_sentences, text_bytes,
)

T = TypeVar("T")
APP_NAME = "arcmark"
BUSY_TIMEOUT_S = 10.0
TABLES = ("documents", "entities", "relations")
SINGULAR = {"documents": "document", "entities": "entity", "relations": "relation"}
BULK_ROWS_PER_STATEMENT = 200
IDS_PER_STATEMENT = 500  # rows checked or deleted by one statement
REPEATED_COLUMNS = frozenset({"label", "origin", "status", "annotator", "confidence",
                              "created_at", "updated_at"})
JSON_COLUMNS = {"documents": ("meta", "sentences")}


class StoreError(Exception):
    """The store cannot be opened or written; the message is one line for the user."""


class StoreBusyError(StoreError):
    """Another process holds the store's write lock for too long."""


class StoreReadOnlyError(StoreError):
    """The store was opened read-only (file permissions) and cannot be written."""


class StoreDamagedError(StoreError):
    """The store file is damaged (e.g. truncated or overwritten); reading it failed."""


def _translated(method: Callable[..., T]) -> Callable[..., T]:
    """Turn a failure of the store file met by `method` (damaged pages, a full disk, the
    lock) into a one-line StoreError; errors of the data's rules pass unchanged."""

    @functools.wraps(method)
    def run(self: Store, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            translated = self._translate(exc)
            if translated is None:
                raise
            raise translated from None

    return run


def now() -> str:
    """A UTC timestamp with milliseconds, sortable as text."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_store_path() -> Path:
    """`$ARCMARK_DB`, else the platform's user data folder (`arcmark/arcmark.db`)."""
    env = os.environ.get("ARCMARK_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "arcmark.db"


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


class Store:
    """A corpus store. Not thread-safe: use it from one thread (or open one per thread)."""

    def __init__(self, path: Path | str, *, create: bool = True, busy_timeout: float = BUSY_TIMEOUT_S,
                 backup_before_upgrade: bool = True, read_only: bool = False) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.memory = str(path) == ":memory:"
        self.busy_timeout = busy_timeout
        self.read_only = read_only
        self.upgraded_from: list[str] | None = None
        self.backup_path: Path | None = None
        # (last history id read, largest row id per table): see `_history_top`
        self._history_seen: tuple[int, dict[str, int]] = (0, {})
        self._utf8: bool | None = None  # texts stored as UTF-8 (read by byte offsets)
        self._checkpointer: Checkpointer | None = None
        self._stop_checkpoints: Callable[[], Any] = lambda: None
        self.db = self._connect(create)
        try:
            self._check_and_migrate(backup_before_upgrade)
        except BaseException:
            self.db.close()
            raise
        if not self.read_only and not self.memory:
            # never creating the file: a store deleted meanwhile does not come back empty
            self._checkpointer = Checkpointer(self._uri(create=False))
            # a store dropped without close() stops its thread too
            self._stop_checkpoints = weakref.finalize(self, self._checkpointer.close)

    # --- opening -------------------------------------------------------------------------

    def _connect(self, create: bool) -> Database:
        if not self.memory:
            if not self.path.exists():
                if not create:
                    raise StoreError(f"{self.path}: no such store")
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create {self.path.parent}: {exc.strerror}") from None
            elif self.path.is_dir():
                raise StoreError(f"{self.path}: is a folder, not a store file")
            elif self.read_only or not os.access(self.path, os.W_OK) \
                    or not os.access(self.path.parent, os.W_OK):
                self.read_only = True
        uri = self._uri()
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, check_same_thread=False)
            db = Database(conn, execute_plugins=False)
            conn.execute("PRAGMA foreign_keys=ON")
            if not self.read_only and not self.memory:
                if db.journal_mode != "wal":
                    db.enable_wal()
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._explain(exc)) from None
        return db

    def _uri(self, create: bool = True) -> str:
        if self.memory:
            return "file::memory:"
        from urllib.parse import quote

        mode = "ro" if self.read_only else "rwc" if create else "rw"
        return f"file:{quote(str(self.path.resolve()))}?mode={mode}"

    def _explain(self, exc: sqlite3.DatabaseError) -> str:
        """The one-line message for an error met while opening the store."""
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            return f"{self.path}: not an Arcmark store (the file is not a SQLite database or is damaged)"
        translated = self._translate(exc)
        if translated is not None:
            return str(translated)
        if "unable to open" in message:
            return f"{self.path}: cannot open the store file"
        return f"{self.path}: {message}"

    def _translate(self, exc: sqlite3.DatabaseError) -> StoreError | None:
        """The StoreError for a failure of the file or the lock (not of the data's rules)."""
        message = str(exc).lower()
        if "locked" in message or "busy" in message:
            return StoreBusyError(f"{self.path}: the store is busy (another window, program or "
                                  "background import is writing to it); try again when it has "
                                  "finished")
        if "readonly" in message or "read-only" in message:
            return StoreReadOnlyError(f"{self.path}: the store is read-only; nothing was changed")
        if "malformed" in message or "not a database" in message or "could not decode" in message:
            what = "text that is not UTF-8" if "could not decode" in message else str(exc)
            return StoreDamagedError(
                f"{self.path}: the store file is damaged ({what}); nothing was changed. Restore "
                f"a backup copy, or salvage it with: sqlite3 {self.path.name} .recover")
        if "disk is full" in message:
            return StoreError(f"{self.path}: the disk is full; nothing was changed. Free some "
                              "space and try again")
        if "disk i/o error" in message:
            return StoreError(f"{self.path}: the disk failed to read or write the store ({exc});"
                              " nothing was changed")
        return None

    def _check_and_migrate(self, backup: bool) -> None:
        try:
            tables = set(self.db.table_names())
            applied = [m.name for m in migrations.applied(self.db)]
            known = migration_names()
            newer = [name for name in applied if name not in known]
            if newer:
                raise StoreError(
                    f"{self.path}: the store was written by a newer Arcmark "
                    f"(schema {newer[-1]}); update Arcmark to open it"
                )
            if tables and not applied:
                raise StoreError(f"{self.path}: not an Arcmark store (it holds other tables)")
            pending = migrations.pending(self.db)
            if not pending:
                return
            if self.read_only:
                raise StoreError(f"{self.path}: the store needs an upgrade but is read-only")
            if applied:
                self.upgraded_from = applied
                if backup and not self.memory:
                    self.backup_path = self._backup(applied[-1])
            self._with_busy(lambda: migrations.apply(self.db))
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._explain(exc)) from None

    def _backup(self, version: str) -> Path:
        """Copy the store (consistently, with SQLite's backup API) before an upgrade.

        The copy is written under a hidden temporary name and renamed when complete, so a
        crash or a full disk never leaves a partial file that looks like a backup."""
        target = self.path.with_name(f"{self.path.name}.{version}.bak")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.{version}.{n}.bak")
            n += 1
        partial = target.with_name(f".{target.name}.part")
        partial.unlink(missing_ok=True)  # left by a copy that was interrupted
        try:
            dest = sqlite3.connect(str(partial))
            try:
                self.db.conn.backup(dest)
            finally:
                dest.close()
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target

    @property
    @_translated
    def schema_version(self) -> list[str]:
        return [m.name for m in migrations.applied(self.db)]

    def close(self) -> None:
        self._stop_checkpoints()
        with contextlib.suppress(sqlite3.Error):
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ----------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[Database]:
        """One write transaction (see `_transaction`)."""
        try:
            with self._transaction() as db:
                yield db
        except BaseException:
            self._history_seen = (0, {})  # the rollback may have removed entries it read
            raise

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Database]:
        """One write transaction, taken with the write lock up front (`BEGIN IMMEDIATE`)
        so two processes never deadlock; commits on exit, rolls back on any exception."""
        if self.read_only:
            raise StoreReadOnlyError(f"{self.path}: the store is read-only; nothing was changed")
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        self._with_busy(lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self.db
        except UnicodeEncodeError:
            conn.rollback()
            raise StoreError("text with an invalid character (a lone surrogate) cannot be "
                             "stored; nothing was changed") from None
        except BaseException as exc:
            conn.rollback()
            translated = self._translate(exc) if isinstance(exc, sqlite3.DatabaseError) else None
            if translated is not None:
                raise translated from None
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            conn.rollback()
            raise StoreError(self._explain(exc)) from None
        if self._checkpointer is not None:
            self._checkpointer.committed()

    def _with_busy(self, fn):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                waited = time.monotonic() - started
                raise StoreBusyError(
                    f"{self.path}: the store is busy (another window, program or background "
                    f"import is writing to it); gave up after {waited:.0f} s — try again"
                ) from None
            if "readonly" in str(exc):
                raise StoreReadOnlyError(f"{self.path}: the store is read-only") from None
            raise

    # --- row-level edits with history --------------------------------------------------------

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
            ids = [c.id for c in run]
            for i in range(0, len(ids), IDS_PER_STATEMENT):
                chunk = ids[i:i + IDS_PER_STATEMENT]
                db.conn.execute(f"DELETE FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})",
                                chunk)
            # a document's index goes with it (ON DELETE CASCADE)
        elif first.before is None:
            self.insert_many(db, table, [c.after for c in run if c.after is not None])
        else:
            for change in run:
                self._update(db, change)

    def _update(self, db: Database, change: RowChange) -> None:
        """Write the columns of `change.after` (a whole row or only some of its columns)."""
        assert change.after is not None
        table, row = change.table, _encode(change.table, change.after)
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

    def _current_many(self, table: str, ids: Sequence[int], columns: Sequence[str]
                      ) -> dict[int, dict[str, Any]]:
        """{id: row} of `columns` (which include `id`) of the rows with these ids that exist."""
        names = ", ".join(f'"{c}"' for c in columns)
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), IDS_PER_STATEMENT):
            chunk = list(ids[i:i + IDS_PER_STATEMENT])
            cursor = self.db.execute(f"SELECT {names}, id AS _id FROM {table} WHERE id IN"
                                     f" ({', '.join('?' * len(chunk))})", chunk)
            cols = [d[0] for d in cursor.description][:-1]
            for *values, row_id in cursor:
                out[row_id] = _decode(table, dict(zip(cols, values, strict=True)))
        return out

    def _current(self, table: str, row_id: int, columns: Sequence[str] = ()
                 ) -> dict[str, Any] | None:
        """The row (only `columns` of it, if given) as a dict; None if there is none."""
        names = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        cursor = self.db.execute(f"SELECT {names} FROM {table} WHERE id = ?", [row_id])
        row = cursor.fetchone()
        if row is None:
            return None
        cols = [d[0] for d in cursor.description]
        return _decode(table, dict(zip(cols, row, strict=True)))

    @_translated
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

    # --- reads -----------------------------------------------------------------------------

    @_translated
    def row(self, table: str, row_id: int, columns: Sequence[str] = ()) -> dict[str, Any] | None:
        """A row as a dict (only `columns` of it, if given: a document's status without
        its text); None if there is no such row."""
        if table not in TABLES:
            raise ValueError(table)
        return self._current(table, row_id, columns)

    @_translated
    def rows(self, table: str, where: str = "", params: Sequence[Any] = (),
             order_by: str = "id") -> list[dict[str, Any]]:
        if table not in TABLES:
            raise ValueError(table)
        # plain SQL: sqlite-utils' `rows_where` first lists the tables, on every call
        sql = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "") + \
            (f" ORDER BY {order_by}" if order_by else "")
        cursor = self.db.execute(sql, list(params))
        cols = [d[0] for d in cursor.description]
        # Rows repeat a few values (labels, statuses, one import's timestamp): one string
        # object per value, and rows read one by one, keep a 30,000-entity document's
        # rows at less than half the memory.
        repeated = [(i, {}) for i, c in enumerate(cols) if c in REPEATED_COLUMNS]
        out = []
        for values in cursor:
            if repeated:
                values = list(values)
                for i, seen in repeated:
                    values[i] = seen.setdefault(values[i], values[i])
            out.append(_decode(table, dict(zip(cols, values))))
        return out

    @_translated
    def document_text(self, doc_id: int) -> str | None:
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
        return None if row is None else row[0]

    @_translated
    def document_rows(self, table: str, columns: Sequence[str], doc_ids: Sequence[int],
                      order_by: str) -> list[tuple[Any, ...]]:
        """`columns` of the entities or relations of these documents, as tuples in
        `order_by` order: the corpus reads of an export, without a dict per row."""
        if table not in ("entities", "relations"):
            raise ValueError(table)
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(doc_ids))
        return self.db.execute(f"SELECT {names} FROM {table} WHERE doc_id IN ({marks}) "
                               f"ORDER BY {order_by}", list(doc_ids)).fetchall()

    @_translated
    def document_slice(self, doc_id: int, start: int, end: int) -> tuple[int, str] | None:
        """The length of a document's text and its code points [start, end) (clamped to
        the text), reading only those from a long text; None if there is no such document."""
        found = self.db.execute("SELECT length, stride, offsets FROM document_index"
                                " WHERE doc_id = ?", [doc_id]).fetchone()
        if found is not None:
            length, stride, offsets = found
            lo = min(max(start, 0), length)
            part = self._read_text(doc_id, offsets, stride, lo, min(max(end, lo), length))
            if part is not None:
                return length, part
        text = self.document_text(doc_id)
        if text is None:
            return None
        start = min(max(start, 0), len(text))
        return len(text), text[start:min(max(end, start), len(text))]

    def _read_text(self, doc_id: int, offsets: bytes, stride: int, start: int, end: int
                   ) -> str | None:
        """Code points [start, end) of a stored text read by byte offsets (incremental blob
        I/O reads only the pages that hold them); None if the index does not fit the text."""
        if self._utf8 is None:
            self._utf8 = self.db.execute("PRAGMA encoding").fetchone()[0] == "UTF-8"
        if not self._utf8:
            return None
        first, last, at = byte_range(offsets, stride, start, end)
        try:
            with self.db.conn.blobopen("documents", "text", doc_id, readonly=True) as blob:
                if len(blob) != text_bytes(offsets):
                    return None
                blob.seek(first)
                chunk = blob.read(last - first).decode("utf-8")
        except (sqlite3.OperationalError, UnicodeDecodeError):
            return None
        return chunk[start - at:end - at]

    @_translated
    def document_sentences(self, doc_id: int) -> Sequence[tuple[int, int]] | None:
        """The stored sentence offsets of a document, in stored order, without decoding
        them all (a long document has thousands); None if there is no such document."""
        packed = self.db.execute("SELECT sentences FROM document_index WHERE doc_id = ?",
                                 [doc_id]).fetchone()
        if packed is not None and packed[0] is not None:
            return PackedSentences(packed[0])
        row = self.db.execute("SELECT sentences FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            return None
        return tuple((int(s), int(e)) for s, e in json.loads(row[0] or "[]"))

    @_translated
    def relations_between(self, first: int, second: int) -> list[dict[str, Any]]:
        """The relations joining two entities, in either direction."""
        return self.rows("relations", "(head_id = ? AND tail_id = ?) OR (head_id = ? AND tail_id = ?)",
                         [first, second, second, first])

    @_translated
    def relations_of(self, entity_id: int) -> list[dict[str, Any]]:
        """The relations an entity is the head or the tail of."""
        return self.rows("relations", "head_id = ? OR tail_id = ?", [entity_id, entity_id])

    @_translated
    def entity_spans(self, doc_id: int) -> set[tuple[int, int]]:
        return {(s, e) for s, e in self.db.execute(
            'SELECT start, "end" FROM entities WHERE doc_id = ?', [doc_id]).fetchall()}

    @_translated
    def document_by_hash(self, content_hash: str) -> dict[str, Any] | None:
        rows = self.rows("documents", "content_hash = ?", [content_hash])
        return rows[0] if rows else None

    @_translated
    def document_summaries(self) -> list[dict[str, Any]]:
        sql = """
            SELECT d.id, d.title, d.status, d.source, d.updated_at, length(d.text) AS length,
              (SELECT count(*) FROM entities e WHERE e.doc_id = d.id AND e.status != 'rejected')
                  AS entity_count,
              (SELECT count(*) FROM entities e WHERE e.doc_id = d.id AND e.status = 'suggested')
                  AS suggested_count,
              (SELECT count(*) FROM relations r WHERE r.doc_id = d.id AND r.status != 'rejected')
                  AS relation_count
            FROM documents d ORDER BY d.id"""
        return list(self.db.query(sql))

    @_translated
    def document_ids(self, status: str | None = None) -> list[int]:
        if status:
            rows = self.db.execute("SELECT id FROM documents WHERE status = ? ORDER BY id", [status])
        else:
            rows = self.db.execute("SELECT id FROM documents ORDER BY id")
        return [r[0] for r in rows.fetchall()]

    @_translated
    def counts(self) -> dict[str, Any]:
        def grouped(sql: str) -> dict[str, int]:
            return {k: v for k, v in self.db.execute(sql).fetchall()}

        return {
            "documents": self.db.execute("SELECT count(*) FROM documents").fetchone()[0],
            "documents_by_status": grouped("SELECT status, count(*) FROM documents GROUP BY status"),
            "entities": self.db.execute("SELECT count(*) FROM entities").fetchone()[0],
            "entities_by_status": grouped("SELECT status, count(*) FROM entities GROUP BY status"),
            "entities_by_label": grouped(
                "SELECT label, count(*) FROM entities WHERE status != 'rejected' GROUP BY label"
                " ORDER BY count(*) DESC"),
            "relations": self.db.execute("SELECT count(*) FROM relations").fetchone()[0],
            "relations_by_label": grouped(
                "SELECT label, count(*) FROM relations WHERE status != 'rejected' GROUP BY label"
                " ORDER BY count(*) DESC"),
            "model_suggestions_by_label": self._model_quality(),
        }

    def _model_quality(self) -> dict[str, dict[str, int]]:
        rows = self.db.execute(
            "SELECT label, status, count(*) FROM entities WHERE origin LIKE 'model:%'"
            " GROUP BY label, status").fetchall()
        out: dict[str, dict[str, int]] = {}
        for label, status, n in rows:
            out.setdefault(label, {"suggested": 0, "accepted": 0, "rejected": 0})[status] = n
        return out

    @_translated
    def history(self, doc_id: int | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """The newest entries first. `before` and `after` are rows as `RowChange` holds
        them: an update's may name only `id` and the columns it changed; an import's
        document names only its title and source."""
        where = "doc_id = ?" if doc_id is not None else None
        params = [doc_id] if doc_id is not None else []
        rows = self.db["history"].rows_where(where, params, order_by="id desc", limit=limit)
        return [{**r, "before": _load(r["before"]), "after": _load(r["after"])} for r in rows]

    # --- schema ------------------------------------------------------------------------------

    @_translated
    def label_schema(self) -> dict[str, list[dict[str, Any]]]:
        entity = list(self.db.query("SELECT name, colour, key, description FROM entity_labels"
                                    " ORDER BY position"))
        relation = [
            {**r, "heads": json.loads(r["heads"]), "tails": json.loads(r["tails"])}
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

    @_translated
    def labels_in_use(self) -> tuple[set[str], set[str]]:
        ents = {r[0] for r in self.db.execute("SELECT DISTINCT label FROM entities").fetchall()}
        rels = {r[0] for r in self.db.execute("SELECT DISTINCT label FROM relations").fetchall()}
        return ents, rels

    # --- model runs ----------------------------------------------------------------------------

    @_translated
    def documents_without_run(self, model: str, ids: Iterable[int] | None = None) -> list[int]:
        sql = ("SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM model_runs"
               " WHERE model = ?) ORDER BY id")
        todo = [r[0] for r in self.db.execute(sql, [model]).fetchall()]
        if ids is not None:
            wanted = set(ids)
            todo = [i for i in todo if i in wanted]
        return todo

    @_translated
    def dismissed(self, doc_id: int) -> set[tuple[int, int, str]]:
        rows = self.db.execute('SELECT start, "end", label FROM dismissed_suggestions'
                               " WHERE doc_id = ?", [doc_id]).fetchall()
        return {(s, e, label) for s, e, label in rows}

    def add_dismissed(self, db: Database, doc_id: int, start: int, end: int, label: str) -> None:
        db.conn.execute('INSERT OR IGNORE INTO dismissed_suggestions (doc_id, start, "end", label)'
                        " VALUES (?, ?, ?, ?)", (doc_id, start, end, label))

    def remove_dismissed(self, db: Database, doc_id: int, start: int, end: int, label: str) -> None:
        db.conn.execute('DELETE FROM dismissed_suggestions WHERE doc_id = ? AND start = ?'
                        ' AND "end" = ? AND label = ?', (doc_id, start, end, label))

    def record_model_run(self, db: Database, doc_id: int, model: str, entities: int) -> None:
        db.conn.execute("INSERT OR REPLACE INTO model_runs (doc_id, model, at, entities)"
                        " VALUES (?, ?, ?, ?)", (doc_id, model, now(), entities))

    def set_sentences(self, db: Database, doc_id: int, sentences: Sequence[tuple[int, int]]) -> None:
        db.conn.execute("UPDATE documents SET sentences = ? WHERE id = ?",
                        (json.dumps([list(s) for s in sentences]), doc_id))
        db.conn.execute("UPDATE document_index SET sentences = ? WHERE doc_id = ?",
                        (pack_sentences([list(s) for s in sentences]), doc_id))

    def insert_many(self, db: Database, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert inside a `write()` transaction (import, pre-annotation)."""
        if not rows:
            return
        if table not in TABLES:
            raise ValueError(table)
        encoded = [_encode(table, r) for r in rows]
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

    def append_history(self, db: Database, action: str, annotator: str | None,
                       entries: Sequence[tuple[str, int, int | None, Any, Any]]) -> None:
        """Bulk history rows: (table, row_id, doc_id, before, after)."""
        at = now()
        db.conn.executemany(
            "INSERT INTO history (at, annotator, action, table_name, row_id, doc_id, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(at, annotator, action, t, rid, did, _dump(b), _dump(a)) for t, rid, did, b, a in entries])

    @_translated
    def integrity_check(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]


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


class StoreConflictError(StoreError):
    """A row is not in the state an edit expected (changed elsewhere since)."""


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
    return None if value is None else json.loads(value)


def _encode(table: str, row: dict[str, Any]) -> dict[str, Any]:
    cols = JSON_COLUMNS.get(table, ())
    if not cols:
        return row
    return {k: (json.dumps(v, ensure_ascii=False) if k in cols and not isinstance(v, str) else v)
            for k, v in row.items()}


def _decode(table: str, row: dict[str, Any]) -> dict[str, Any]:
    for col in JSON_COLUMNS.get(table, ()):
        if isinstance(row.get(col), str):
            row[col] = json.loads(row[col])
    return row
