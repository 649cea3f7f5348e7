"""One annotation action through the session against a raw sqlite3 INSERT + COMMIT.

    python -m bench.bench_actions

A store on disk holds 1,000 news documents (50 entities and 5 relations each) and a
history of 50,000 past edits, as a store in use for a while does. Each round adds
entities (`Session.add_entity`) and relations (`Session.add_relation`), one action
at a time, each committed before the call returns; between actions, a raw sqlite3
connection to a copy of the same store runs a single-row INSERT + COMMIT with the
same settings (WAL, synchronous=FULL, foreign keys on). For information, each round
also adds entities from a selection inside a word snapped to the word, as the window
does by default. The same again in a store
holding one 1 MB document with 30,000 entities (the long document open in the
window). Targets: the session's median latency at most 3x the raw one, and its p99
at most 2x the raw commit's p99 in the same rounds (on a busy machine the raw p99
itself swings several-fold; an absolute bound would measure the machine).

For information, after the rounds of adds, as many rounds of document status changes
(`Session.set_document_status`, cycling new, in progress, done), each beside a raw
INSERT + COMMIT and a raw sqlite3 UPDATE of the same document's status + COMMIT on
the copy. A status whose length changes makes SQLite rewrite the whole row, a long
document's text with it: the raw UPDATE shows that cost, which no code above SQLite
can avoid while the status and the text share a row.
"""
from __future__ import annotations

import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import (
    REPEATS, ROOT, at_most, info, make_store, median, news_documents, percentile, say,
)

DOCUMENTS = 1_000
ENTITIES_PER_DOC = 50
RELATIONS_PER_DOC = 5
HISTORY_ROWS = 50_000
ACTIONS = 200  # of each kind, per round
LONG_ENTITIES = 30_000
LONG_ACTIONS = 100
PAIR_LABELS = ("GPE", "PERSON", "ORG", "NORP")
STATUSES = ("new", "in_progress", "done")
RAW_STATUS = "UPDATE documents SET status = ?, updated_at = ? WHERE id = ?"
RAW_INSERT = ('INSERT INTO entities (doc_id, start, "end", label, text, origin, status,'
              ' annotator, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')


def build_store(path: Path) -> None:
    make_store(path, news_documents(count=DOCUMENTS, seed=3),
               entities=ENTITIES_PER_DOC, relations=RELATIONS_PER_DOC)
    from storage.store import Store

    with Store(path) as store, store.write() as db:
        # the audit trail of a store in use: many past single-row edits
        row = {"label": "ORG", "status": "accepted"}
        store.append_history(db, "Relabel", "bench", [
            ("entities", 1 + i % 40_000, 1 + i % DOCUMENTS, row, row) for i in range(HISTORY_ROWS)])


def raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def raw_insert(conn: sqlite3.Connection, doc_id: int, start: int, end: int, text: str) -> float:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(RAW_INSERT, (doc_id, start, end, "ORG", text, "human", "accepted", "bench",
                              stamp, stamp))
    conn.execute("COMMIT")
    return time.perf_counter() - started


def raw_status(conn: sqlite3.Connection, doc_id: int, status: str) -> float:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(RAW_STATUS, (status, stamp, doc_id))
    conn.execute("COMMIT")
    return time.perf_counter() - started


class Workload:
    """Picks fresh spans to mark and fresh entity pairs to relate (read once, outside the clock)."""

    def __init__(self, session: Any, seed: int) -> None:
        self.session = session
        self.rng = random.Random(seed)
        self.doc_ids = session.store.document_ids()
        self.words: dict[int, list[tuple[int, int, str]]] = {}
        self.entities: dict[int, list[int]] = {}
        self.related: set[tuple[int, int]] = set()
        self.statuses: dict[int, str] = {}

    def next_status(self) -> tuple[int, str]:
        """A document and a status it does not have (the next in the cycle)."""
        doc_id = self.rng.choice(self.doc_ids)
        if doc_id not in self.statuses:
            self.statuses[doc_id] = self.session.document(doc_id).status
        status = STATUSES[(STATUSES.index(self.statuses[doc_id]) + 1) % len(STATUSES)]
        self.statuses[doc_id] = status
        return doc_id, status

    def free_span(self) -> tuple[int, int, int, str]:
        doc_id = self.rng.choice(self.doc_ids)
        if doc_id not in self.words:
            text = self.session.store.document_text(doc_id)
            taken = self.session.store.entity_spans(doc_id)
            self.words[doc_id] = [(m.start(), m.end(), m.group())
                                  for m in re.finditer(r"\b[a-z][a-z]{3,}\b", text)
                                  if (m.start(), m.end()) not in taken]
        words = self.words[doc_id]
        start, end, text = words.pop(self.rng.randrange(len(words)))
        return doc_id, start, end, text

    def free_pair(self) -> tuple[int, int]:
        while True:
            doc_id = self.rng.choice(self.doc_ids)
            if doc_id not in self.entities:
                self.entities[doc_id] = [e.id for e in self.session.entities(doc_id)
                                         if e.label in PAIR_LABELS]
                self.related |= {(min(r.head_id, r.tail_id), max(r.head_id, r.tail_id))
                                 for r in self.session.relations(doc_id)}
            if len(self.entities[doc_id]) < 2:
                continue
            head, tail = self.rng.sample(self.entities[doc_id], 2)
            key = (min(head, tail), max(head, tail))
            if key not in self.related:
                self.related.add(key)
                return head, tail


