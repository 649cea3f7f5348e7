"""bench_scale's measurements inside one window on a large store (run as its own process).

    python bench/scale_window.py STORE

Prints one JSON line: the document list's fill time, the scroll frames' p95, each
filter and search against its raw query (ms, medians of interleaved rounds), and the
longest event-loop stall while the Graph and Statistics tabs are opened.
"""
from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROUNDS = 3
SEARCH = "Turkey"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def wait_until(app: QApplication, done: Callable[[], bool], timeout: float = 600) -> float:
    """Seconds until `done()`, the event loop running meanwhile."""
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > timeout:
            raise RuntimeError("timed out")
        app.processEvents()
        time.sleep(0.0005)
    return time.perf_counter() - started


class StallProbe:
    """A timer that should fire every millisecond: the longest gap between two of its
    ticks is the longest the event loop was kept from running."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.longest = 0

    def _tick(self) -> None:
        self.longest = max(self.longest, self.clock.restart())

    def start(self) -> None:
        self.longest = 0
        self.clock.start()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        return max(self.longest, self.clock.elapsed())


def main(db: Path) -> None:
    from ui.shell.app import application, open_session
    from ui.shell.main_window import MainWindow
    from ui.shell.window_frame import GRAPH_TAB, STATS_TAB

    app = application()
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    started = time.perf_counter()
    window.attach(open_session(db, None, read_only=True))
    panel = window.documents
    list_s = time.perf_counter() - started + wait_until(app, lambda: panel.proxy.rowCount() > 0)
    say(f"list filled after {list_s * 1e3:.0f} ms ({panel.proxy.rowCount():,} rows)")
    out = {"list_ms": list_s * 1e3, "scroll_p95_ms": scroll_p95(app, panel),
           "filters": filters(app, window, db), "stalls": {}, "drawn": {}}
    corpus = window.corpus_ui
    probe = StallProbe()
    for name, tab, ready in (("the Graph tab", GRAPH_TAB, "graph"),
                             ("the Statistics tab", STATS_TAB, "stats")):
        shown: list[bool] = []
        probe.start()
        began = time.perf_counter()
        window.tabs.setCurrentIndex(tab)
        getattr(corpus, ready)  # built on the switch
        signal = corpus.graph.drawn if ready == "graph" else corpus.stats.counted
        signal.connect(lambda: shown.append(True))
        # until drawn (the graph is drawn a slice per turn of the loop after it was read),
        # or the read failed
        wait_until(app, lambda: bool(shown) or "Cannot read" in corpus.graph.info.text())
        out["drawn"][name] = (time.perf_counter() - began) * 1e3
        out["stalls"][name] = probe.stop()
        say(f"{name}: drawn after {out['drawn'][name]:.0f} ms, longest stall "
            f"{out['stalls'][name]} ms")
    window.close()
    print(json.dumps(out))


def scroll_p95(app: QApplication, panel) -> float:  # type: ignore[no-untyped-def]
    table = panel.table
    bar = table.verticalScrollBar()
    frames = []
    for i in range(300):
        bar.setValue((i * 997 * bar.pageStep()) % max(1, bar.maximum()))
        started = time.perf_counter()
        table.viewport().repaint()
        frames.append(time.perf_counter() - started)
        app.processEvents()
    frames.sort()
    return frames[int(len(frames) * 0.95)] * 1e3


def filters(app: QApplication, window, db: Path) -> dict[str, tuple[float, float]]:  # type: ignore[no-untyped-def]
    """name -> (ours ms, raw ms), medians of interleaved rounds."""
    from annotate.search import fts_query

    panel, bar = window.documents, window.corpus_ui.filters
    raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    resets: list[Callable[[], None]] = []

    def listed(change: Callable[[], None], reset: Callable[[], None]) -> Callable[[], float]:
        resets.append(reset)

        def run() -> float:
            reset()
            wait_until(app, lambda: not window.reader.busy())
            before = panel.proxy.rowCount()
            seen: list[bool] = []

            def mark() -> None:
                seen.append(True)

            panel.proxy.modelReset.connect(mark)
            started = time.perf_counter()
            change()
            wait_until(app, lambda: bool(seen) and not window.reader.busy())
            app.processEvents()  # the list painted with its new rows
            seconds = time.perf_counter() - started
            panel.proxy.modelReset.disconnect(mark)
            if panel.proxy.rowCount() == before:
                say("  (the filter left the list as it was)")
            return seconds
        return run

    def query(sql: str, *params: object) -> Callable[[], float]:
        def run() -> float:
            started = time.perf_counter()
            raw.execute(sql, params).fetchall()
            return time.perf_counter() - started
        return run

    def combo(widget, value: str | None) -> Callable[[], None]:  # type: ignore[no-untyped-def]
        return lambda: widget.setCurrentIndex(max(0, widget.findData(value)))

    def search_run() -> float:
        corpus = window.corpus_ui
        corpus.search_panel.show_results(None)
        shown = []
        started = time.perf_counter()
        corpus.search_panel.edit.setText(SEARCH)
        original = corpus.search_panel.show_results

        def record(results, error: str = "") -> None:  # type: ignore[no-untyped-def]
            original(results, error)
            shown.append(True)

        corpus.search_panel.show_results = record  # type: ignore[method-assign]
        corpus.run_search(SEARCH)
        wait_until(app, lambda: bool(shown))
        corpus.search_panel.show_results = original  # type: ignore[method-assign]
        return time.perf_counter() - started

    from bench.bench_search import _raw_search

    match = fts_query(SEARCH)
    cases = {
        "filter: status done": (
            listed(combo(panel.status_combo, "done"), combo(panel.status_combo, None)),
            query("SELECT id FROM documents WHERE status = ? ORDER BY id", "done")),
        "filter: title contains 'russia'": (
            listed(lambda: panel.filter_edit.setText("russia"),
                   lambda: panel.filter_edit.setText("")),
            query("SELECT id FROM documents WHERE instr(lower(title), ?) ORDER BY id", "russia")),
        "filter: entity label PERSON": (
            listed(combo(bar.entity_label, "PERSON"), combo(bar.entity_label, None)),
            query("SELECT DISTINCT doc_id FROM entities WHERE label = ? AND status != 'rejected'",
                  "PERSON")),
        "filter: relation label ALLY_OF": (
            listed(combo(bar.relation_label, "ALLY_OF"), combo(bar.relation_label, None)),
            query("SELECT DISTINCT doc_id FROM relations WHERE label = ?"
                  " AND status != 'rejected'", "ALLY_OF")),
        "filter: annotator": (
            listed(combo(bar.annotator, "bench"), combo(bar.annotator, None)),
            query("SELECT doc_id FROM entities WHERE annotator = ? UNION SELECT doc_id FROM"
                  " relations WHERE annotator = ?", "bench", "bench")),
        "filter: entity 'Russia'": (
            listed(lambda: (bar.entity_edit.setText("Russia"), bar.reapply()),
                   lambda: (bar.entity_edit.setText(""), bar.reapply())),
            query("SELECT DISTINCT e.doc_id FROM entities_fts JOIN entities e"
                  " ON e.id = entities_fts.rowid WHERE entities_fts MATCH ?"
                  " AND e.status != 'rejected'", f"text : ({fts_query('Russia')})")),
        "search 'Turkey'": (search_run, lambda: _timed(lambda: _raw_search(raw, match))),
    }
    out = {}
    for name, (ours, theirs) in cases.items():
        a, b = [], []
        for _ in range(ROUNDS):
            a.append(ours())
            b.append(theirs())
        for reset in resets:  # each filter is measured alone: the next starts unfiltered
            reset()
        wait_until(app, lambda: not window.reader.busy())
        out[name] = (statistics.median(a) * 1e3, statistics.median(b) * 1e3)
        say(f"{name}: {out[name][0]:.1f} ms against raw {out[name][1]:.1f} ms")
    raw.close()
    return out


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    main(Path(sys.argv[1]))
