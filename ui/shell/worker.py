"""The one background helper: runs plain-Python jobs off the GUI thread.

A job is a function `fn(ctx)` that gets a `JobContext` (report progress, poll for
cancel) and returns plain data. It never receives widgets. Jobs run one at a time,
in submission order, on a private `QThreadPool` with a single thread; their
progress, result and error come back to the GUI thread as queued signals.

The store and threads: a `Store` is single-threaded, so a job never touches the
window's session. A job that reads or writes the corpus opens its own `Store` and
`Session` on the same file (SQLite in WAL mode lets the GUI read while the job
writes, and every write transaction is short: pre-annotation commits per batch
of documents). When the job is done the window re-reads what changed through its
own session, from the `Change` the job returns.
"""
from __future__ import annotations

import itertools
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class JobCancelled(Exception):
    """Raised inside a job (by `JobContext.check`) to stop it early."""


@dataclass
class JobContext:
    """What a running job may use: progress reports and the cancel flag."""

    _report: Callable[[int, int, str], None]
    _cancel: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int, message: str = "") -> None:
        self._report(done, total, message)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled()


@dataclass
class Job:
    """A unit of background work; `fn(ctx)` runs on the worker thread."""

    title: str
    fn: Callable[[JobContext], Any]
    id: int = 0
    ctx: JobContext | None = None

    def cancel(self) -> None:
        if self.ctx is not None:
            self.ctx._cancel.set()


class _Emitter(QObject):
    """Lives in the GUI thread; its signals cross threads as queued connections."""

    progress = Signal(object, int, int, str)
    finished = Signal(object, object)
    failed = Signal(object, object, str)


class _Runnable(QRunnable):
    def __init__(self, job: Job, emitter: _Emitter) -> None:
        super().__init__()
        self.job = job
        self.emitter = emitter
        self.setAutoDelete(True)

    def run(self) -> None:
        job, emitter = self.job, self.emitter
        assert job.ctx is not None
        try:
            result = job.fn(job.ctx)
        except JobCancelled:
            emitter.finished.emit(job, None)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI
            emitter.failed.emit(job, exc, "".join(traceback.format_exception(exc)))
        else:
            emitter.finished.emit(job, result)


class BackgroundRunner(QObject):
    """Queues jobs and runs them one by one off the GUI thread.

    Signals (all delivered on the GUI thread):
    - `job_started(job)`, `job_progress(job, done, total, message)`
    - `job_finished(job, result)` (result is None when the job was cancelled early)
    - `job_failed(job, exception, traceback_text)`
    - `busy_changed(bool)`
    """

    job_started = Signal(object)
    job_progress = Signal(object, int, int, str)
    job_finished = Signal(object, object)
    job_failed = Signal(object, object, str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._emitter = _Emitter(self)
        self._ids = itertools.count(1)
        self._queue: list[Job] = []
        self._running: Job | None = None
        self._emitter.progress.connect(self._on_emitter_progress)
        self._emitter.finished.connect(self._on_emitter_finished)
        self._emitter.failed.connect(self._on_emitter_failed)

    @property
    def busy(self) -> bool:
        return self._running is not None or bool(self._queue)

    @property
    def current(self) -> Job | None:
        return self._running

    def submit(self, title: str, fn: Callable[[JobContext], Any]) -> Job:
        """Queue `fn`; it starts when the jobs before it are done."""
        job = Job(title, fn, next(self._ids))
        was_busy = self.busy
        self._queue.append(job)
        if self._running is None:
            self._start_next()
        if not was_busy:
            self.busy_changed.emit(True)
        return job

    def cancel(self) -> None:
        """Cancel the running job (it stops at its next check) and drop the queued ones."""
        self._queue.clear()
        if self._running is not None:
            self._running.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker thread is idle (used when the window closes)."""
        return self._pool.waitForDone(msecs)

    def _start_next(self) -> None:
        if not self._queue:
            self._running = None
            self.busy_changed.emit(False)
            return
        job = self._running = self._queue.pop(0)
        emitter = self._emitter
        job.ctx = JobContext(lambda done, total, msg: emitter.progress.emit(job, done, total, msg))
        self.job_started.emit(job)
        self._pool.start(_Runnable(job, emitter))

    def _on_emitter_progress(self, job: Job, done: int, total: int, message: str) -> None:
        if job is self._running:
            self.job_progress.emit(job, done, total, message)

    def _on_emitter_finished(self, job: Job, result: object) -> None:
        self._running = None
        self.job_finished.emit(job, result)  # a handler may submit the next job
        if self._running is None:
            self._start_next()

    def _on_emitter_failed(self, job: Job, exc: object, text: str) -> None:
        self._running = None
        self.job_failed.emit(job, exc, text)
        if self._running is None:
            self._start_next()
