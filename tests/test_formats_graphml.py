"""GraphML export: networkx reads back merged actors and counted edges."""
from __future__ import annotations

import networkx as nx

from annotate.formats import export_corpus, to_annotated_document
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema

SCHEMA = load_schema()


def test_graphml_merges_actors_and_counts_edges(tmp_path):
    one = DocumentRecord(
        text="Russia supplies Turkey. Moscow and Ankara are allies.",
        entities=(EntityRecord(0, 6, "GPE"), EntityRecord(16, 22, "GPE"),
                  EntityRecord(24, 30, "GPE"), EntityRecord(35, 41, "GPE"),
                  EntityRecord(46, 52, "NORP", status="suggested")),
        relations=(RelationRecord(0, 1, "SUPPLIES"), RelationRecord(0, 2, "SAME_AS", False),
                   RelationRecord(2, 3, "ALLY_OF", False)))
    two = DocumentRecord(
        text="RUSSIA  supplies turkey again.",
        entities=(EntityRecord(0, 6, "GPE"), EntityRecord(17, 23, "GPE")),
        relations=(RelationRecord(0, 1, "SUPPLIES"), RelationRecord(1, 0, "ALLY_OF", False)))
    out = tmp_path / "g.graphml"
    export_corpus("graphml", [to_annotated_document(one, 1), to_annotated_document(two, 2)],
                  SCHEMA, out)
    graph = nx.read_graphml(out)
    nodes = {data["text"]: (node, data) for node, data in graph.nodes(data=True)}
    assert set(nodes) == {"Russia", "Turkey", "Ankara"}  # Moscow merged into Russia by SAME_AS
    russia, turkey, ankara = (nodes[t][0] for t in ("Russia", "Turkey", "Ankara"))
    assert nodes["Russia"][1]["mentions"] == 3 and nodes["Russia"][1]["documents"] == "1,2"
    supplies = graph.get_edge_data(russia, turkey)["SUPPLIES"]
    assert (supplies["count"], supplies["documents"], supplies["directed"]) == (2, "1,2", True)
    allies = [d for _, _, d in graph.edges(data=True) if d["label"] == "ALLY_OF"]
    assert len(allies) == 2 and all(d["directed"] is False for d in allies)
    assert graph.number_of_edges() == 3
