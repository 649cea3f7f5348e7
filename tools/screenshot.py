"""Make docs/screenshot.png: the real window under a virtual X server.

    python -m tools.screenshot [--out docs/screenshot.png] [--wait 8] [--size 1024x700]
                               [--view graph]

On a temporary store it imports the worked example (seeds/example/: the seed
article reviewed, with its relations), so the picture shows highlights and arcs.
Then it runs `main.py gui` under Xvfb and saves the window. It uses ../shared/tools/screenshot when that helper exists,
else Xvfb, xdotool and ImageMagick's `import` directly. `--size` sets the window's size
(`ARCMARK_WINDOW_SIZE`; a screen larger than the helper's is then made here), `--view`
opens a corpus view first (`ARCMARK_START_VIEW`: graph, statistics, search:QUERY).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_TOOL = ROOT.parent / "shared" / "tools" / "screenshot"
SCREEN = "1600x1000x24"

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"


def prepare_store(db: Path) -> None:
    """A store holding the worked example: the seed article reviewed, with its relations."""
    sys.path.insert(0, str(ROOT))
    from annotate.corpus_io import import_path
    from annotate.session import Session
    from storage.store import Store

    session = Session(Store(db), annotator="analyst")
    report = import_path(session, EXAMPLE)
    if report.errors:
        sys.exit("screenshot: " + "; ".join(report.errors))
    session.store.close()


def capture(db: Path, out: Path, wait: float, env: dict[str, str], screen: str = SCREEN) -> None:
    command = [sys.executable, str(ROOT / "main.py"), "gui", "--db", str(db)]
    if SHARED_TOOL.exists() and screen == SCREEN:
        subprocess.run([str(SHARED_TOOL), str(out), "--wait", str(wait), "--", *command],
                       env=env, check=True)
        return
    _capture_with_xvfb(command, out, wait, env, screen)


def _capture_with_xvfb(command: list[str], out: Path, wait: float, env: dict[str, str],
                       screen: str = SCREEN) -> None:
    missing = [tool for tool in ("Xvfb", "xdotool", "import") if shutil.which(tool) is None]
    if missing:
        sys.exit("screenshot: needs " + ", ".join(missing) +
                 " (Debian/Ubuntu: apt-get install xvfb xdotool imagemagick)")
    display = f":{150 + os.getpid() % 300}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", screen],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    app = None
    try:
        time.sleep(1)
        app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        window = _wait_for_window(display, app)
        time.sleep(wait)
        subprocess.run(["import", "-window", window, str(out)], env=env, check=True)
    finally:
        if app is not None:
            app.terminate()
            app.wait(10)
        xvfb.terminate()
        xvfb.wait(10)


def _wait_for_window(display: str, app: subprocess.Popen) -> str:
    env = {**os.environ, "DISPLAY": display}
    for _ in range(120):
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Arcmark"],
                               env=env, capture_output=True, text=True)
        if found.stdout.strip():
            return found.stdout.split()[0]
        if app.poll() is not None:
            sys.exit("screenshot: the app exited before its window appeared:\n" +
                     (app.stderr.read().decode(errors="replace") if app.stderr else ""))
        time.sleep(1)
    sys.exit("screenshot: no Arcmark window appeared within 120 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--wait", type=float, default=8.0,
                        help="seconds to wait after the window appears")
    parser.add_argument("--size", help="the window's size, WIDTHxHEIGHT (default: the screen's)")
    parser.add_argument("--view", help="a corpus view to open first: graph, statistics, search:Q")
    args = parser.parse_args(argv)
    screen = SCREEN
    extra = {}
    if args.size:
        width, height = (int(n) for n in args.size.lower().split("x"))
        extra["ARCMARK_WINDOW_SIZE"] = f"{width}x{height}"
        if width > 1600 or height > 1000:
            screen = f"{width}x{height}x24"
    if args.view:
        extra["ARCMARK_START_VIEW"] = args.view
    with tempfile.TemporaryDirectory(prefix="arcmark-shot-") as tmp:
        db = Path(tmp) / "corpus.db"
        prepare_store(db)
        # fresh settings and user folders: the picture shows the default layout
        env = {**os.environ, "XDG_CONFIG_HOME": f"{tmp}/config", "XDG_DATA_HOME": f"{tmp}/data",
               **extra}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        capture(db, args.out.resolve(), args.wait, env, screen)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
