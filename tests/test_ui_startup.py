"""Start-up: the window's frame paints first, the store's documents follow at once; the
corpus panels are built when first shown; a plain `main.py gui` reads its options as click
would."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

import main
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from tests.conftest import ROOT
import ui.shell.app
import ui.shell.errors
from ui.shell.app import run_gui
from ui.shell.main_window import MainWindow

SEEDS = ROOT / "seeds"
MENUS = ["&File", "&Edit", "E&ntity", "&Relation", "&Document", "&Annotate", "&View", "&Help"]
DOCKS = {"documentDock", "entityDock", "paletteDock", "relationDock", "inspectorDock",
         "searchDock"}
TEXT = "Russia and Turkey met in Ankara."


def _one_document(session, title: str = "Ankara talks") -> int:
    record = DocumentRecord(text=TEXT, title=title,
                            entities=(EntityRecord(0, 6, "GPE"), EntityRecord(11, 17, "GPE")),
                            relations=(RelationRecord(0, 1, "MEETS_WITH", False),))
    return session.import_records([record]).documents_added[0]


class _FirstPaint(QObject):
    """Notes what the main window looks like when it is first painted."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, object] = {}
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (not self.seen and event.type() == QEvent.Type.Paint and watched.isWidgetType()
                and isinstance(watched.window(), MainWindow)):
            window = watched.window()
            self.seen = {
                "title": window.windowTitle(),
                "attached": window.session is not None,
                "menus": [a.text() for a in window.menuBar().actions()],
                "docks": {d.objectName() for d in window.findChildren(QDockWidget)
                          if d.isVisible()},
                "tabs": [window.tabs.tabText(i) for i in range(window.tabs.count())],
            }
            QApplication.instance().removeEventFilter(self)
        return False


def test_the_frame_paints_before_the_store_opens_and_the_document_follows(qapp, session,
                                                                           db_path):
    """First paint: the real window (title, every menu, every panel, the tabs) before the
    store is read; then the document list and the open document, without any input."""
    _one_document(session)
    session.store.close()
    probe = _FirstPaint()
    seen: dict[str, object] = {}

    def poll() -> None:
        window = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is not None and window.session is not None and window.view.text():
            seen.update(title=window.windowTitle(), text=window.view.text(),
                        documents=window.documents.visible_ids(),
                        entities=window.table.source.rowCount())
            window.close()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(20)
    QTimer.singleShot(60_000, QApplication.closeAllWindows)
    assert run_gui(db_path=db_path, seeds=SEEDS) == 0
    timer.stop()
    first = probe.seen
    assert first["attached"] is False and first["title"] == "Arcmark"
    assert first["menus"] == MENUS
    assert first["docks"] == DOCKS
    assert first["tabs"] == ["Document", "Graph", "Statistics"]
    assert seen["title"] == "Ankara talks — Arcmark" and seen["text"] == TEXT
    assert len(seen["documents"]) == 1 and seen["entities"] == 2


def test_a_read_only_store_gets_its_banner_once_the_store_is_open(qapp, session, db_path):
    """The read-only banner and disabled editing arrive with the store, after the frame."""
    from PySide6.QtWidgets import QLabel

    _one_document(session)
    session.store.close()
    seen: dict[str, object] = {}

    def poll() -> None:
        window = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is not None and window.session is not None:
            banner = window.findChild(QLabel, "readOnlyBanner")
            seen.update(banner=banner is not None and banner.isVisible(),
                        text=window.view.text(), import_on=window.actions.import_files.isEnabled())
            window.close()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(20)
    QTimer.singleShot(60_000, QApplication.closeAllWindows)
    assert run_gui(db_path=db_path, seeds=SEEDS, read_only=True) == 0
    timer.stop()
    assert seen == {"banner": True, "text": TEXT, "import_on": False}


def test_the_first_frame_loads_neither_the_store_module_nor_spacy(tmp_path, session, db_path):
    """sqlite-utils, the session and the heavier widget modules load after the window is
    shown, spaCy and networkx not even for its content."""
    _one_document(session)
    session.store.close()
    code = f"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import ui.shell.app

loaded = {{}}
WATCH = ("sqlite_utils", "storage.store", "annotate.session", "ui.document.document_view",
         "ui.corpus.corpus_ui", "spacy", "networkx")

