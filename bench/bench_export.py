"""The jsonl and prodigy exports against the raw libraries doing the same work.

    python -m bench export

jsonl: a store of 10,000 news documents (3-6 kB) with 50 entities and 5 relations each.
Interleaved, each into a new file:

- raw: every row of `documents`, `entities` and `relations` read with sqlite3 and
  written as one `json.dumps` line each;
- Arcmark: `export_path(session, "jsonl", out)`, what `main.py export` and the window
  call: Arcmark's own record per document (text, meta, spans and relations with ids,
  statuses, provenance; no tokens).

prodigy: 2,000 such documents (the tokenizer dominates; fewer keep the run short).
Interleaved:

- raw: the rows read with sqlite3, each text through spaCy's blank English tokenizer
  (`make_doc`), the tokens as dicts, each span's token indices from `Doc.char_span`
  (expanded to whole tokens), relations with head/child token indices, one `json.dumps`
  line per document: the work a Prodigy rel.manual task needs, with the libraries alone;
- Arcmark: `export_path(session, "prodigy", out)`.

Rows/s counts documents + entities + relations. Targets: jsonl >= 0.5x the raw rows/s,
prodigy >= 0.8x.
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
PRODIGY_DOCUMENTS = 2_000
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


def arcmark_export(store: Path, out: Path, fmt: str, documents: int) -> float:
    from annotate.corpus_io import export_path
    from annotate.session import Session
    from storage.store import Store

    started = time.perf_counter()
    with Store(store) as opened:
        report = export_path(Session(opened, annotator="bench"), fmt, out)
    seconds = time.perf_counter() - started
    for path in report.files:
        path.unlink()
    if report.entities != documents * ENTITIES_PER_DOC:
        raise RuntimeError(f"exported {report.entities} entities")
    return seconds


def _grouped(conn: sqlite3.Connection, table: str) -> dict[int, list[dict[str, Any]]]:
    cursor = conn.execute(f"SELECT * FROM {table} ORDER BY doc_id, id")
    cols = [d[0] for d in cursor.description]
    out: dict[int, list[dict[str, Any]]] = {}
    for row in cursor:
        item = dict(zip(cols, row))
        out.setdefault(item["doc_id"], []).append(item)
    return out


def raw_prodigy(store: Path, out: Path) -> float:
    """Rows + spaCy's tokenizer + json.dumps: a rel.manual task per document."""
    from annotate.tokens import blank_english

    nlp = blank_english()
    started = time.perf_counter()
    conn = sqlite3.connect(store)
    entities, relations = _grouped(conn, "entities"), _grouped(conn, "relations")
    with out.open("w", encoding="utf-8") as handle:
        for doc_id, text, meta in conn.execute("SELECT id, text, meta FROM documents ORDER BY id"):
            doc = nlp.make_doc(text)
            tokens = [{"text": t.text, "start": t.idx, "end": t.idx + len(t), "id": t.i,
                       "ws": bool(t.whitespace_)} for t in doc]
            spans = {}
            for e in entities.get(doc_id, []):
                span = doc.char_span(e["start"], e["end"], alignment_mode="expand")
                spans[e["id"]] = {"text": span.text, "start": span.start_char,
                                  "end": span.end_char, "token_start": span.start,
                                  "token_end": span.end - 1, "type": "span", "label": e["label"]}
            rels = [{"head": spans[r["head_id"]]["token_end"],
                     "child": spans[r["tail_id"]]["token_end"],
                     "head_span": spans[r["head_id"]], "child_span": spans[r["tail_id"]],
                     "label": r["label"]} for r in relations.get(doc_id, [])]
            handle.write(json.dumps({"text": text, "meta": json.loads(meta), "tokens": tokens,
                                     "spans": list(spans.values()), "relations": rels,
                                     "answer": "accept"}, ensure_ascii=False) + "\n")
    conn.close()
    seconds = time.perf_counter() - started
    out.unlink()
    return seconds


def _rows(store: Path) -> int:
    with sqlite3.connect(store) as conn:
        return sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("documents", "entities", "relations"))


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    from annotate.tokens import blank_english

    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        store, small = tmp / "corpus.db", tmp / "small.db"
        say(f"export: building stores of {DOCUMENTS:,} and {PRODIGY_DOCUMENTS:,} documents ...")
        docs = news_documents(count=DOCUMENTS, seed=7)
        make_store(store, docs, entities=ENTITIES_PER_DOC, relations=RELATIONS_PER_DOC)
        make_store(small, docs[:PRODIGY_DOCUMENTS], entities=ENTITIES_PER_DOC,
                   relations=RELATIONS_PER_DOC)
        total, small_total = _rows(store), _rows(small)
        blank_english()  # loaded once per process on both sides' behalf: not counted
        times = interleaved({
            "raw json.dumps": lambda: raw_dump(store, tmp / "raw.jsonl"),
            "export_path jsonl": lambda: arcmark_export(store, tmp / "ours.jsonl", "jsonl",
                                                        DOCUMENTS),
        }, log=say)
        prodigy = interleaved({
            "raw rows + tokenizer + json.dumps": lambda: raw_prodigy(small, tmp / "raw.jsonl"),
            "export_path prodigy": lambda: arcmark_export(small, tmp / "ours.jsonl", "prodigy",
                                                          PRODIGY_DOCUMENTS),
        }, log=say)
    raw, ours = (total / median(times[k]) for k in times)
    raw_p, ours_p = (small_total / median(prodigy[k]) for k in prodigy)
    return [
        info("export: raw sqlite3 rows + json.dumps", raw, "rows/s",
             f"{DOCUMENTS:,} documents, {ENTITIES_PER_DOC} entities and "
             f"{RELATIONS_PER_DOC} relations each"),
        info("export: jsonl (export_path)", ours, "rows/s"),
        at_least("export: jsonl / raw", ours / raw, "x", 0.5),
        info("export: raw rows + spaCy tokenizer + json.dumps (Prodigy tasks)", raw_p, "rows/s",
             f"{PRODIGY_DOCUMENTS:,} documents"),
        info("export: prodigy (export_path)", ours_p, "rows/s"),
        at_least("export: prodigy / raw libraries", ours_p / raw_p, "x", 0.8),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
