"""The window and a troubled store: read-only banner, a locked store, no tracebacks."""
from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from annotate.model import DocumentRecord
from annotate.session import Session
from storage.store import Store
from ui.shell.main_window import MainWindow

TEXT = "Russia and Turkey met in Ankara."


def _dialogs() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_read_only_store_opens_with_a_banner_and_no_edits(qtbot, db_path):
    with Store(db_path) as store:
        Session(store).import_records([DocumentRecord(text=TEXT)])
    store = Store(db_path, read_only=True)
    win = MainWindow(Session(store))
    qtbot.addWidget(win)
    win.show()
    banner = win.findChild(QLabel, "readOnlyBanner")
    assert banner is not None and banner.isVisible() and "Read-only" in banner.text()
    assert win.view.text() == TEXT  # reading works
    a = win.actions
    assert not any(x.isEnabled() for x in (a.accept_all, a.import_files, a.undo,
                                            *a.label_actions.values()))
    assert win.start_first_run() is False
    win.close()
    store.close()


def test_a_store_locked_too_long_is_a_clear_message_not_a_traceback(qtbot, db_path, monkeypatch):
    store = Store(db_path, busy_timeout=0.2)
    session = Session(store, annotator="tester")
    doc = session.import_records([DocumentRecord(text=TEXT)]).documents_added[0]
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(QMessageBox, "open", lambda box: shown.append(box.text()))
    other = sqlite3.connect(db_path)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        change = win.perform(lambda: session.add_entity(doc, 0, 6, "GPE"))
    finally:
        other.rollback()
        other.close()
    assert change is None
    assert win.status.save_state() == "Not saved"
    texts = shown + [d.text() for d in _dialogs()]
    assert any("busy" in t for t in texts), texts
    assert session.entities(doc) == []
    assert win.perform(lambda: session.add_entity(doc, 0, 6, "GPE")) is not None  # lock gone
    assert win.status.save_state() == "All changes saved"
    win.close()
    store.close()
