"""Corpus search and the entity graph at scale.

- search: `annotate.search.search` over 10,000 news-like documents with entities and
  relations, against the same three FTS5 queries run raw on a plain sqlite3 connection
  to the same store (interleaved rounds, medians; the margin and the ratio);
- graph: a 1,000-actor graph laid out (`annotate.corpus_graph.layout`), put in the
  scene and painted offscreen, under a second; and reading the graph of the 10,000
  documents from the store.

`run()` returns rows {"name", "value", "unit", "target", "ok"}; `python -m bench.bench_search`
prints them.
"""
from __future__ import annotations

import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DOCUMENTS = int(os.environ.get("ARCMARK_BENCH_SEARCH_DOCS", "10000"))
ROUNDS = int(os.environ.get("ARCMARK_BENCH_REPEATS", "7"))
QUERIES = ("Turkey", "S-400", '"joint operation"', "Iran OR Syria", "terror*", "ALLY_OF")
# Arcmark's search answers within the raw FTS queries' time plus a small margin: the
# Python objects made from the rows (hits grouped by document)
MARGIN_MS = 5.0
RATIO_TARGET = 1.5
GRAPH_NODES = 1000
ACTORS = ("Russia", "Turkey", "Iran", "Syria", "Moscow", "Ankara", "Tehran", "Erdogan", "Putin",
          "Rouhani", "NATO", "Islamic State", "al-Bab", "Aleppo", "Astana", "S-400")
LABELS = {"Erdogan": "PERSON", "Putin": "PERSON", "Rouhani": "PERSON", "NATO": "ORG",
          "Islamic State": "ORG", "S-400": "PRODUCT"}
RELATIONS = ("ALLY_OF", "MEETS_WITH", "OPPOSES", "SUPPORTS")


def _row(name: str, value: float, unit: str, target: str | None, ok: bool | None) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": ok}


def _sentences() -> list[str]:
    text = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return [p for p in parts if len(p) > 30]


def make_records(count: int, seed: int = 1) -> list[Any]:
    """Short articles: three seed sentences and a line naming actors, with those actors
    as entities and a couple of relations between them."""
    from annotate.model import DocumentRecord, EntityRecord, RelationRecord

    rng = random.Random(seed)
    sentences = _sentences()
    out = []
    for n in range(count):
        actors = rng.sample(ACTORS, 4)
        body = " ".join(rng.sample(sentences, 3))
        line = f"Report {n}: {actors[0]} and {actors[1]} met; {actors[2]} warned {actors[3]}."
        text = line + "\n\n" + body
        entities = []
        for actor in actors:
            start = text.index(actor)
            entities.append(EntityRecord(start, start + len(actor), LABELS.get(actor, "GPE")))
        relations = [RelationRecord(0, 1, "MEETS_WITH", False),
                     RelationRecord(2, 3, rng.choice(("OPPOSES", "SUPPORTS")),
                                    note=rng.choice(("", "a warning", "joint operation")))]
        out.append(DocumentRecord(text=text, title=f"Report {n}: {actors[0]}",
                                  entities=tuple(entities), relations=tuple(relations)))
    return out


def _raw_search(conn: sqlite3.Connection, match: str, limit: int = 50) -> int:
    """The three FTS5 queries `annotate.search.search` needs, straight to sqlite3."""
    docs = conn.execute(
        "SELECT d.id, d.title, d.status, snippet(documents_fts, -1, char(2), char(3), '…', 14),"
        " documents_fts.rank FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
        " WHERE documents_fts MATCH ? ORDER BY documents_fts.rank LIMIT ?",
        [match, limit + 1]).fetchall()
    ents = conn.execute(
        "SELECT e.doc_id, e.label, e.text, e.id, min(e.start), e.\"end\", e.status, count(*)"
        " FROM entities_fts JOIN entities e ON e.id = entities_fts.rowid"
        " WHERE entities_fts MATCH ? AND e.status != 'rejected'"
        " GROUP BY e.doc_id, e.label, e.text ORDER BY e.doc_id, min(e.start) LIMIT ?",
        [match, limit * 20]).fetchall()
    rels = conn.execute(
        "SELECT r.id, r.doc_id, r.label, r.note, h.text, t.text FROM relations_fts"
        " JOIN relations r ON r.id = relations_fts.rowid JOIN entities h ON h.id = r.head_id"
        " JOIN entities t ON t.id = r.tail_id WHERE relations_fts MATCH ?"
        " AND r.status != 'rejected' ORDER BY r.doc_id, h.start LIMIT ?",
        [match, limit * 20]).fetchall()
    return len(docs) + len(ents) + len(rels)


