"""GraphML export: the corpus' actor graph, for Gephi, Cytoscape or networkx.

The graph is `annotate.corpus_graph`'s (the one the graph view draws): nodes are actors,
accepted entities merged across documents by label and normalised text, with SAME_AS
mentions merged into one node. Node attributes: `label` (the most frequent label;
`labels` lists all of them), `text` (the commonest surface form of the commonest
mention), `mentions`, `documents` (ids, comma-joined). Edges: one per (node pair,
relation label) with `label`, `count`, `documents` and `directed`; the graph is a
`MultiDiGraph` whose edge keys are the labels. The report counts nodes as entities and
edges as relations; a relation inside one merged node is counted in its notes, not drawn.

XML 1.0 cannot carry most control characters (NUL, U+0001, VT, FF, ESC...) nor U+FFFE and
U+FFFF, escaped or not: each one in a node id or an attribute is written as U+FFFD, and
the notes say how many, so the file is always well-formed XML.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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
    graph, replaced = xml_safe(to_networkx(actors))
    report.note(replaced, "characters XML cannot carry written as U+FFFD")
    report.entities, report.relations = graph.number_of_nodes(), graph.number_of_edges()
    with atomic_binary_path(out) as tmp:
        nx.write_graphml(graph, tmp)
    report.files.append(out)
    return report


NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(graph: Any) -> tuple[Any, int]:
    """A copy of the networkx graph whose node ids, edge keys and string attributes hold
    only characters XML 1.0 can carry, and how many were replaced."""
    import networkx as nx

    replaced = 0

    def safe(value: Any) -> Any:
        nonlocal replaced
        if not isinstance(value, str):
            return value
        value, n = NOT_XML.subn("\ufffd", value)
        replaced += n
        return value

    out = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        out.add_node(safe(node), **{k: safe(v) for k, v in data.items()})
    for head, tail, key, data in graph.edges(keys=True, data=True):
        out.add_edge(safe(head), safe(tail), key=safe(key), **{k: safe(v) for k, v in data.items()})
    return out, replaced


EXPORTERS = (Exporter(name="graphml", write=export_graphml),)
