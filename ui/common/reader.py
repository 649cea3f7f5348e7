"""Reads from the store off the GUI thread, so a corpus of 100,000 documents never
freezes the window.

`StoreReader.read(key, fn, then)` runs `fn(session)` on a pool thread, against a
read-only `Session` of its own on the window's store file (a `Store` is
single-threaded; SQLite in WAL mode lets it read while the window writes), and calls
`then(result)` on the GUI thread. Only the latest read of each key delivers: a list
refreshed twice quickly shows the second answer, never the first one late. A failed
read calls `failed(exception)` (by default nothing: the panel keeps what it shows).
`busy_changed(key, busy)` lets a panel show that it is reading.

A small store (fewer than AT_ONCE documents) is read at once on the GUI thread: its
reads take milliseconds, and the window shows them without a moment of emptiness. So is
a store in memory, which no other connection could open.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from annotate.session import Session

AT_ONCE = 1_000  # documents: a smaller store is read on the GUI thread
THREADS = 2  # a slow read (the graph) never holds up a quick one (the list) for long


class _Emitter(QObject):
    done = Signal(object, int, object, bool)  # key, generation, result or exception, ok


class _Read(QRunnable):
    def __init__(self, emitter: _Emitter, key: str, generation: int,
                 fn: Callable[[Session], Any], path: str, annotator: str) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._args = emitter, key, generation, fn, path, annotator

    def run(self) -> None:
        from storage.store import Store

        emitter, key, generation, fn, path, annotator = self._args
        try:
            with Store(path, create=False, read_only=True) as store:
                result = fn(Session(store, annotator=annotator))
        except BaseException as exc:  # noqa: BLE001 - reported on the GUI thread
            emitter.done.emit(key, generation, exc, False)
        else:
            emitter.done.emit(key, generation, result, True)


class StoreReader(QObject):
    busy_changed = Signal(str, bool)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(THREADS)
        self._emitter = _Emitter(self)
        self._emitter.done.connect(self._on_done)
        self._generations = itertools.count(1)
        self._latest: dict[str, tuple[int, Callable[[Any], None],
                                      Callable[[BaseException], None] | None]] = {}

    def read(self, key: str, fn: Callable[[Session], Any], then: Callable[[Any], None],
             failed: Callable[[BaseException], None] | None = None) -> None:
        """`then(fn(session))` on the GUI thread, unless another read of `key` follows."""
        store = self.session.store
        if self.at_once():
            self._latest.pop(key, None)  # an earlier read off the thread is outdated now
            self._deliver(then, failed, lambda: fn(self.session))
            return
        generation = next(self._generations)
        was_busy = key in self._latest
        self._latest[key] = (generation, then, failed)
        if not was_busy:
            self.busy_changed.emit(key, True)
        self._pool.start(_Read(self._emitter, key, generation, fn, str(store.path),
                               self.session.annotator))

    def at_once(self) -> bool:
        """Whether reads run at once on the GUI thread (a small store, or one in memory)."""
        store = self.session.store
        if store.memory:
            return True
        span = store.document_id_range()
        return span is None or span[1] - span[0] < AT_ONCE

    def busy(self, key: str | None = None) -> bool:
        return bool(self._latest) if key is None else key in self._latest

    def wait(self, msecs: int = -1) -> bool:
        """Block until every read is done (the window is closing)."""
        return self._pool.waitForDone(msecs)

    def _on_done(self, key: str, generation: int, result: object, ok: bool) -> None:
        latest = self._latest.get(key)
        if latest is None or latest[0] != generation:
            return  # a newer read of the same key is on its way
        del self._latest[key]
        self.busy_changed.emit(key, False)
        _, then, failed = latest
        if ok:
            then(result)
        elif failed is not None:
            failed(result)  # type: ignore[arg-type]

    @staticmethod
    def _deliver(then: Callable[[Any], None], failed: Callable[[BaseException], None] | None,
                 compute: Callable[[], Any]) -> None:
        try:
            result = compute()
        except Exception as exc:  # noqa: BLE001 - as a pool thread's failure would be
            if failed is not None:
                failed(exc)
            return
        then(result)