def bench_search(db: Path) -> list[dict]:
    from annotate.search import fts_query, search
    from annotate.session import Session
    from storage.store import Store

    session = Session(Store(db), annotator="bench")
    started = time.perf_counter()
    for at in range(0, DOCUMENTS, 1000):
        session.import_records(make_records(min(1000, DOCUMENTS - at), seed=at))
    imported = time.perf_counter() - started
    conn = sqlite3.connect(db)
    ours: list[float] = []
    raw: list[float] = []
    for _ in range(ROUNDS):
        for query in QUERIES:
            match = fts_query(query)
            t = time.perf_counter()
            search(session, query)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            _raw_search(conn, match)
            raw.append(time.perf_counter() - t)
    conn.close()
    load = []
    from annotate.corpus_graph import load_graph

    for _ in range(3):
        t = time.perf_counter()
        graph = load_graph(session)
        load.append(time.perf_counter() - t)
    session.store.close()
    a, b = statistics.median(ours), statistics.median(raw)
    return [
        _row(f"import {DOCUMENTS:,} documents with entities, relations, FTS", imported, "s",
             None, None),
        _row(f"search over {DOCUMENTS:,} documents (median of {len(QUERIES)} queries)", a * 1000,
             "ms", None, None),
        _row("raw FTS5 queries, same store", b * 1000, "ms", None, None),
        _row("search - raw FTS (the margin)", (a - b) * 1000, "ms", f"<= {MARGIN_MS:g}",
             (a - b) * 1000 <= MARGIN_MS),
        _row("search / raw FTS", a / b, "x", f"<= {RATIO_TARGET}", a / b <= RATIO_TARGET),
        _row(f"read the actor graph of {DOCUMENTS:,} documents ({len(graph.nodes)} actors)",
             statistics.median(load), "s", None, None),
    ]


def synthetic_graph(nodes: int = GRAPH_NODES, seed: int = 3):  # -> CorpusGraph
    """A news-like actor graph: a few hubs, a long tail, and small separate groups."""
    from annotate.corpus_graph import ActorEdge, ActorNode, CorpusGraph

    rng = random.Random(seed)
    labels = ("GPE", "PERSON", "ORG", "NORP")
    actors = tuple(ActorNode(f"n{i}", f"Actor {i}", labels[i % 4], (labels[i % 4],),
                             max(1, int(60 / i ** 0.7)), (1,), (i,), (f"Actor {i}",))
                   for i in range(1, nodes + 1))
    edges = {}
    for i in range(2, nodes + 1):
        if i % 9 == 0:
            continue  # starts a separate group
        j = rng.randint(max(1, i - 40), i - 1) if i % 3 else rng.randint(1, min(i - 1, 12))
        label = rng.choice(RELATIONS)
        edges[(f"n{j}", f"n{i}", label)] = ActorEdge(f"n{j}", f"n{i}", label,
                                                     label in ("SUPPORTS", "OPPOSES"),
                                                     rng.randint(1, 6), (1,), (i,))
    return CorpusGraph(actors, tuple(edges.values()))


def bench_graph() -> list[dict]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QFont, QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from annotate.corpus_graph import layout
    from annotate.schema import load_schema
    from ui.corpus.graph_view import GraphView, unit_for

    app = QApplication.instance() or QApplication(sys.argv[:1])
    schema = load_schema()
    graph = synthetic_graph()
    view = GraphView()
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    colours = ({e.name: e.colour for e in schema.entity_labels},
               {r.name: r.colour for r in schema.relation_labels})
    totals, layouts = [], []
    for _ in range(max(ROUNDS // 2, 3)):
        t = time.perf_counter()
        positions = layout(graph, aspect=1.5)
        laid = time.perf_counter()
        view.graph_scene.set_graph(graph, positions, *colours, QFont(),
                                   unit_for(positions, 1200, 800))
        view.fit()
        image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        view.render(painter)
        painter.end()
        totals.append(time.perf_counter() - t)
        layouts.append(laid - t)
    view.close()
    total = statistics.median(totals)
    return [
        _row(f"graph: lay out {len(graph.nodes):,} actors, {len(graph.edges):,} links",
             statistics.median(layouts), "s", None, None),
        _row("graph: lay out + build scene + paint", total, "s", "< 1", total < 1.0),
    ]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-search-") as tmp:
        rows = bench_search(Path(tmp) / "search.db")
    return rows + bench_graph()


if __name__ == "__main__":
    for r in run():
        mark = {True: "ok", False: "MISSED", None: ""}[r["ok"]]
        print(f"{r['name']:<70} {r['value']:>10} {r['unit']:<3} {r['target'] or '':<8} {mark}")
