"""The store's errors, and SQLite's failures of the file or the lock turned into them.

Every message is one line for the user and names the store file. Errors of the data's
rules (a constraint, a bad column) pass unchanged.
"""
from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class StoreError(Exception):
    """The store cannot be opened or written; the message is one line for the user."""


class StoreBusyError(StoreError):
    """Another process holds the store's write lock for too long."""


class StoreReadOnlyError(StoreError):
    """The store was opened read-only (file permissions) and cannot be written."""


class StoreDamagedError(StoreError):
    """The store file is damaged (e.g. truncated or overwritten); reading it failed."""


class StoreConflictError(StoreError):
    """A row is not in the state an edit expected (changed elsewhere since)."""


def translate(path: Path, exc: sqlite3.DatabaseError) -> StoreError | None:
    """The StoreError for a failure of the file or the lock (not of the data's rules)."""
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        return StoreBusyError(f"{path}: the store is busy (another window, program or "
                              "background import is writing to it); try again when it has "
                              "finished")
    if "readonly" in message or "read-only" in message:
        return StoreReadOnlyError(f"{path}: the store is read-only; nothing was changed")
    if "malformed" in message or "not a database" in message or "could not decode" in message:
        what = "text that is not UTF-8" if "could not decode" in message else str(exc)
        return StoreDamagedError(
            f"{path}: the store file is damaged ({what}); nothing was changed. Restore "
            f"a backup copy, or salvage it with: sqlite3 {path.name} .recover")
    if "disk is full" in message:
        return StoreError(f"{path}: the disk is full; nothing was changed. Free some "
                          "space and try again")
    if "disk i/o error" in message:
        return StoreError(f"{path}: the disk failed to read or write the store ({exc});"
                          " nothing was changed")
    return None


def explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    """The one-line message for an error met while opening the store."""
    message = str(exc)
    if "not a database" in message or "malformed" in message:
        return f"{path}: not an Arcmark store (the file is not a SQLite database or is damaged)"
    error = translate(path, exc)
    if error is not None:
        return str(error)
    if "unable to open" in message:
        return f"{path}: cannot open the store file"
    return f"{path}: {message}"


def with_busy(path: Path, fn: Callable[[], T]) -> T:
    """`fn()`, its failure to take the lock (after the busy timeout) or to write a
    read-only file turned into a StoreBusyError or a StoreReadOnlyError."""
    started = time.monotonic()
    try:
        return fn()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            waited = time.monotonic() - started
            raise StoreBusyError(
                f"{path}: the store is busy (another window, program or background "
                f"import is writing to it); gave up after {waited:.0f} s — try again"
            ) from None
        if "readonly" in str(exc):
            raise StoreReadOnlyError(f"{path}: the store is read-only") from None
        raise


def translated(method: Callable[..., T]) -> Callable[..., T]:
    """Turn a failure of the store file met by `method` (of an object with the store's
    `path`: damaged pages, a full disk, the lock) into a one-line StoreError; errors of
    the data's rules pass unchanged."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            error = translate(self.path, exc)
            if error is None:
                raise
            raise error from None

    return run
