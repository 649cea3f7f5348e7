"""Memory: peak RSS of `main.py gui` with a 1 MB document open, against a bare window.

    python -m bench.bench_memory

The store holds one news-like document of 1 MB with 30,000 entities and 200
relations; the window opens it at start-up. The bare side is a PySide6
QMainWindow whose central QPlainTextEdit holds the same text. Both processes quit
once their window's first frame is painted (see bench_startup), and their peak
resident set size is read from the kernel (`wait4` rusage, ru_maxrss).
Target: the app under 2x the bare window.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._util import (
    PROBE, PYTHON, ROOT, at_most, child_env, gui_command, info, make_store, median,
    news_documents, say, until_shown,
)

ENTITIES = 30_000
RELATIONS = 200

BARE = PROBE + """
from PySide6.QtWidgets import QPlainTextEdit
text = open(sys.argv[1], encoding="utf-8").read()
app = QApplication(sys.argv[:1])
window = QMainWindow()
editor = QPlainTextEdit()
editor.setReadOnly(True)
editor.setPlainText(text)
window.setCentralWidget(editor)
window.resize(1280, 800)
window.show()
sys.exit(app.exec())
"""


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    ((title, text),) = news_documents(count=1, seed=9, min_chars=1_000_000,
                                      max_chars=1_000_000)
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        store, text_file = tmp / "long.db", tmp / "long.txt"
        text_file.write_text(text, encoding="utf-8")
        make_store(store, [(title, text)], entities=ENTITIES, relations=RELATIONS)
        app_args, extra, how = gui_command(store)
        env, bare_env = child_env(tmp, **extra), child_env(tmp)
        bare_args = [PYTHON, "-c", BARE, str(text_file)]
        say(f"memory: {len(text):,} characters, {ENTITIES:,} entities; main.py gui with {how}")
        rss: dict[str, list[int]] = {"bare": [], "app": []}
        for n in range(3):
            rss["bare"].append(until_shown(bare_args, bare_env)[1])
            rss["app"].append(until_shown(app_args, env)[1])
            say(f"  round {n + 1}: bare {rss['bare'][-1] / 1024:.0f} MiB, "
                f"app {rss['app'][-1] / 1024:.0f} MiB")
    bare, app = median(rss["bare"]) / 1024, median(rss["app"]) / 1024
    return [
        info("memory: bare QMainWindow + QPlainTextEdit, 1 MB text", bare, "MiB"),
        info("memory: main.py gui, 1 MB document with 30,000 entities", app, "MiB",
             f"measured with {how}"),
        at_most("memory: main.py gui / bare window", app / bare, "x", 2.0, strict=True),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
