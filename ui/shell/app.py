"""Starting the window: QApplication, Store → Session → MainWindow, first run.

`run_gui` shows the window's frame (menus, toolbar, panels, the saved layout)
before anything slow happens, and opens the store right after that first frame is
painted: the store module (sqlite-utils), the document view and the tables load
then, and the documents appear a moment later. spaCy is imported only by the
background pre-annotation job, never on the way to the window.

With ARCMARK_EXIT_WHEN_SHOWN=1 (for bench/), `run_gui` prints `ARCMARK_SHOWN <time>`
as soon as the first frame is painted, and `ARCMARK_DOCUMENTS <time>` then quits once
the opened document is painted too.
"""
from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ui.shell.errors import first_line, install_excepthook, log_exception, user_errors

# open the store anyway if no paint arrives (e.g. a platform that paints nothing)
PAINT_WAIT_MS = 1000
EXIT_WHEN_SHOWN = "ARCMARK_EXIT_WHEN_SHOWN"

APP_NAME = ORG_NAME = "Arcmark"


def application() -> QApplication:
    """The QApplication, created once with Arcmark's names and look."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setStyle("Fusion")
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
        app.setFont(font)
    return app


def run_gui(*, db_path: Path | None = None, schema_path: Path | None = None,
            model: str | None = None, seeds: Path | None = None, read_only: bool = False,
            annotator: str | None = None) -> int:
    """Open the window on the store; returns the exit status."""
    app = application()
    install_excepthook()
    from ui.shell.main_window import MainWindow

    window = MainWindow(model=model, seeds=seeds)
    measured = os.environ.get(EXIT_WHEN_SHOWN) == "1"

    def open_store() -> None:
        session = None
        try:
            from ui.team.annotator import resolve_annotator

            name = resolve_annotator(window, window.settings, annotator)
            session = open_session(db_path, schema_path, read_only=read_only, annotator=name)
            window.attach(session)
        except Exception as exc:  # the window cannot work without its store: say why, exit 1
            if session is not None and window.session is None:
                session.store.close()
            _cannot_open(window, exc)
            QApplication.exit(1)
            return
        if session.store.backup_path:
            window.say(f"The store was upgraded; the previous version is kept in "
                       f"{session.store.backup_path}")
        if measured:  # report and quit once the document is painted too
            after_next_paint(window.view.viewport(), _documents_shown, wait_ms=None)
            return
        QTimer.singleShot(0, window.start_first_run)

    window.show()
    # the store's modules load on another core while Qt paints the first frame
    threading.Thread(target=_import_store_modules, name="arcmark-preload", daemon=True).start()
    after_next_paint(window, open_store)
    if measured:  # installed last, so it hears of the first paint first
        after_next_paint(window, lambda: print("ARCMARK_SHOWN", time.time(), flush=True),
                         wait_ms=None)
    try:
        return int(app.exec())
    finally:
        session = window.session
        runner = getattr(window, "runner", None)  # None if attaching failed early
        if runner is not None:
            runner.cancel()
            runner.wait(15_000)
        # destroy the window (and its timers) before the store it reads is closed
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if session is not None:
            session.store.close()


class _AfterNextPaint(QObject):
    """Calls `then` once, right after `widget` is next painted (or after `wait_ms`).

    It watches that widget only: an application-wide filter would have PySide wrap
    every object that gets an event, and make up a Python type, with all its enums,
    for each kind of them - tens of milliseconds before the first frame."""

    def __init__(self, widget: QWidget, then: Callable[[], None], wait_ms: int | None) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        self._painted = False
        widget.installEventFilter(self)
        if wait_ms is not None:
            QTimer.singleShot(wait_ms, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint and not self._painted:
            # the window's children are painted in the same pass: run once it is done
            self._painted = True
            QTimer.singleShot(0, self._run)
        return False

    def _run(self) -> None:
        then, self._then = self._then, None
        if then is None:
            return
        self._widget.removeEventFilter(self)
        then()


# what opening the store and filling the window (MainWindow.attach) import, in that order
_OPENING_MODULES = (
    "storage.store", "annotate.schema", "annotate.session", "ui.common.hub",
    "ui.document.document_view", "ui.document.entity_table", "ui.corpus.document_list",
    "ui.relations.relation_ui", "ui.corpus.corpus_ui", "ui.document.palette",
    "ui.document.presenter", "ui.document.review", "ui.shell.status", "ui.shell.worker",
    "ui.shell.jobs", "ui.shell.dialogs", "ui.shell.store_watch",
    "ui.model.model_ui",
    "ui.team.annotator", "ui.team.team_ui", "ui.team.curate_view",
    "ui.common.reader",
    "ui.reader.comfort", "ui.reader.positions", "ui.reader.reader_ui",
)  # tests/test_ui_startup.py checks that attaching imports nothing more of ours


def _import_store_modules() -> None:
    """Import what opening the store needs (sqlite-utils alone takes a tenth of a second).
    Qt paints without holding Python's lock, so this overlaps the first paint; should
    the window need a module first, Python's import lock makes it wait for it instead.
    Importing creates no widgets (only value types such as colours)."""
    for name in _OPENING_MODULES:
        importlib.import_module(name)


def _cannot_open(window: QWidget, exc: Exception) -> None:
    """The one-line reason a store cannot be opened, in a dialog over the frame; anything
    but a user's mistake is logged with its traceback first."""
    title = "Arcmark — cannot open the store"
    if isinstance(exc, user_errors()):
        QMessageBox.critical(window, title, first_line(exc))
        return
    path = log_exception(type(exc), exc, exc.__traceback__)
    QMessageBox.critical(window, title, f"Something went wrong: {first_line(exc)}\n"
                                        f"The details were written to {path}.")


def _documents_shown() -> None:
    print("ARCMARK_DOCUMENTS", time.time(), flush=True)
    QApplication.quit()


def after_next_paint(widget: QWidget, then: Callable[[], None],
                     wait_ms: int | None = PAINT_WAIT_MS) -> None:
    """Run `then` as soon as `widget` has been painted (at start-up, what it builds follows
    the first frame instead of delaying it), or after `wait_ms` without a paint."""
    _AfterNextPaint(widget, then, wait_ms)


def open_session(db_path: Path | None, schema_path: Path | None,  # type: ignore[no-untyped-def]
                 read_only: bool = False, annotator: str | None = None):
    """Store → Session; raises ArcmarkError / StoreError with a one-line message."""
    from annotate.schema import load_schema
    from annotate.session import Session
    from storage.store import Store, default_store_path

    store = Store(db_path or default_store_path(), read_only=read_only,
                  create=not read_only)
    try:
        schema = load_schema(schema_path) if schema_path else None
        return Session(store, schema=schema, annotator=annotator)
    except BaseException:
        store.close()
        raise


