"""Starting the window: QApplication, Store → Session → MainWindow, first run.

`run_gui` shows the window before anything slow happens: spaCy is imported only
by the background pre-annotation job, never on the way to the first paint.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.errors import first_line, install_excepthook, user_errors

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
            model: str | None = None, seeds: Path | None = None, read_only: bool = False) -> int:
    """Open the window on the store; returns the exit status."""
    app = application()
    install_excepthook()
    try:
        session = open_session(db_path, schema_path, read_only=read_only)
    except user_errors() as exc:
        QMessageBox.critical(None, "Arcmark — cannot open the store", first_line(exc))
        return 1
    from ui.main_window import MainWindow

    window = MainWindow(session, model=model, seeds=seeds)
    window.show()
    if session.store.backup_path:
        window.say(f"The store was upgraded; the previous version is kept in "
                   f"{session.store.backup_path}")
    QTimer.singleShot(0, window.start_first_run)
    try:
        return int(app.exec())
    finally:
        window.runner.cancel()
        window.runner.wait(15_000)
        # destroy the window (and its timers) before the store it reads is closed
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        session.store.close()


def open_session(db_path: Path | None, schema_path: Path | None,  # type: ignore[no-untyped-def]
                 read_only: bool = False):
    """Store → Session; raises ArcmarkError / StoreError with a one-line message."""
    from annotate.schema import load_schema
    from annotate.session import Session
    from storage.store import Store, default_store_path

    store = Store(db_path or default_store_path(), read_only=read_only,
                  create=not read_only)
    try:
        schema = load_schema(schema_path) if schema_path else None
        return Session(store, schema=schema)
    except BaseException:
        store.close()
        raise


