"""Starting the application: first run, bad stores, the exception hook, remembered layout."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from annotate.model import DocumentRecord
from ui.shell import errors
from ui.shell.app import run_gui
from ui.shell.main_window import MainWindow

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _main_window() -> MainWindow | None:
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, MainWindow) and w.isVisible()), None)


def test_first_run_imports_the_seed_and_shows_it_highlighted(qapp, db_path):
    """An empty store: the window opens at once, then the seed article appears highlighted."""
    seen: dict[str, object] = {}

    def poll() -> None:
        window = _main_window()
        if window is None:
            return
        if window.view.spans() and not window.runner.busy:
            seen["title"] = window.windowTitle()
            seen["spans"] = list(window.view.spans().values())
            seen["text"] = window.view.text()
            seen["documents"] = window.documents.model.ids()
            window.close()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(50)
    QTimer.singleShot(120_000, QApplication.closeAllWindows)
    status = run_gui(db_path=db_path, seeds=SEEDS)
    timer.stop()
    assert status == 0
    assert "Turkey fights alongside Russia and Iran" in str(seen["title"])
    assert "Arcmark" in str(seen["title"])
    assert len(seen["documents"]) == 1
    spans = seen["spans"]
    assert len(spans) > 50 and {s.status for s in spans} == {"suggested"}
    text = str(seen["text"])
    assert any(text[s.start:s.end] == "Russia" and s.label == "GPE" for s in spans)


def test_a_store_that_is_not_a_database_is_a_message_and_exit_1(qapp, tmp_path, monkeypatch):
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not a database" * 100)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    assert run_gui(db_path=bad, seeds=SEEDS) == 1
    assert len(shown) == 1 and "not an Arcmark store" in shown[0] and "\n" not in shown[0]


def test_unhandled_exception_is_logged_and_shown_and_the_app_goes_on(qtbot):
    try:
        raise ValueError("an unexpected bug")
    except ValueError:
        errors._excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: any(w.objectName() == "bugBox" and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "bugBox")
    assert "an unexpected bug" in box.text() and str(errors.log_path()) in box.informativeText()
    box.close()
    log = errors.log_path().read_text(encoding="utf-8")
    assert "ValueError: an unexpected bug" in log and "Traceback" in log


def test_layout_and_view_choices_are_remembered(qtbot, session):
    session.import_records([DocumentRecord(text="Russia and Turkey.", title="R")])
    first = MainWindow(session)
    qtbot.addWidget(first)
    first.show()
    first.palette.set_hidden("DATE", True)
    first.actions.show_rejected.setChecked(True)
    first.close()
    assert QSettings("Arcmark", "Arcmark").value("window/geometry") is not None
    second = MainWindow(session)
    qtbot.addWidget(second)
    assert second.palette.hidden_labels() == {"DATE"}
    assert second.view.hidden_labels() == {"DATE"}
    assert second.actions.show_rejected.isChecked()
    second.palette.set_hidden("DATE", False)
    second.actions.show_rejected.setChecked(False)


def test_the_window_is_visible_before_spacy_is_imported(tmp_path):
    """spaCy is imported by the first pre-annotation job, never on the way to the window."""
    import subprocess

    code = (
        "import sys; from pathlib import Path\n"
        "from ui.shell.app import application, open_session\n"
        "app = application()\n"
        "from ui.shell.main_window import MainWindow\n"
        f"w = MainWindow(open_session(Path({str(tmp_path / 'x.db')!r}), None), seeds=Path('seeds'))\n"
        "w.show(); app.processEvents()\n"
        "print(w.isVisible(), 'spacy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=SEEDS.parent, capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.split() == ["True", "False"], out.stderr
