"""What the benchmarks share: the corpus, child processes, timing and result rows.

Every benchmark measures Arcmark and the raw library doing the same work in the
same run, interleaved (A, B, A, B, ...), and reports medians and their ratio, so
the figures hold on a noisy machine.
"""
from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MAIN = ROOT / "main.py"
REPEATS = int(os.environ.get("ARCMARK_BENCH_REPEATS", "3"))

# labels of the default schema, in a mix like news entities have
ENTITY_LABELS = ("GPE", "PERSON", "ORG", "NORP", "DATE", "GPE", "ORG", "CARDINAL", "LOC", "EVENT")
# relation labels of the default schema (bench relations join entities 2k and 2k+1)
RELATION_LABELS = ("ALLY_OF", "OPPOSES", "SUPPORTS", "MEETS_WITH", "FIGHTS_AGAINST")


# --- result rows ----------------------------------------------------------------------------

def row(name: str, value: float | None, unit: str, target: str | None = None,
        ok: bool | None = None, detail: str = "") -> dict[str, Any]:
    """One line of the results table; `target` like ">= 0.9" or "< 10" (None: for information)."""
    if value is not None:
        value = round(value, 3) if abs(value) < 1000 else round(value)
    out: dict[str, Any] = {"name": name, "value": value, "unit": unit, "target": target, "ok": ok}
    if detail:
        out["detail"] = detail
    return out


def at_least(name: str, value: float, unit: str, minimum: float, detail: str = "") -> dict[str, Any]:
    return row(name, value, unit, f">= {minimum:g}", value >= minimum, detail)


def at_most(name: str, value: float, unit: str, maximum: float, detail: str = "",
            strict: bool = False) -> dict[str, Any]:
    ok = value < maximum if strict else value <= maximum
    return row(name, value, unit, f"{'<' if strict else '<='} {maximum:g}", ok, detail)


