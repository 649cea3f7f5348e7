"""Merging two analysts' stores and measuring their agreement, against the raw libraries.

    python -m bench bench_teams

Two stores of 1,000 news documents (3-6 kB), the same texts, 20 entities and 5
relations per document; bob labels every fifth entity differently from alice and
misses every seventh. Interleaved, each into a new team store:

- raw: the same rows (both stores' documents once, both stores' entities and relations)
  read with sqlite3 and written with `executemany` into a store of the same schema;
- Arcmark: `merge_stores(session, [alice, bob])`, what `main.py merge` and the window
  call (documents matched by text, layers, provenance, history).

Then, on the merged store: `agreement(session)` against the library calls alone
(scikit-learn's `f1_score` and `cohen_kappa_score`, `krippendorff.alpha`) replayed
with the very arguments that `agreement` passed them, recorded in an earlier run.

Targets: merge >= 0.5x the raw rows/s; agreement <= 1.5x the time of the library calls.
The agreement sides run AGREEMENT_ROUNDS rounds (the machine is shared: medians of more
rounds hold better); their CPU time (of this process only) is reported too.
"""
from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._util import (
    REPEATS, ROOT, RELATION_LABELS, at_least, at_most, entity_spans, info, interleaved, median,
    news_documents, say, sentence_spans,
)

DOCUMENTS = 1_000
AGREEMENT_ROUNDS = 5
ENTITIES_PER_DOC = 20
RELATIONS_PER_DOC = 5
SWAP = {"GPE": "LOC", "PERSON": "ORG", "ORG": "NORP", "NORP": "GPE", "DATE": "EVENT",
        "CARDINAL": "DATE", "LOC": "GPE", "EVENT": "DATE"}


