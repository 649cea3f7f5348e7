"""The SQLite store: one file per corpus, opened with sqlite-utils.

Every write goes through `Store.write()`: one `BEGIN IMMEDIATE` transaction that
commits (fsync, WAL + synchronous=FULL) before it returns, or rolls back whole.
Rows cross this boundary as plain dicts; `storage/` knows tables, not the domain.

`Store` opens the file, upgrades its schema and runs the transactions; what it reads
and writes comes from the modules it combines: `storage.reads` (queries),
`storage.changes` (row changes and the edit history), `storage.label_schema` and
`storage.model_runs`. Its errors are in `storage.errors`. The names callers use are
all importable from here.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.changes import RowChange, StoreChanges
from storage.checkpoint import Checkpointer
from storage.errors import (
    StoreBusyError, StoreConflictError, StoreDamagedError, StoreError, StoreReadOnlyError,
    explain, translate, translated, with_busy,
)
from storage.label_schema import StoreLabelSchema
from storage.migrations import DERIVED, migration_names, migrations
from storage.model_runs import StoreModelRuns
from storage.tables import now

__all__ = [
    "RowChange", "Store", "StoreBusyError", "StoreConflictError", "StoreDamagedError",
    "StoreError", "StoreReadOnlyError", "default_store_path", "now",
]

APP_NAME = "arcmark"
BUSY_TIMEOUT_S = 10.0


def default_store_path() -> Path:
    """`$ARCMARK_DB`, else the platform's user data folder (`arcmark/arcmark.db`)."""
    env = os.environ.get("ARCMARK_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "arcmark.db"


class Store(StoreChanges, StoreLabelSchema, StoreModelRuns):
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
        self._indexed = True  # the document_index table exists
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
            raise StoreError(explain(self.path, exc)) from None
        return db

    def _uri(self, create: bool = True) -> str:
        if self.memory:
            return "file::memory:"
        from urllib.parse import quote

        mode = "ro" if self.read_only else "rwc" if create else "rw"
        return f"file:{quote(str(self.path.resolve()))}?mode={mode}"

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
                if {m.name for m in pending} <= DERIVED:
                    # without the index, read the texts and sentences whole instead
                    self._indexed = "m005_document_index" not in {m.name for m in pending}
                    return
                raise StoreError(f"{self.path}: the store needs an upgrade but is read-only")
            if applied:
                self.upgraded_from = applied
                if backup and not self.memory:
                    self.backup_path = self._backup(applied[-1])
            with_busy(self.path, lambda: migrations.apply(self.db))
        except sqlite3.DatabaseError as exc:
            raise StoreError(explain(self.path, exc)) from None

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
    @translated
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
        with_busy(self.path, lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self.db
        except UnicodeEncodeError:
            conn.rollback()
            raise StoreError("text with an invalid character (a lone surrogate) cannot be "
                             "stored; nothing was changed") from None
        except BaseException as exc:
            conn.rollback()
            error = translate(self.path, exc) if isinstance(exc, sqlite3.DatabaseError) else None
            if error is not None:
                raise error from None
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            conn.rollback()
            raise StoreError(explain(self.path, exc)) from None
        if self._checkpointer is not None:
            self._checkpointer.committed()

    @translated
    def integrity_check(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]