def info(name: str, value: float, unit: str, detail: str = "") -> dict[str, Any]:
    return row(name, value, unit, None, None, detail)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def interleaved(sides: dict[str, Callable[[], float]], repeats: int = REPEATS,
                log: Callable[[str], object] | None = None) -> dict[str, list[float]]:
    """Run each side once per round, in turn, `repeats` rounds; each call returns seconds."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for round_no in range(repeats):
        for name, fn in sides.items():
            seconds = fn()
            times[name].append(seconds)
            if log:
                log(f"  round {round_no + 1}: {name} {seconds:.3f} s")
    return times


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- child processes -----------------------------------------------------------------------------

def child_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment that never touches the user's data folder or settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCMARK_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode is cached, as in a user's install
    env.update(extra)
    return env


def run_timed(args: Sequence[str | Path], env: dict[str, str], timeout: float = 900) -> float:
    """Wall-clock seconds of a child process, from spawn to exit; it must succeed."""
    started = time.perf_counter()
    proc = subprocess.run([str(a) for a in args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))[:200]} failed ({proc.returncode}):\n"
                           f"{proc.stderr[-2000:]}")
    return seconds


def run_script(code: str, args: Sequence[str | Path], env: dict[str, str],
               timeout: float = 900) -> float:
    return run_timed([PYTHON, "-c", code, *args], env, timeout)


# --- the corpus: news-like text made from the seed article(s) -------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?»”])\s+(?=[A-Z«“])")


def news_sentences() -> list[str]:
    """The sentences of the seed article(s)."""
    out: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for para in path.read_text(encoding="utf-8").splitlines():
            para = para.strip()
            if len(para) >= 40:
                out += [s for s in _SENTENCE_END.split(para) if len(s) > 20]
    if not out:
        raise RuntimeError("no seed article in seeds/")
    return out


def news_documents(total_chars: int = 0, *, count: int = 0, seed: int = 0,
                   min_chars: int = 3000, max_chars: int = 6000) -> list[tuple[str, str]]:
    """`count` documents, or as many as make `total_chars`, of 3-6 kB each: (title, text)
    with the sentences of the seed article(s) shuffled into paragraphs."""
    rng = random.Random(seed)
    sentences = news_sentences()
    docs: list[tuple[str, str]] = []
    size = 0
    while (len(docs) < count) if count else (size < total_chars):
        want = rng.randint(min_chars, max_chars)
        title = rng.choice(sentences).split(",")[0][:90].rstrip(" .")
        paras: list[str] = []
        length = len(title)
        while length < want:
            para = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
            paras.append(para)
            length += len(para) + 2
        text = title + "\n\n" + "\n\n".join(paras) + "\n"
        docs.append((title, text))
        size += len(text)
    return docs


_NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")
_WORD = re.compile(r"\b\w[\w’'-]*")


def entity_spans(text: str, n: int) -> list[tuple[int, int, str]]:
    """`n` non-overlapping spans in text order: capitalised names first, then other words."""
    names = [(m.start(), m.end()) for m in _NAME.finditer(text)]
    spans = names
    if len(names) < n:
        taken = {s for s, _ in names}
        words = [(m.start(), m.end()) for m in _WORD.finditer(text)
                 if m.start() not in taken and not _inside(m.start(), names)]
        step = max(1, len(words) // max(1, n - len(names)))
        spans = sorted(names + words[::step][: n - len(names)])
    else:
        step = len(names) / n
        spans = [names[int(i * step)] for i in range(n)]
    return [(s, e, ENTITY_LABELS[i % len(ENTITY_LABELS)]) for i, (s, e) in enumerate(spans[:n])]


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    import bisect

    i = bisect.bisect_right(spans, (offset, 10**12)) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence offsets as pre-annotation stores them (here by punctuation, not the model)."""
    spans, start = [], 0
    for m in re.finditer(r"[.!?»”]\s+|\n\n+", text):
        if text[start:m.start()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return tuple(spans)


def word_count(texts: Sequence[str]) -> int:
    return sum(len(t.split()) for t in texts)


# --- stores ---------------------------------------------------------------------------------------

def make_store(path: Path, documents: Sequence[tuple[str, str]], *, entities: int = 0,
               relations: int = 0) -> None:
    """A store holding `documents`, each with `entities` accepted spans and `relations`."""
    sys.path.insert(0, str(ROOT))
    from annotate.model import DocumentRecord, EntityRecord, RelationRecord
    from annotate.session import Session
    from storage.store import Store

    records = []
    for title, text in documents:
        spans = entity_spans(text, entities) if entities else []
        ents = tuple(EntityRecord(s, e, label) for s, e, label in spans)
        rels = tuple(RelationRecord(2 * k, 2 * k + 1, RELATION_LABELS[k % len(RELATION_LABELS)])
                     for k in range(min(relations, len(ents) // 2)))
        records.append(DocumentRecord(text=text, title=title, entities=ents, relations=rels,
                                      sentences=sentence_spans(text)))
    with Store(path) as store:
        Session(store, annotator="bench").import_records(records, source="bench")



# --- windows: the moment the first frame is painted ----------------------------------------------

SHOWN_MARK = "ARCMARK_SHOWN"
DOCUMENTS_MARK = "ARCMARK_DOCUMENTS"  # the app's hook: the opened document is painted
HOOK_ENV = "ARCMARK_EXIT_WHEN_SHOWN"

# Installed by the bare window scripts, and around `main.py gui` when the app has no
# ARCMARK_EXIT_WHEN_SHOWN hook of its own: after the first paint of a main window,
# print the mark and quit.
PROBE = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class _ShownProbe(QObject):
    fired = False

    def eventFilter(self, obj, event):
        if (not self.fired and event.type() == QEvent.Type.Paint and obj.isWidgetType()
                and isinstance(obj.window(), QMainWindow)):
            self.fired = True
            QTimer.singleShot(0, self.report)
        return False

    def report(self):
        print("ARCMARK_SHOWN", time.time(), flush=True)
        QApplication.instance().quit()

_probe = _ShownProbe()
_exec = QApplication.exec

def _exec_with_probe():
    QApplication.instance().installEventFilter(_probe)
    return _exec()

QApplication.exec = staticmethod(_exec_with_probe)
"""

# `python -c LAUNCHER main.py gui ...`: main.py as `python main.py gui ...` runs it, with the probe
LAUNCHER = PROBE + """
import runpy
sys.argv = sys.argv[1:]
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(sys.argv[0])))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def app_has_shown_hook() -> bool:
    """Whether the window itself honours ARCMARK_EXIT_WHEN_SHOWN=1 (else the probe is used)."""
    return any(HOOK_ENV in p.read_text(encoding="utf-8", errors="replace")
               for p in (ROOT / "ui").rglob("*.py"))


def gui_command(db: Path) -> tuple[list[str], dict[str, str], str]:
    """How to run `main.py gui` so that it exits once shown: (argv, extra env, how)."""
    if app_has_shown_hook():
        return [PYTHON, str(MAIN), "gui", "--db", str(db)], {HOOK_ENV: "1"}, "the app's hook"
    return ([PYTHON, "-c", LAUNCHER, str(MAIN), "gui", "--db", str(db)], {},
            "a paint probe around main.py (no ARCMARK_EXIT_WHEN_SHOWN hook in ui/)")


def until_shown(args: Sequence[str], env: dict[str, str], timeout: float = 120,
                documents: list[float] | None = None) -> tuple[float, int]:
    """(seconds from spawn to the SHOWN line, peak RSS in KiB of the whole process);
    with `documents`, also waits for the app's DOCUMENTS line and appends its seconds."""
    import selectors

    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(args), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=err, text=True)
        shown: float | None = None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        deadline = started + timeout
        assert proc.stdout is not None
        while shown is None and time.perf_counter() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.perf_counter())):
                break
            line = proc.stdout.readline()
            if not line:
                break  # exited without the mark
            if line.startswith(SHOWN_MARK):
                shown = time.perf_counter() - started
        if documents is not None and shown is not None:
            for line in proc.stdout:
                if line.startswith(DOCUMENTS_MARK):
                    documents.append(time.perf_counter() - started)
                    break
            else:
                raise RuntimeError(f"no {DOCUMENTS_MARK} line after {SHOWN_MARK}")
        selector.close()
        # os.kill, not proc.kill(): Popen would reap the process (and its usage) first
        if shown is None:
            _kill(proc.pid)
        try:
            _, status, usage = _wait4(proc.pid, 30)
        except TimeoutError:
            _kill(proc.pid)
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        if shown is None:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise RuntimeError(f"no {SHOWN_MARK} line (exit {proc.returncode}): "
                               + " | ".join(tail))
    return shown, usage.ru_maxrss


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait4(pid: int, timeout: float):  # type: ignore[no-untyped-def]
    """os.wait4 with a deadline (the process should quit right after the mark)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got:
            return got, status, usage
        time.sleep(0.02)
    raise TimeoutError
