"""GraphML export: the corpus' actor graph, for Gephi, Cytoscape or networkx.

The graph is `annotate.corpus_graph`'s (the one the graph view draws): nodes are actors,
accepted entities merged across documents by label and normalised text, with SAME_AS
mentions merged into one node. Node attributes: `label` (the most frequent label;
`labels` lists all of them), `text` (the commonest surface form of the commonest
mention), `mentions`, `documents` (ids, comma-joined). Edges: one per (node pair,
relation label) with `label`, `count`, `documents` and `directed`; the graph is a
`MultiDiGraph` whose edge keys are the labels. The report counts nodes as entities and
edges as relations; a relation inside one merged node is counted in its notes, not drawn.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from annotate.corpus_graph import ActorGraphBuilder, normalise, to_networkx
from annotate.model import AnnotatedDocument
from annotate.schema import Schema

from ._common import (
    Cancel,
    Cancelled,
    Exporter,
    ExportReport,
    Progress,
    atomic_binary_path,
    counted,
)

__all__ = ["export_graphml", "normalise"]


def export_graphml(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                   progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    import networkx as nx

    report, builder = ExportReport(), ActorGraphBuilder(schema)
    try:
        for ad in counted(corpus, progress, cancelled):
            builder.add(ad)
            report.documents += 1
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    actors = builder.build()
    report.note(actors.merged_relations, "relations within one merged actor not drawn")
    graph = to_networkx(actors)
    report.entities, report.relations = graph.number_of_nodes(), graph.number_of_edges()
    with atomic_binary_path(out) as tmp:
        nx.write_graphml(graph, tmp)
    report.files.append(out)
    return report


EXPORTERS = (Exporter(name="graphml", write=export_graphml),)
