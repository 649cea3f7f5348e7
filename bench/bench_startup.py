"""Start-up: `main.py gui` until its window is painted, against a bare PySide6 QMainWindow.

    python -m bench.bench_startup

Both are new processes on the offscreen platform, timed from spawn until the line
`ARCMARK_SHOWN` appears on their stdout, printed once the main window's first
paint is done (then they quit). The app prints it itself when run with
ARCMARK_EXIT_WHEN_SHOWN=1; if it has no such hook, the same paint probe the bare
script uses is installed around `main.py`. The store is pre-seeded (the seed
article with its entities, as after the first run), so first-run seeding is not
counted; the settings folder is new, so the window opens with its default layout.
Target: at most 2x the bare window's time.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._util import (
    PROBE, PYTHON, ROOT, at_most, child_env, gui_command, info, interleaved, make_store, median,
    say, until_shown,
)

BARE = PROBE + """
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1280, 800)
window.show()
sys.exit(app.exec())
"""


def seed_store(path: Path) -> None:
    seed = next((ROOT / "seeds").glob("*.txt"))
    text = seed.read_text(encoding="utf-8")
    make_store(path, [(seed.stem, text)], entities=60, relations=5)


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        store = tmp / "seeded.db"
        seed_store(store)
        app_args, extra, how = gui_command(store)
        env = child_env(tmp, **extra)
        bare_env = child_env(tmp)
        until_shown(app_args, env)  # compiles the bytecode of both once, outside the clock
        until_shown([PYTHON, "-c", BARE], bare_env)
        say(f"startup: main.py gui measured with {how}")
        documents: list[float] = []
        times = interleaved({
            "bare QMainWindow": lambda: until_shown([PYTHON, "-c", BARE], bare_env)[0],
            "main.py gui": lambda: until_shown(app_args, env, documents=documents)[0],
        }, repeats=5, log=say)
    bare, app = (median(times[k]) for k in times)
    return [
        info("startup: bare PySide6 QMainWindow painted", bare * 1e3, "ms"),
        info("startup: main.py gui window painted", app * 1e3, "ms", f"measured with {how}"),
        at_most("startup: main.py gui / bare window", app / bare, "x", 2.0),
        info("startup: main.py gui, the opened document painted too", median(documents) * 1e3,
             "ms", "the store opens after the first frame; the document list and the "
                   "document follow"),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