class Probe(QObject):
    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.Show and isinstance(obj, QMainWindow)
                and "shown" not in loaded):
            loaded["shown"] = [m for m in WATCH if m in sys.modules]
        if (event.type() == QEvent.Type.Paint and obj.isWidgetType()
                and isinstance(obj.window(), QMainWindow)):
            window = obj.window()
            key = "content" if window.session is not None else "frame"
            if key not in loaded:
                loaded[key] = [m for m in WATCH if m in sys.modules]
            if key == "content":
                QTimer.singleShot(0, window.close)
        return False

probe = Probe()
QApplication.instance() or ui.shell.app.application()
QApplication.instance().installEventFilter(probe)
status = ui.shell.app.run_gui(db_path=Path({str(db_path)!r}))
print(json.dumps({{"status": status, **loaded}}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"})
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 0, out.stderr
    # the window is shown before any of them is imported; they load while the first frame
    # is painted (on another thread), so that frame may or may not find some of them
    assert result["shown"] == []
    assert not {"spacy", "networkx"} & set(result["frame"])
    assert {"sqlite_utils", "annotate.session", "ui.document.document_view"} <= set(result["content"])
    assert "spacy" not in result["content"] and "networkx" not in result["content"]


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


def test_a_store_that_cannot_be_opened_is_a_dialog_over_the_frame_then_exit_1(qapp, tmp_path,
                                                                              monkeypatch):
    """A damaged store is one line in a dialog over the frame, then exit status 1."""
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not a database" * 100)
    shown: list[tuple[object, str]] = []

    def critical(parent, _title, text):  # type: ignore[no-untyped-def]
        shown.append((parent, text))

    monkeypatch.setattr(QMessageBox, "critical", critical)
    assert run_gui(db_path=bad, seeds=SEEDS) == 1
    assert len(shown) == 1
    parent, text = shown[0]
    assert isinstance(parent, MainWindow) and parent.session is None
    assert "not an Arcmark store" in text and "\n" not in text


def test_an_unexpected_failure_while_filling_the_window_is_logged_then_exit_1(
        qapp, tmp_path, monkeypatch, session, db_path):
    """Not a user's mistake (a bug, say): logged with its traceback, one line in a dialog
    over the frame, the store closed, exit status 1 - never a frame that waits forever."""
    _one_document(session)
    session.store.close()
    shown: list[str] = []
    stores: list[object] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    real_open = ui.shell.app.open_session

    def open_session(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened = real_open(*args, **kwargs)
        stores.append(opened.store)
        return opened

    def broken_attach(self, _session):  # type: ignore[no-untyped-def]
        raise RuntimeError("the view could not be built")

    monkeypatch.setattr(ui.shell.app, "open_session", open_session)
    monkeypatch.setattr(MainWindow, "attach", broken_attach)
    assert run_gui(db_path=db_path, seeds=SEEDS) == 1
    assert len(shown) == 1 and shown[0].startswith("Something went wrong: the view could not")
    log = ui.shell.errors.log_path()
    assert "RuntimeError: the view could not be built" in log.read_text(encoding="utf-8")
    (store,) = stores
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        store.db.execute("SELECT 1")


def test_corpus_panels_are_built_when_first_shown_and_then_work(qtbot, session):
    """The graph, statistics and search panels are built on first show and work then."""
    _one_document(session)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    corpus = window.corpus_ui
    assert (corpus._graph, corpus._stats, corpus._search_panel) == (None, None, None)
    corpus.actions["statistics"].trigger()
    assert corpus._stats is not None and corpus.stats.isVisible()
    assert corpus._graph is None
    corpus.actions["graph"].trigger()
    qtbot.waitUntil(lambda: bool(corpus.graph.view.graph_scene.node_items), timeout=5000)
    assert corpus.graph.isVisible() and corpus.graph.width() > 200
    corpus.actions["document"].trigger()
    window.search_dock.raise_()  # clicking its tab builds the panel
    qtbot.waitUntil(lambda: corpus._search_panel is not None, timeout=3000)
    corpus.run_search("Ankara")
    assert [h.kind for h in corpus.search_panel.hits()] == ["text"]


def test_a_saved_layout_comes_back_with_every_panel_where_it_was(qtbot, session):
    """A saved layout is restored in the first frame, every panel where it was."""
    _one_document(session)
    first = MainWindow(session)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.relation_dock.hide()
    first.search_dock.raise_()
    first.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: first.search_dock.isVisible())
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    # the frame already has the saved layout, before the store is open
    assert not second.relation_dock.isVisible()
    assert not second.search_dock.visibleRegion().isEmpty()
    assert second.document_dock.visibleRegion().isEmpty()  # behind the Search tab
    second.attach(session)
    assert second.corpus_ui._search_panel is not None  # shown, so built at once
    assert second.search_dock.widget() is second.corpus_ui.search_panel
    assert second.documents.visible_ids() and second.view.text() == TEXT


@pytest.mark.parametrize("args", [
    [], ["gui"], ["--db", "x.db"], ["gui", "--db", "x.db"], ["gui", "--read-only"],
    ["gui", "--db", "x.db", "--read-only", "--model", "m"], ["--model", "m", "--db", "x.db"],
])
@pytest.mark.parametrize("env_db", [None, "from-env.db"])
def test_a_plain_window_start_reads_its_options_as_click_does(args, env_db, monkeypatch):
    """`main.py [gui] ...` skips loading click only where it would get the same options."""
    import ui.shell.app

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(ui.shell.app, "run_gui", lambda **kwargs: calls.append(kwargs) or 0)
    env = {"ARCMARK_DB": env_db} if env_db else {}
    if env_db:
        monkeypatch.setenv("ARCMARK_DB", env_db)
    result = CliRunner().invoke(main.cli, args, env=env)
    assert result.exit_code == 0, result.output
    by_click = {k: calls[0][k] for k in ("db_path", "model", "read_only")}
    assert main.plain_gui_options(args, env) == by_click


@pytest.mark.parametrize("args", [
    ["--read-only"], ["gui", "--db"], ["--db=x.db"], ["gui", "--help"], ["gui", "--db", ""],
    ["gui", "--schema", "s.toml"], ["import", "x.txt"], ["gui", "--db", "a", "--db", "b"],
    ["--db", "x.db", "gui"], ["gui", "extra"],
])
def test_anything_else_on_the_command_line_goes_through_click(args):
    """Only a plain window start skips click; anything else is parsed by click as before."""
    assert main.plain_gui_options(args, {}) is None


def test_entity_columns_fit_their_words_as_soon_as_the_rows_change(qtbot):
    """Label and offset columns fit what they show, sized from those words when the rows
    change: no pass over the rows at each layout (Qt's ResizeToContents), which was a
    good part of the window's first paint."""
    from annotate.model import Entity
    from ui.document.entity_table import END, LABEL, START, EntityTableView

    table = EntityTableView()
    qtbot.addWidget(table)
    table.resize(900, 300)
    table.show()
    table.source.set_entities([Entity(1, 1, 0, 6, "GPE", "Russia"),
                               Entity(2, 1, 123_450, 123_456, "ORG", "Turkey")])
    advance = table.fontMetrics().horizontalAdvance
    header = table.horizontalHeader()
    assert header.sectionSize(START) >= advance("123450")
    assert header.sectionSize(END) >= advance("123456")
    narrow = header.sectionSize(LABEL)
    assert narrow >= advance("ORG")
    table.source.upsert([Entity(3, 1, 10, 16, "WORK_OF_ART", "Kindle")])
    assert header.sectionSize(LABEL) > narrow
    assert header.sectionSize(LABEL) >= advance("WORK_OF_ART")
    wide = header.sectionSize(LABEL)
    table.source.upsert([Entity(1, 1, 0, 6, "LANGUAGE_OF_THE_LONGEST_KIND", "Russia")])  # relabel
    assert header.sectionSize(LABEL) > wide
    assert header.sectionSize(LABEL) >= advance("LANGUAGE_OF_THE_LONGEST_KIND")


def test_the_bench_hook_marks_the_first_frame_then_quits_once_the_document_is_painted(
        tmp_path, session, db_path):
    """ARCMARK_EXIT_WHEN_SHOWN=1 (bench/): the first mark comes at the first frame, before
    the store is read, the second once the document is painted; then the process quits."""
    _one_document(session)
    session.store.close()
    code = """
import builtins, sys
from PySide6.QtWidgets import QApplication
seen = []
_print = builtins.print

def print_(*args, **kwargs):
    if args and args[0] == "ARCMARK_SHOWN":
        window = next(w for w in QApplication.topLevelWidgets()
                      if type(w).__name__ == "MainWindow")
        seen.append(window.session is None)
    return _print(*args, **kwargs)

builtins.print = print_
sys.argv = ["main.py", "gui", "--db", sys.argv[1]]
import runpy
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as exc:
    _print("exit", exc.code, "frame-only" if seen == [True] else seen)
"""
    out = subprocess.run([sys.executable, "-c", code, str(db_path)], cwd=ROOT, timeout=120,
                         capture_output=True, text=True,
                         env={**_env(tmp_path), "QT_QPA_PLATFORM": "offscreen",
                              "ARCMARK_EXIT_WHEN_SHOWN": "1"})
    lines = out.stdout.split("\n")
    assert lines[0].startswith("ARCMARK_SHOWN "), out.stderr
    assert lines[1].startswith("ARCMARK_DOCUMENTS "), out.stderr
    assert float(lines[1].split()[1]) >= float(lines[0].split()[1])
    assert lines[2] == "exit 0 frame-only", out.stderr
    settings = (tmp_path / "config" / "Arcmark" / "Arcmark.conf").read_text(encoding="utf-8")
    assert "corpus.db=1" in settings  # the document was opened before the process quit


def test_menus_and_toolbar_wait_for_the_store(qtbot, session):
    """Before the store is open the frame's commands are disabled; attaching enables them."""
    _one_document(session)
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.menuBar().isEnabled() and not window.toolbar.isEnabled()
    window.attach(session)
    assert window.menuBar().isEnabled() and window.toolbar.isEnabled()
    assert window.actions.mark_done.isEnabled()  # the opened document can be marked done


def test_the_preloaded_modules_are_all_that_opening_the_store_imports(tmp_path, session,
                                                                      db_path):
    """The modules loaded during the first paint (ui.shell.app._OPENING_MODULES) cover everything
    opening the store and filling the window import: none is left for after the paint."""
    _one_document(session)
    session.store.close()
    code = f"""
import importlib, json, sys
from pathlib import Path
import ui.shell.app
ui.shell.app.application()
from ui.shell.main_window import MainWindow
window = MainWindow()
for name in ui.shell.app._OPENING_MODULES:
    importlib.import_module(name)
before = set(sys.modules)
window.attach(ui.shell.app.open_session(Path({str(db_path)!r}), None))
ours = ("ui", "annotate", "storage", "sqlite_utils", "spacy", "networkx")
print(json.dumps(sorted(m for m in set(sys.modules) - before if m.split(".")[0] in ours)))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_corpus_views_are_imported_and_built_ahead(tmp_path, session):
    """Once the window has shown its document, the Graph and Statistics views' modules
    (numpy and networkx under them) are imported by a background thread, then their
    panels are built hidden with nothing read: the first opening of either tab neither
    imports nor builds on the GUI thread, and still reads what the store holds then."""
    _one_document(session)
    code = """
import sys, threading, time
from ui.shell.app import application, open_session
from ui.shell.main_window import MainWindow
from ui.shell import warmup
from ui.shell.window_frame import GRAPH_TAB

app = application()
window = MainWindow()
window.show()
window.attach(open_session(sys.argv[1], None))
importers = set()
real_import = warmup.importlib.import_module

def import_module(name):
    importers.add(threading.current_thread() is threading.main_thread())
    return real_import(name)

warmup.importlib.import_module = import_module
corpus = window.corpus_ui
before = [m for m in warmup.MODULES if m in sys.modules]
deadline = time.monotonic() + 60
while (corpus._stats is None or corpus._graph is None) and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print("before", sorted(before))
print("after", sorted(m for m in warmup.MODULES if m not in sys.modules))
print("main thread imported", sorted(importers))
print("built", corpus._stats is not None, corpus._graph is not None,
      "read", len(corpus.graph.full.nodes), corpus.tabs.currentIndex())
window.tabs.setCurrentIndex(GRAPH_TAB)
deadline = time.monotonic() + 60
while not corpus.graph.full.nodes and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print("opened", sorted(n.text for n in corpus.graph.full.nodes))
"""
    out = subprocess.run([sys.executable, "-c", code, str(session.store.path)], cwd=ROOT,
                         timeout=120, capture_output=True, text=True,
                         env={**_env(tmp_path), "QT_QPA_PLATFORM": "offscreen",
                              "ARCMARK_ANNOTATOR": "tester"})
    lines = out.stdout.splitlines()
    assert lines and lines[0].startswith("before"), out.stderr
    assert "numpy" not in lines[0] and "ui.corpus.stats_panel" not in lines[0], out.stdout
    assert lines[1] == "after []", out.stderr
    assert lines[2] == "main thread imported [False]", out.stdout
    assert lines[3] == "built True True read 0 0", out.stdout  # built, nothing read yet
    assert lines[4] == "opened ['Russia', 'Turkey']", out.stdout
