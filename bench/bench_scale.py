"""Scale: pre-annotation on Dask, and a store of 100,000 documents in the window.

    python -m bench.bench_scale

- Dask: `main.py ner --dask local:2` against `main.py ner --processes 2` on the same
  corpus (documents of 3-6 kB), interleaved, each a new process on a fresh copy of the
  store, start-up (the local cluster's too) and model load counted. Target: >= 0.9x
  the words/s of `--processes 2`.
- The stores (bench/scale_store.py, built once and cached in bench/out/): 100,000
  news documents of ~3 kB with 20 entities and 2 relations each, and 1,000 such.
- Opening: `main.py gui` until the opened document is painted, 100,000 against 1,000
  documents, interleaved. Target: <= 1.5x.
- In one window on the 100,000-document store (offscreen, 1280x800):
  - the document list scrolled a page at a time, each frame painted: p95 < 16 ms;
  - each filter of the list (status, title, entity label, relation label, annotator,
    entity) and a search, from the change until the list or the results show it,
    against the raw SQL/FTS5 query answering the same question on a plain sqlite3
    connection, interleaved: each <= 1.5x;
  - an event-loop probe (a 1 ms timer) while the Graph and then the Statistics tab are
    opened, until each has drawn what it read: the longest stall < 50 ms.
- Export: `jsonl` of the done documents (about 15,000) against dumping the same rows
  with sqlite3 + json.dumps. Target: >= 0.5x the raw rows/s.
- The store's size on disk against the same rows in plain tables (documents, entities,
  relations without the full-text and document indexes, history or label tables).
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import (
    MAIN, PYTHON, ROOT, at_least, at_most, child_env, gui_command, info, interleaved,
    make_store, median, news_documents, run_timed, say, until_shown, word_count,
)
from bench.scale_store import scale_store

LARGE, SMALL = 100_000, 1_000
DASK_DOCUMENTS = 160


# --- Dask against worker processes ----------------------------------------------------------

def _ner(base: Path, work: Path, env: dict[str, str], how: list[str], documents: int) -> float:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copy(base, work)
    seconds = run_timed([PYTHON, MAIN, "ner", "--db", work, *how], env)
    with sqlite3.connect(work) as conn:
        done = conn.execute("SELECT count(*) FROM model_runs").fetchone()[0]
    if done != documents:
        raise RuntimeError(f"main.py ner {' '.join(how)} annotated {done} of {documents}")
    return seconds


def dask_rows(tmp: Path) -> list[dict[str, Any]]:
    docs = news_documents(count=DASK_DOCUMENTS, seed=5)
    words = word_count([text for _, text in docs])
    base = tmp / "ner.db"
    make_store(base, docs)
    env = child_env(tmp)
    say(f"scale: ner on {len(docs)} documents, {words:,} words")
    times = interleaved({
        "--processes 2": lambda: _ner(base, tmp / "p.db", env, ["--processes", "2"], len(docs)),
        "--dask local:2": lambda: _ner(base, tmp / "d.db", env, ["--dask", "local:2"], len(docs)),
    }, log=say)
    procs, dask = (words / median(times[k]) for k in times)
    return [
        info("scale: main.py ner --processes 2", procs, "words/s",
             f"{words:,} words in {len(docs)} documents; start-up and model load counted"),
        info("scale: main.py ner --dask local:2", dask, "words/s"),
        at_least("scale: --dask local:2 / --processes 2", dask / procs, "x", 0.9),
    ]


# --- opening the window -----------------------------------------------------------------------

def opening_rows(large: Path, small: Path, tmp: Path) -> list[dict[str, Any]]:
    def painted(db: Path) -> float:
        args, extra, _how = gui_command(db)
        home = Path(tempfile.mkdtemp(dir=tmp))
        documents: list[float] = []
        until_shown(args, child_env(home, **extra), documents=documents)
        return documents[0]

    times = interleaved({"large": lambda: painted(large), "small": lambda: painted(small)},
                        log=say)
    big, little = median(times["large"]), median(times["small"])
    return [
        info(f"scale: window's document painted, {LARGE:,} documents", big * 1e3, "ms"),
        info(f"scale: window's document painted, {SMALL:,} documents", little * 1e3, "ms"),
        at_most(f"scale: document painted, {LARGE:,} / {SMALL:,} documents", big / little,
                "x", 1.5),
    ]


# --- in the window --------------------------------------------------------------------------

def window_rows(large: Path, tmp: Path) -> list[dict[str, Any]]:
    """Runs bench/scale_window.py in its own process (Qt, offscreen) and turns what it
    measured into rows."""
    env = child_env(Path(tempfile.mkdtemp(dir=tmp)))
    proc = subprocess.run([PYTHON, str(ROOT / "bench" / "scale_window.py"), str(large)],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"scale_window failed ({proc.returncode}): {proc.stderr[-2000:]}")
    for line in proc.stderr.splitlines():
        say(line)
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    rows = [
        info("scale: document list filled (read off the GUI thread)", got["list_ms"], "ms"),
        at_most("scale: document list scroll frame p95", got["scroll_p95_ms"], "ms", 16,
                strict=True),
    ]
    for name, (ours, raw) in got["filters"].items():
        rows.append(at_most(f"scale: {name} / raw query", ours / raw, "x", 1.5,
                            detail=f"{ours:.1f} ms against raw {raw:.1f} ms"))
    for tab, stall in got["stalls"].items():
        rows.append(at_most(f"scale: longest event-loop stall opening {tab}", stall, "ms", 50,
                            strict=True, detail=f"{tab} drawn after {got['drawn'][tab]:.0f} ms"))
    return rows


# --- export and size ------------------------------------------------------------------------

def _raw_dump(store: Path, out: Path, status: str) -> tuple[float, int]:
    started = time.perf_counter()
    conn = sqlite3.connect(store)
    rows = 0
    queries = ("SELECT * FROM documents WHERE status = ? ORDER BY id",
               "SELECT e.* FROM entities e JOIN documents d ON d.id = e.doc_id"
               " WHERE d.status = ? ORDER BY e.id",
               "SELECT r.* FROM relations r JOIN documents d ON d.id = r.doc_id"
               " WHERE d.status = ? ORDER BY r.id")
    with out.open("w", encoding="utf-8") as handle:
        for sql in queries:
            cursor = conn.execute(sql, [status])
            cols = [d[0] for d in cursor.description]
            for row in cursor:
                handle.write(json.dumps(dict(zip(cols, row)), ensure_ascii=False) + "\n")
                rows += 1
    conn.close()
    seconds = time.perf_counter() - started
    out.unlink()
    return seconds, rows


def _export(store: Path, out: Path, status: str) -> float:
    sys.path.insert(0, str(ROOT))
    from annotate.corpus_io import export_path
    from annotate.session import Session
    from storage.store import Store

    started = time.perf_counter()
    with Store(store, read_only=True) as opened:
        report = export_path(Session(opened, annotator="bench"), "jsonl", out, status=status)
    seconds = time.perf_counter() - started
    for path in report.files:
        path.unlink()
    return seconds


def export_rows(large: Path, tmp: Path) -> list[dict[str, Any]]:
    raw_s, rows = _raw_dump(large, tmp / "raw.jsonl", "done")
    ours_s = _export(large, tmp / "ours.jsonl", "done")
    return [
        info("scale: raw sqlite3 rows + json.dumps, done documents", rows / raw_s, "rows/s",
             f"{rows:,} rows (documents, entities, relations)"),
        info("scale: jsonl export of the done documents", rows / ours_s, "rows/s"),
        at_least("scale: jsonl export / raw", raw_s / ours_s, "x", 0.5),
    ]


def size_rows(large: Path, tmp: Path) -> list[dict[str, Any]]:
    raw = tmp / "raw-tables.db"
    conn = sqlite3.connect(raw)
    conn.execute("ATTACH DATABASE ? AS store", [f"file:{large}?mode=ro"])
    for table, cols in (("documents", "id, title, text, status, source"),
                        ("entities", 'id, doc_id, start, "end", label, text, status, origin'),
                        ("relations", "id, doc_id, head_id, tail_id, label, status")):
        conn.execute(f"CREATE TABLE {table} AS SELECT {cols} FROM store.{table}")
    conn.commit()
    conn.execute("DETACH DATABASE store")
    conn.execute("VACUUM")
    conn.close()
    store_mb, raw_mb = large.stat().st_size / 1e6, raw.stat().st_size / 1e6
    raw.unlink()
    return [
        info(f"scale: store on disk, {LARGE:,} documents", store_mb, "MB"),
        info("scale: the same rows in plain tables", raw_mb, "MB"),
        info("scale: store / plain tables", store_mb / raw_mb, "x",
             "full-text indexes, document index, history, other indexes"),
    ]


def run() -> list[dict[str, Any]]:
    large, small = scale_store(LARGE), scale_store(SMALL)
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        rows = dask_rows(tmp)
        rows += opening_rows(large, small, tmp)
        rows += window_rows(large, tmp)
        rows += export_rows(large, tmp)
        rows += size_rows(large, tmp)
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
