"""A consistent copy of a store while windows go on writing to it.

SQLite's online backup API copies the pages of one read transaction: in WAL mode
(every Arcmark store) that snapshot never blocks the writers and never sees half of
one of their transactions, so the copy is the store as it was at one commit. The
copy is written under a hidden temporary name beside the target, checked, and
renamed when complete: a crash or a full disk never leaves a partial file that looks
like a backup.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from storage.errors import StoreError, explain

BUSY_TIMEOUT_S = 10.0
MIGRATIONS_TABLE = "_sqlite_migrations"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    documents: int
    size: int  # bytes


def backup_store(source: Path, out: Path) -> BackupResult:
    """Copy the store at `source` to the new file `out` (never overwritten)."""
    source, out = Path(source), Path(out)
    if not source.is_file():
        raise StoreError(f"{source}: no such store")
    if out.exists():
        raise StoreError(f"{out}: already exists; give the backup a new name")
    if not out.parent.is_dir():
        raise StoreError(f"{out.parent}: no such folder")
    partial = out.with_name(f".{out.name}.part")
    partial.unlink(missing_ok=True)  # left by a copy that was interrupted
    try:
        _copy(source, partial)
        documents = _check(partial)
        os.replace(partial, out)
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(explain(source, exc)) from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"{out}: cannot write the backup ({exc.strerror})") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(out, documents, out.stat().st_size)


def _copy(source: Path, target: Path) -> None:
    # read-only: the backup never writes to the store, whatever its state
    src = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=ro", uri=True,
                          timeout=BUSY_TIMEOUT_S)
    try:
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if MIGRATIONS_TABLE not in tables or "documents" not in tables:
            raise StoreError(f"{source}: not an Arcmark store")
        dest = sqlite3.connect(str(target))
        try:
            src.backup(dest)  # all pages in one step: one snapshot, writers go on
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
    finally:
        src.close()


def _check(copy: Path) -> int:
    """The number of documents in the copy, once SQLite finds it sound."""
    conn = sqlite3.connect(str(copy))
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise StoreError(f"the copy failed SQLite's check ({verdict}); nothing was written")
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()
