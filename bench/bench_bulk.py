"""Bulk writes: importing a JSONL corpus against raw sqlite3 `executemany` of the same rows.

    python -m bench.bench_bulk

The corpus: 4,000 news documents with 50 entities and 5 relations each (200,000
spans, 20,000 relations) as Prodigy-style JSONL tasks (`text`, `meta`, `spans`,
`relations` with `head_span`/`child_span`; no `tokens`). Three sides, interleaved,
each into a new empty store (same schema, WAL, synchronous=FULL):

- raw: sqlite3 `executemany` of the documents, entities and relations rows, ready
  in memory, in one transaction (also measured without the full-text index's
  triggers, for what the index costs);
- storage: `Session.import_records` on the records the JSONL importer parsed
  (parsing not counted);
- command line: `main.py import corpus.jsonl` as the user runs it (process start,
  reading, parsing, checking and storing all counted).

Rows/s counts documents + entities + relations. Target: >= 0.5x the raw rows/s.
"""
from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import (
    MAIN, PYTHON, RELATION_LABELS, ROOT, at_least, child_env, entity_spans, info,
    interleaved, median, news_documents, run_timed, say,
)

DOCUMENTS = 4_000
SPANS_PER_DOC = 50
RELATIONS_PER_DOC = 5
STAMP = "2024-05-01T09:30:00.000Z"


def write_corpus(path: Path) -> list[dict[str, Any]]:
    """Write the JSONL corpus; returns its tasks."""
    tasks = []
    for n, (title, text) in enumerate(news_documents(count=DOCUMENTS, seed=5)):
        spans = [{"start": s, "end": e, "label": label, "id": n * 1000 + i}
                 for i, (s, e, label) in enumerate(entity_spans(text, SPANS_PER_DOC))]
        relations = [{"head_span": spans[2 * k], "child_span": spans[2 * k + 1],
                      "label": RELATION_LABELS[k % len(RELATION_LABELS)]}
                     for k in range(RELATIONS_PER_DOC)]
        tasks.append({"text": text, "meta": {"title": title, "source": f"bench/{n}.txt"},
                      "spans": spans, "relations": relations})
    with path.open("w", encoding="utf-8") as handle:
        for task in tasks:
            handle.write(json.dumps(task, ensure_ascii=False) + "\n")
    return tasks


def raw_rows(tasks: list[dict[str, Any]]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The rows the import stores, as tuples for `executemany`."""
    from annotate.importing import content_hash

    docs, ents, rels = [], [], []
    for doc_id, task in enumerate(tasks, 1):
        text = task["text"]
        docs.append((doc_id, task["meta"]["title"], task["meta"]["source"], text,
                     content_hash(text), json.dumps(task["meta"]), "new", STAMP, STAMP))
        first = len(ents) + 1
        for i, span in enumerate(task["spans"]):
            ents.append((first + i, doc_id, span["start"], span["end"], span["label"],
                         text[span["start"]:span["end"]], "human", "accepted", "bench", STAMP,
                         STAMP))
        index = {s["id"]: first + i for i, s in enumerate(task["spans"])}
        for rel in task["relations"]:
            rels.append((len(rels) + 1, doc_id, index[rel["head_span"]["id"]],
                         index[rel["child_span"]["id"]], rel["label"], 1, "human", "accepted",
                         STAMP, STAMP))
    return docs, ents, rels


RAW_SQL = (
    "INSERT INTO documents (id, title, source, text, content_hash, meta, status, created_at,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    'INSERT INTO entities (id, doc_id, start, "end", label, text, origin, status, annotator,'
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO relations (id, doc_id, head_id, tail_id, label, directed, origin, status,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
)


def new_store(path: Path) -> Path:
    """An empty store with Arcmark's schema (made before the clock starts)."""
    from annotate.session import Session
    from storage.store import Store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Store(path) as store:
        Session(store, annotator="bench")
    return path


def raw_insert(path: Path, rows: tuple[list[tuple], ...], *, index: bool = True) -> float:
    """Seconds to insert the rows; without `index`, the full-text triggers are dropped first."""
    new_store(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    if not index:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                    " AND sql LIKE '%_fts%'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for sql, table_rows in zip(RAW_SQL, rows, strict=True):
        conn.executemany(sql, table_rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def storage_step(path: Path, records: tuple) -> float:  # type: ignore[type-arg]
    from annotate.session import Session
    from storage.store import Store

    new_store(path)
    with Store(path) as store:
        session = Session(store, annotator="bench")
        started = time.perf_counter()
        result = session.import_records(list(records), source="corpus.jsonl")
        seconds = time.perf_counter() - started
    if result.entities_added != DOCUMENTS * SPANS_PER_DOC:
        raise RuntimeError(f"stored {result.entities_added} entities")
    return seconds


def command_line(path: Path, corpus: Path, env: dict[str, str]) -> float:
    new_store(path)
    seconds = run_timed([PYTHON, MAIN, "import", "--db", path, corpus], env)
    with sqlite3.connect(path) as conn:
        n = conn.execute("SELECT count(*) FROM entities").fetchone()[0]
    if n != DOCUMENTS * SPANS_PER_DOC:
        raise RuntimeError(f"the command line stored {n} entities")
    return seconds


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    from annotate.formats import read_path
    from annotate.schema import load_schema

    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "corpus.jsonl"
        say("bulk: writing the corpus ...")
        tasks = write_corpus(corpus)
        rows = raw_rows(tasks)
        total = sum(len(r) for r in rows)
        (batch,) = list(read_path(corpus, schema=load_schema()))
        if batch.error:
            raise RuntimeError(batch.error)
        env = child_env(tmp)
        say(f"bulk: {corpus.stat().st_size / 1e6:.1f} MB, {total:,} rows")
        times = interleaved({
            "raw executemany": lambda: raw_insert(tmp / "raw.db", rows),
            "raw, no full-text index": lambda: raw_insert(tmp / "bare.db", rows, index=False),
            "Session.import_records": lambda: storage_step(tmp / "ours.db", batch.records),
            "main.py import": lambda: command_line(tmp / "cli.db", corpus, env),
        }, log=say)
    raw, bare, ours, cli = (total / median(times[k]) for k in times)
    detail = f"{len(rows[0]):,} documents, {len(rows[1]):,} entities, {len(rows[2]):,} relations"
    return [
        info("bulk: raw sqlite3 executemany", raw, "rows/s", detail),
        info("bulk: raw executemany, tables without the full-text triggers", bare, "rows/s"),
        info("bulk: storage step / raw without full-text triggers", ours / bare, "x"),
        info("bulk: Session.import_records (storage step)", ours, "rows/s"),
        at_least("bulk: storage step / raw", ours / raw, "x", 0.5),
        info("bulk: main.py import corpus.jsonl (whole command)", cli, "rows/s"),
        at_least("bulk: main.py import / raw", cli / raw, "x", 0.5),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
