"""Checkpoints of the write-ahead log, moved off the path of an action.

A commit in WAL mode appends pages to the `-wal` file (and fsyncs it); a checkpoint
copies them into the store file and fsyncs that. SQLite runs the checkpoint inside the
commit that takes the log past `wal_autocheckpoint` pages: every hundred actions or
so, one action costs several milliseconds more. Here a thread with its own connection
runs a PASSIVE checkpoint (it never blocks, nor waits for, readers and writers) when
the store has been quiet for a moment, or after a long burst of commits. The inline
checkpoint SQLite still runs then finds the pages copied already, and only restarts
the log.

Durability does not change: every commit is still fsynced to the log before it
returns, and a checkpoint interrupted by a crash is redone from the log on the next
open.
"""
from __future__ import annotations

import contextlib
import sqlite3
import threading

QUIET_S = 0.25  # no commit for this long: a quiet moment to checkpoint
BURST_COMMITS = 40  # ...or this many commits without a pause (a few hundred pages)


class Checkpointer:
    """A background thread checkpointing one store; tell it of each commit."""

    def __init__(self, uri: str, *, quiet: float = QUIET_S, burst: int = BURST_COMMITS) -> None:
        self._uri = uri
        self._quiet = quiet
        self._burst = burst
        self._wake = threading.Condition()
        self._commits = 0
        self._closed = False
        self.checkpoints = 0  # how many ran (for tests and curiosity)
        self._thread = threading.Thread(target=self._run, name="arcmark-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        with self._wake:
            self._commits += 1
            self._wake.notify()

    def close(self) -> None:
        """Stop the thread (a checkpoint in progress finishes first)."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if threading.current_thread() is not self._thread:  # a finalizer may run on it
            self._thread.join()

    def _next_moment(self) -> bool:
        """Wait for commits, then for a quiet moment or a long burst; False once closed."""
        with self._wake:
            self._wake.wait_for(lambda: self._commits or self._closed)
            while not self._closed and self._commits < self._burst:
                seen = self._commits
                self._wake.wait(self._quiet)
                if self._commits == seen:
                    break
            self._commits = 0
            return not self._closed

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while self._next_moment():
                try:
                    if conn is None:
                        conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
                        conn.execute("PRAGMA synchronous=FULL")
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error:
                    pass  # e.g. the file went away: SQLite's own checkpoints remain
        finally:
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
