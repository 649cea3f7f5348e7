"""Make docs/screenshot.png: the real window under a virtual X server.

    python -m tools.screenshot [--out docs/screenshot.png] [--wait 8]

On a temporary store it imports the article(s) in seeds/, pre-annotates them
with the spaCy model and reviews the first paragraphs the way an analyst would
(accepting, rejecting and relabelling suggestions, linking a few entities), so
the picture shows every kind of highlight. Then it runs `main.py gui` under Xvfb
and saves the window. It uses ../shared/tools/screenshot when that helper exists,
else Xvfb, xdotool and ImageMagick's `import` directly.
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

# (entity text, what the analyst does: "reject" or the right label)
REVIEW = [
    ("New Alliance", "reject"),
    ("19.01.2017", "DATE"),
    ("al-Bab", "GPE"),
    ("Aleppo", "GPE"),
    ("F-16s", "PRODUCT"),
    ("F-4s", "PRODUCT"),
]
RELATIONS = [  # (head text, tail text, label), first mentions after the title block
    ("Russian", "Islamic State", "FIGHTS_AGAINST"),
    ("Turkish", "Islamic State", "FIGHTS_AGAINST"),
    ("Sergei Rudskoi", "the Main Operations Directorate", "MEMBER_OF"),
    ("Russia", "Turkey", "ALLY_OF"),
    ("al-Bab", "Aleppo", "LOCATED_IN"),
]
ACCEPT_UNTIL = 1200  # code point: the analyst has reviewed the text up to here


def prepare_store(db: Path) -> None:
    """Import the seeds, pre-annotate them and review the start of the first article."""
    sys.path.insert(0, str(ROOT))
    from annotate.corpus_io import import_path
    from annotate.preannotate import preannotate
    from annotate.session import Session
    from storage.store import Store

    session = Session(Store(db), annotator="analyst")
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        import_path(session, seed)
    preannotate(session)
    doc_id = session.documents()[0].id
    _review(session, doc_id)
    session.set_document_status(doc_id, "in_progress")
    session.store.close()


def _review(session, doc_id: int) -> None:  # type: ignore[no-untyped-def]
    def first(text: str, after: int = 260):  # type: ignore[no-untyped-def]
        return next((e for e in session.entities(doc_id) if e.text == text and e.start >= after),
                    None)

    for text, what in REVIEW:
        for entity in [e for e in session.entities(doc_id) if e.text == text]:
            if what == "reject":
                session.reject_entity(entity.id)
            elif entity.label != what:
                session.relabel_entity(entity.id, what)
    for entity in session.entities(doc_id):
        if entity.status == "suggested" and entity.end <= ACCEPT_UNTIL:
            session.accept_entity(entity.id)
    for head_text, tail_text, label in RELATIONS:
        head = first(head_text)
        tail = first(tail_text, after=head.start if head else 0)
        if head is not None and tail is not None:
            try:
                session.add_relation(head.id, tail.id, label)
            except Exception as exc:  # noqa: BLE001 - a picture without one arc is still fine
                print(f"screenshot: skipped {head_text} {label} {tail_text}: {exc}", file=sys.stderr)


def capture(db: Path, out: Path, wait: float, env: dict[str, str]) -> None:
    command = [sys.executable, str(ROOT / "main.py"), "gui", "--db", str(db)]
    if SHARED_TOOL.exists():
        subprocess.run([str(SHARED_TOOL), str(out), "--wait", str(wait), "--", *command],
                       env=env, check=True)
        return
    _capture_with_xvfb(command, out, wait, env)


def _capture_with_xvfb(command: list[str], out: Path, wait: float, env: dict[str, str]) -> None:
    missing = [tool for tool in ("Xvfb", "xdotool", "import") if shutil.which(tool) is None]
    if missing:
        sys.exit("screenshot: needs " + ", ".join(missing) +
                 " (Debian/Ubuntu: apt-get install xvfb xdotool imagemagick)")
    display = f":{150 + os.getpid() % 300}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", SCREEN],
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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="arcmark-shot-") as tmp:
        db = Path(tmp) / "corpus.db"
        prepare_store(db)
        # fresh settings and user folders: the picture shows the default layout
        env = {**os.environ, "XDG_CONFIG_HOME": f"{tmp}/config", "XDG_DATA_HOME": f"{tmp}/data"}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        capture(db, args.out.resolve(), args.wait, env)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
