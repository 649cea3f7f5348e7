"""GraphML export: the corpus' actor graph, for Gephi, Cytoscape or networkx.

Nodes are actors: accepted entities merged across documents by label and normalised text
(Unicode NFKC, case-folded, whitespace collapsed), and mentions joined by accepted
symmetric-transitive relations (SAME_AS) merged into one node (connected components).
Node attributes: `label` (the most frequent label; `labels` lists all of them), `text`
(the commonest surface form of the commonest mention), `mentions`, `documents` (ids,
comma-joined). The report counts nodes as entities and edges as relations.
Edges: one per (node pair, relation label) over accepted relations between accepted
entities, with `label`, `count`, `documents` and `directed`; symmetric labels give one edge
with directed=false (from the smaller node id). The graph is a `MultiDiGraph` whose edge
keys are the labels. A relation inside one merged node (a self loop) is counted in the
report's notes, not drawn.
"""
from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from annotate.model import AnnotatedDocument, Entity
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

Key = tuple[str, str]  # (label, normalised text)


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _key(entity: Entity, text: str) -> Key:
    return entity.label, normalise(text[entity.start:entity.end])


@dataclass
class _Actors:
    """Mentions grouped by key, keys joined by SAME_AS, relations counted per key pair."""

    parent: dict[Key, Key] = field(default_factory=dict)
    texts: dict[Key, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    documents: dict[Key, set[int]] = field(default_factory=lambda: defaultdict(set))
    edges: list[tuple[Key, Key, str, int]] = field(default_factory=list)
    seen: dict[Key, int] = field(default_factory=dict)  # first-seen order breaks ties

    def root(self, key: Key) -> Key:
        while self.parent.setdefault(key, key) != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def add(self, ad: AnnotatedDocument, transitive: set[str]) -> None:
        text, doc_id = ad.document.text, ad.document.id
        keys = {}
        for entity in ad.entities:
            if entity.status == "accepted":
                keys[entity.id] = key = _key(entity, text)
                self.seen.setdefault(key, len(self.seen))
                self.root(key)
                self.texts[key][text[entity.start:entity.end]] += 1
                self.documents[key].add(doc_id)
        for rel in ad.relations:
            if rel.status != "accepted" or rel.head_id not in keys or rel.tail_id not in keys:
                continue
            head, tail = keys[rel.head_id], keys[rel.tail_id]
            if rel.label in transitive:
                self.parent[self.root(head)] = self.root(tail)
            else:
                self.edges.append((head, tail, rel.label, doc_id))


def build_graph(actors: _Actors, schema: Schema, report: ExportReport):  # -> nx.MultiDiGraph
    import networkx as nx

    groups: dict[Key, list[Key]] = defaultdict(list)
    for key in sorted(actors.parent):
        groups[actors.root(key)].append(key)
    node_of: dict[Key, str] = {}
    graph = nx.MultiDiGraph()
    for n, members in enumerate(sorted(groups.values()), start=1):
        node = f"n{n}"
        main = max(members, key=lambda k: (sum(actors.texts[k].values()), -actors.seen[k]))
        labels: Counter[str] = Counter()
        for k in members:
            labels[k[0]] += sum(actors.texts[k].values())
        docs = set().union(*(actors.documents[k] for k in members))
        graph.add_node(node, label=labels.most_common(1)[0][0],
                       labels=",".join(sorted(labels)),
                       text=actors.texts[main].most_common(1)[0][0],
                       mentions=sum(labels.values()),
                       documents=",".join(str(d) for d in sorted(docs)))
        node_of.update((k, node) for k in members)
    _add_edges(graph, actors, node_of, schema, report)
    return graph


def _add_edges(graph, actors: _Actors, node_of: dict[Key, str], schema: Schema,
               report: ExportReport) -> None:
    symmetric = {r.name for r in schema.relation_labels if r.symmetric}
    counts: Counter[tuple[str, str, str]] = Counter()
    docs: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for head, tail, label, doc_id in actors.edges:
        a, b = node_of[actors.root(head)], node_of[actors.root(tail)]
        if a == b:
            report.note(1, "relations within one merged actor not drawn")
            continue
        if label in symmetric:
            a, b = sorted((a, b), key=lambda n: int(n[1:]))
        counts[(a, b, label)] += 1
        docs[(a, b, label)].add(doc_id)
    for (a, b, label), count in sorted(counts.items()):
        graph.add_edge(a, b, key=label, label=label, count=count,
                       documents=",".join(str(d) for d in sorted(docs[(a, b, label)])),
                       directed=label not in symmetric)


def export_graphml(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                   progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    import networkx as nx

    report, actors = ExportReport(), _Actors()
    transitive = {r.name for r in schema.relation_labels if r.kind == "symmetric_transitive"}
    try:
        for ad in counted(corpus, progress, cancelled):
            actors.add(ad, transitive)
            report.documents += 1
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    graph = build_graph(actors, schema, report)
    report.entities, report.relations = graph.number_of_nodes(), graph.number_of_edges()
    with atomic_binary_path(out) as tmp:
        nx.write_graphml(graph, tmp)
    report.files.append(out)
    return report


EXPORTERS = (Exporter(name="graphml", write=export_graphml),)