def analyst_store(path: Path, name: str, docs: list[tuple[str, str]]) -> None:
    from annotate.model import DocumentRecord, EntityRecord, RelationRecord
    from annotate.session import Session
    from storage.store import Store

    records = []
    for title, text in docs:
        spans = entity_spans(text, ENTITIES_PER_DOC)
        if name == "bob":
            spans = [(s, e, SWAP.get(label, label) if i % 5 == 4 else label)
                     for i, (s, e, label) in enumerate(spans) if i % 7 != 6]
        ents = tuple(EntityRecord(s, e, label) for s, e, label in spans)
        rels = tuple(RelationRecord(2 * k, 2 * k + 1, RELATION_LABELS[k % len(RELATION_LABELS)])
                     for k in range(min(RELATIONS_PER_DOC, len(ents) // 2)))
        records.append(DocumentRecord(text=text, title=title, entities=ents, relations=rels,
                                      sentences=sentence_spans(text)))
    with Store(path) as store:
        Session(store, annotator=name).import_records(records, source=name)


def raw_copy(sources: list[Path], target: Path) -> tuple[float, int]:
    """(seconds, rows written): the sources' rows into a new store by executemany."""
    from storage.store import Store

    Store(target).close()  # the schema, made before the clock starts
    started = time.perf_counter()
    conn = sqlite3.connect(target)
    written = 0
    for n, source in enumerate(sources):
        conn.execute("ATTACH DATABASE ? AS src", [f"file:{source}?mode=ro"])
        for table in (("documents",) if n == 0 else ()) + ("entities", "relations"):
            cursor = conn.execute(f"SELECT * FROM src.{table}")
            cols = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            if table != "documents":  # the second store's rows after the first's
                rows = [(r[0] + n * 10**7, *r[1:]) for r in rows]
                if table == "relations":
                    rows = [(r[0], r[1], r[2] + n * 10**7, r[3] + n * 10**7, *r[4:]) for r in rows]
            marks = ", ".join("?" * len(cols))
            conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
            written += len(rows)
        conn.commit()
        conn.execute("DETACH DATABASE src")
    conn.close()
    return time.perf_counter() - started, written


def arcmark_merge(sources: list[Path], target: Path) -> tuple[float, int]:
    from annotate.session import Session
    from annotate.team.merge import merge_stores
    from storage.store import Store

    Store(target).close()
    started = time.perf_counter()
    with Store(target) as store:
        report = merge_stores(Session(store, annotator="lead"), sources)
    seconds = time.perf_counter() - started
    if report.errors:
        raise RuntimeError(report.errors)
    return seconds, len(report.documents_added) + report.entities_added + report.relations_added


class Recorder:
    """Wraps the library functions `agreement` calls, keeping their arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def __enter__(self) -> Recorder:
        import krippendorff
        import sklearn.metrics

        self.saved = [(sklearn.metrics, "f1_score"), (sklearn.metrics, "cohen_kappa_score"),
                      (krippendorff, "alpha")]
        self.saved = [(mod, name, getattr(mod, name)) for mod, name in self.saved]
        for mod, name, fn in self.saved:
            setattr(mod, name, self._wrap(fn))
        return self

    def _wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((fn, args, kwargs))
            return fn(*args, **kwargs)
        return recorded

    def __exit__(self, *exc: object) -> None:
        for mod, name, fn in self.saved:
            setattr(mod, name, fn)


CPU: dict[str, list[float]] = {"library calls": [], "agreement": []}


def timed_agreement(store_path: Path) -> float:
    from annotate.session import Session
    from annotate.team.agreement import agreement
    from storage.store import Store

    with Store(store_path) as store:
        session = Session(store, annotator="lead")
        started, cpu = time.perf_counter(), time.process_time()
        agreement(session)
        CPU["agreement"].append(time.process_time() - cpu)
        return time.perf_counter() - started


def replay(calls: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    for fn, args, kwargs in calls:
        fn(*args, **kwargs)
    CPU["library calls"].append(time.process_time() - cpu)
    return time.perf_counter() - started


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        say(f"teams: building two analysts' stores of {DOCUMENTS:,} documents ...")
        docs = news_documents(count=DOCUMENTS, seed=11)
        sources = [tmp / "alice.db", tmp / "bob.db"]
        for path in sources:
            analyst_store(path, path.stem, docs)
        counts: dict[str, int] = {}
        rounds = iter(range(10**6))

        def side(fn: Callable[[list[Path], Path], tuple[float, int]], name: str) -> Callable[[], float]:
            def go() -> float:
                target = tmp / f"{name}-{next(rounds)}.db"
                seconds, counts[name] = fn(sources, target)
                return seconds
            return go

        merge_times = interleaved({"raw executemany": side(raw_copy, "raw"),
                                   "merge_stores": side(arcmark_merge, "merge")}, log=say)
        team = next(tmp.glob("merge-*.db"))
        with Recorder() as recorder:
            timed_agreement(team)
        calls = recorder.calls
        CPU["agreement"].clear()
        agreement_times = interleaved({"library calls": lambda: replay(calls),
                                       "agreement": lambda: timed_agreement(team)},
                                      repeats=max(AGREEMENT_ROUNDS, REPEATS), log=say)
    raw = counts["raw"] / median(merge_times["raw executemany"])
    ours = counts["merge"] / median(merge_times["merge_stores"])
    library, whole = (median(agreement_times[k]) for k in ("library calls", "agreement"))
    return [
        info("teams: raw executemany of the two stores' rows", raw, "rows/s",
             f"{DOCUMENTS:,} documents, {ENTITIES_PER_DOC} entities and {RELATIONS_PER_DOC} "
             "relations each, in two stores"),
        info("teams: merge_stores", ours, "rows/s", f"{counts['merge']:,} rows written"),
        at_least("teams: merge / raw executemany", ours / raw, "x", 0.5),
        info("teams: library calls of the agreement", library, "s",
             f"{len(calls)} calls of f1_score, cohen_kappa_score and krippendorff.alpha"),
        info("teams: agreement (read, tokens, figures)", whole, "s"),
        at_most("teams: agreement / library calls alone", whole / library, "x", 1.5,
                f"medians of {max(AGREEMENT_ROUNDS, REPEATS)} interleaved rounds, wall clock"),
        info("teams: agreement / library calls alone, CPU time", median(CPU["agreement"])
             / median(CPU["library calls"]), "x", "this process's CPU seconds, same rounds"),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
