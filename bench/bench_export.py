"""JSONL export against dumping the same rows from sqlite3 with `json.dumps`.

    python -m bench.bench_export

A store of 10,000 news documents (3-6 kB) with 50 entities and 5 relations each.
Interleaved, each into a new file:

- raw: every row of `documents`, `entities` and `relations` read with sqlite3 and
  written as one `json.dumps` line each;
- Arcmark: `export_path(session, "jsonl", out)`, what `main.py export` and the
  window call: one Prodigy `rel.manual` task per document (text, meta, tokens,
  spans with token indices, relations, Arcmark's own fields);
- once, for the record: the same records without what the tokenizer adds (tokens,
  token indices), i.e. the rows the raw side has, read and written the same way;
  and the `tokens` part alone (spaCy's blank English tokenizer and the tokens'
  JSON), which the raw rows do not have.

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
    ROOT, at_least, info, interleaved, make_store, median, news_documents, say,
)

DOCUMENTS = 10_000
ENTITIES_PER_DOC = 50
RELATIONS_PER_DOC = 5


def raw_dump(store: Path, out: Path) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(store)
    with out.open("w", encoding="utf-8") as handle:
        for table in ("documents", "entities", "relations"):
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY id")
            cols = [d[0] for d in cursor.description]
            for row in cursor:
                handle.write(json.dumps(dict(zip(cols, row)), ensure_ascii=False) + "\n")
    conn.close()
    seconds = time.perf_counter() - started
    out.unlink()
    return seconds


def arcmark_export(store: Path, out: Path) -> float:
    from annotate.corpus_io import export_path
    from annotate.session import Session
    from storage.store import Store

    started = time.perf_counter()
    with Store(store) as opened:
        report = export_path(Session(opened, annotator="bench"), "jsonl", out)
    seconds = time.perf_counter() - started
    for path in report.files:
        path.unlink()
    if report.entities != DOCUMENTS * ENTITIES_PER_DOC:
        raise RuntimeError(f"exported {report.entities} entities")
    return seconds


def records_only(store: Path, out: Path) -> float:
    from annotate.formats.jsonl import record
    from annotate.session import Session
    from storage.store import Store

    started = time.perf_counter()
    with Store(store) as opened, out.open("w", encoding="utf-8") as handle:
        for ad in Session(opened, annotator="bench").corpus():
            handle.write(json.dumps(record(ad), ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - started
    out.unlink()
    return seconds


def tokens_only(texts: list[str]) -> float:
    from annotate.formats.jsonl import token_rows, tokens_json

    started = time.perf_counter()
    for text in texts:
        tokens_json(text, token_rows(text))
    return time.perf_counter() - started


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    from annotate.tokens import blank_english

    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        store = tmp / "corpus.db"
        say(f"export: building a store of {DOCUMENTS:,} documents ...")
        docs = news_documents(count=DOCUMENTS, seed=7)
        make_store(store, docs, entities=ENTITIES_PER_DOC, relations=RELATIONS_PER_DOC)
        texts = [text for _, text in docs]
        with sqlite3.connect(store) as conn:
            total = sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                        for t in ("documents", "entities", "relations"))
        blank_english()  # loaded once per process on both sides' behalf: not counted
        times = interleaved({
            "raw json.dumps": lambda: raw_dump(store, tmp / "raw.jsonl"),
            "export_path jsonl": lambda: arcmark_export(store, tmp / "ours.jsonl"),
        }, log=say)
        # once each: they only explain the figures
        records = total / records_only(store, tmp / "records.jsonl")
        tokens = tokens_only(texts)
    raw, ours = (total / median(times[k]) for k in times)
    tokens_share = tokens / median(times["export_path jsonl"])
    return [
        info("export: raw sqlite3 rows + json.dumps", raw, "rows/s",
             f"{DOCUMENTS:,} documents, {ENTITIES_PER_DOC} entities and "
             f"{RELATIONS_PER_DOC} relations each"),
        info("export: jsonl (export_path)", ours, "rows/s"),
        at_least("export: jsonl / raw", ours / raw, "x", 0.5),
        info("export: share of the jsonl export spent on Prodigy tokens", 100 * tokens_share, "%"),
        info("export: the same records without tokens and token indices / raw", records / raw, "x",
             "run once: what the export costs over the raw rows before spaCy's tokenizer"),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
