"""The corpus actor graph as plain data: merging, counting, filtering, layout."""
from __future__ import annotations

import math

from annotate.corpus_graph import CorpusGraph, corpus_graph, graph_from_rows, layout
from annotate.corpus_io import import_path
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from storage.search import graph_rows
from tests.conftest import ROOT

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"


def _two_documents(session):
    one = DocumentRecord(
        text="Russia supplies Turkey. Moscow and Ankara are allies.", status="done",
        entities=(EntityRecord(0, 6, "GPE"), EntityRecord(16, 22, "GPE"),
                  EntityRecord(24, 30, "GPE"), EntityRecord(35, 41, "GPE"),
                  EntityRecord(46, 52, "NORP", status="suggested")),
        relations=(RelationRecord(0, 1, "SUPPLIES"), RelationRecord(0, 2, "SAME_AS", False),
                   RelationRecord(2, 3, "ALLY_OF", False)))
    two = DocumentRecord(
        text="RUSSIA  supplies turkey again.",
        entities=(EntityRecord(0, 6, "GPE"), EntityRecord(17, 23, "GPE")),
        relations=(RelationRecord(0, 1, "SUPPLIES"), RelationRecord(1, 0, "ALLY_OF", False)))
    return session.import_records([one, two]).documents_added


def test_actors_merge_across_documents_and_same_as_with_relation_ids(session):
    ids = _two_documents(session)
    graph = graph_from_rows(*graph_rows(session.store), session.schema)
    nodes = {n.text: n for n in graph.nodes}
    assert set(nodes) == {"Russia", "Turkey", "Ankara"}
    russia = nodes["Russia"]
    assert (russia.mentions, russia.documents, set(russia.aliases)) == (
        3, tuple(ids), {"Russia", "Moscow", "RUSSIA"})
    assert len(russia.entity_ids) == 3
    supplies = next(e for e in graph.edges if e.label == "SUPPLIES")
    assert (supplies.source, supplies.target, supplies.count, supplies.directed) == (
        russia.id, nodes["Turkey"].id, 2, True)
    rels = {r.id for d in ids for r in session.relations(d) if r.label == "SUPPLIES"}
    assert set(supplies.relation_ids) == rels
    allies = [e for e in graph.edges if e.label == "ALLY_OF"]
    assert len(allies) == 2 and not any(e.directed for e in allies)
    # the same graph from whole documents (what GraphML export reads)
    assert corpus_graph(session.corpus(), session.schema) == graph


def test_filters_by_status_label_and_connection(session):
    ids = _two_documents(session)
    done_only = graph_from_rows(*graph_rows(session.store, ["done"]), session.schema)
    assert {n.documents for n in done_only.nodes} == {(ids[0],)}
    graph = graph_from_rows(*graph_rows(session.store), session.schema)
    only_supplies = graph.filtered(relation_labels=["SUPPLIES"], connected_only=True)
    assert {n.text for n in only_supplies.nodes} == {"Russia", "Turkey"}
    assert [e.label for e in only_supplies.edges] == ["SUPPLIES"]
    assert graph.filtered(entity_labels=["NORP"]).nodes == ()
    assert graph.find("moscow")[0].text == "Russia"
    assert graph.find("ankar")[0].text == "Ankara"  # a part, when nothing is exact


def test_worked_example_graph_has_russia_turkey_iran_allied(session):
    import_path(session, EXAMPLE)
    graph = graph_from_rows(*graph_rows(session.store), session.schema)
    by_text = {n.text: n for n in graph.nodes}
    assert {"Russia", "Turkey", "Iran"} <= set(by_text)
    trio = {by_text[t].id for t in ("Russia", "Turkey", "Iran")}
    allied = {frozenset((e.source, e.target)) for e in graph.edges if e.label == "ALLY_OF"}
    assert {frozenset(p) for p in ((a, b) for a in trio for b in trio if a < b)} <= allied


def test_layout_places_every_node_apart_and_is_deterministic(session):
    import_path(session, EXAMPLE)
    graph = graph_from_rows(*graph_rows(session.store), session.schema)
    pos = layout(graph)
    assert set(pos) == {n.id for n in graph.nodes}
    assert pos == layout(graph)
    points = list(pos.values())
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest > 0.05


def test_layout_of_a_thousand_actors_in_one_component():
    from annotate.corpus_graph import ActorEdge, ActorNode

    nodes = tuple(ActorNode(f"n{i}", f"A{i}", "GPE", ("GPE",), 1, (1,), (i,), (f"A{i}",))
                  for i in range(1, 1001))
    edges = tuple(ActorEdge(f"n{i // 3 + 1}", f"n{i + 1}", "SUPPORTS", True, 1, (1,), (i,))
                  for i in range(1, 1000))
    pos = layout(CorpusGraph(nodes, edges))
    assert len(pos) == 1000 and all(map(math.isfinite, (c for p in pos.values() for c in p)))
    assert layout(CorpusGraph()) == {}