def one_round(session: Any, raw: sqlite3.Connection, work: Workload, actions: int
              ) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"raw": [], "add_entity": [], "add_relation": [],
                                     "add_entity_snapped": []}
    for _ in range(actions):
        doc_id, start, end, text = work.free_span()
        times["raw"].append(raw_insert(raw, doc_id, start, end, text))
        started = time.perf_counter()
        session.add_entity(doc_id, start, end, "ORG")
        times["add_entity"].append(time.perf_counter() - started)

        head, tail = work.free_pair()
        doc_id, start, end, text = work.free_span()
        times["raw"].append(raw_insert(raw, doc_id, start, end, text))
        started = time.perf_counter()
        session.add_relation(head, tail, "ALLY_OF")
        times["add_relation"].append(time.perf_counter() - started)

        # as the window does by default: a selection inside a word, snapped to the word
        doc_id, start, end, text = work.free_span()
        times["raw"].append(raw_insert(raw, doc_id, start, end, text))
        started = time.perf_counter()
        session.add_entity(doc_id, start + 1, end - 1, "ORG", snap=True)
        times["add_entity_snapped"].append(time.perf_counter() - started)
    return times


def status_round(session: Any, raw: sqlite3.Connection, work: Workload, actions: int
                 ) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"raw": [], "raw_status": [], "set_document_status": []}
    for _ in range(actions):
        doc_id, start, end, text = work.free_span()
        times["raw"].append(raw_insert(raw, doc_id, start, end, text))
        doc_id, status = work.next_status()
        times["raw_status"].append(raw_status(raw, doc_id, status))
        started = time.perf_counter()
        session.set_document_status(doc_id, status)
        times["set_document_status"].append(time.perf_counter() - started)
    return times


def measure(base: Path, what: str, actions: int) -> list[dict[str, list[float]]]:
    """Rounds of actions on a copy of `base`, each against raw inserts into another copy."""
    from annotate.session import Session
    from storage.store import Store

    ours_path, raw_path = base.with_name("ours.db"), base.with_name("raw.db")
    for path in (ours_path, raw_path):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copy(base, path)
    store = Store(ours_path)
    session = Session(store, annotator="bench")
    raw = raw_connection(raw_path)
    work = Workload(session, seed=11)
    rounds = []
    try:
        for n in range(REPEATS):
            rounds.append(one_round(session, raw, work, actions))
            say(f"  {what}, round {n + 1}: " + ", ".join(
                f"{k} median {median(v) * 1e3:.3f} ms" for k, v in rounds[-1].items()))
        # after the adds, so that the megabytes a long document's status changes put in
        # the write-ahead logs do not weigh on the adds' figures
        for n in range(REPEATS):
            statuses = status_round(session, raw, work, actions)
            rounds[n].update({f"status_{k}": v for k, v in statuses.items()})
            say(f"  {what}, status round {n + 1}: " + ", ".join(
                f"{k} median {median(v) * 1e3:.3f} ms" for k, v in statuses.items()))
    finally:
        raw.close()
        store.close()
    return rounds


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        say(f"actions: building a store of {DOCUMENTS} documents ...")
        (tmp / "corpus").mkdir()
        build_store(tmp / "corpus" / "base.db")
        corpus = measure(tmp / "corpus" / "base.db", "corpus", ACTIONS)
        (tmp / "long").mkdir()
        make_store(tmp / "long" / "base.db", news_documents(
            count=1, seed=9, min_chars=1_000_000, max_chars=1_000_000),
            entities=LONG_ENTITIES, relations=200)
        long = measure(tmp / "long" / "base.db", "1 MB document", LONG_ACTIONS)
    return (summarize(corpus, "actions") +
            summarize(long, f"actions in a 1 MB document ({LONG_ENTITIES:,} entities)"))


def summarize(rounds: list[dict[str, list[float]]], prefix: str) -> list[dict[str, Any]]:
    def stat(kind: str, fn) -> float:  # type: ignore[no-untyped-def]
        return median([fn(r[kind]) for r in rounds]) * 1e3

    raw_med, raw_p99 = stat("raw", median), stat("raw", lambda v: percentile(v, 99))
    out = [
        info(f"{prefix}: raw sqlite3 INSERT+COMMIT median", raw_med, "ms"),
        info(f"{prefix}: raw sqlite3 INSERT+COMMIT p99", raw_p99, "ms"),
    ]
    for kind in ("add_entity", "add_relation"):
        med, p99 = stat(kind, median), stat(kind, lambda v: percentile(v, 99))
        out += [
            info(f"{prefix}: session.{kind} median", med, "ms"),
            at_most(f"{prefix}: session.{kind} median / raw", med / raw_med, "x", 3.0),
            info(f"{prefix}: session.{kind} p99", p99, "ms"),
            at_most(f"{prefix}: session.{kind} p99 / raw p99", p99 / raw_p99, "x", 2.0,
                    detail=f"{p99:.2f} ms against raw {raw_p99:.2f} ms"),
        ]
    med, p99 = stat("add_entity_snapped", median), stat("add_entity_snapped",
                                                          lambda v: percentile(v, 99))
    out += [
        info(f"{prefix}: session.add_entity with snap median / raw", med / raw_med, "x"),
        info(f"{prefix}: session.add_entity with snap p99", p99, "ms"),
    ]
    insert_med, update_med = stat("status_raw", median), stat("status_raw_status", median)
    med, p99 = stat("status_set_document_status", median), stat(
        "status_set_document_status", lambda v: percentile(v, 99))
    out += [
        info(f"{prefix}: session.set_document_status median", med, "ms"),
        info(f"{prefix}: session.set_document_status median / raw", med / insert_med, "x",
             detail=f"raw INSERT+COMMIT median {insert_med:.2f} ms in those rounds"),
        info(f"{prefix}: session.set_document_status p99", p99, "ms"),
        info(f"{prefix}: raw sqlite3 UPDATE of the status+COMMIT median", update_med, "ms"),
        info(f"{prefix}: session.set_document_status median / raw UPDATE", med / update_med, "x"),
    ]
    return out


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
