"""The corpus' actor graph as plain data: what the graph view draws and GraphML exports.

Actors are accepted entities merged across documents by label and normalised text
(Unicode NFKC, case-folded, whitespace collapsed); mentions joined by accepted
symmetric-transitive relations (SAME_AS) are merged into one actor (connected
components). An edge joins two actors per relation label and counts the accepted
relations between accepted entities behind it; symmetric labels give one undirected
edge (from the lower-numbered node). A relation inside one merged actor has no edge:
`CorpusGraph.merged_relations` counts them.
"""
from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import groupby
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from annotate.model import AnnotatedDocument
from annotate.schema import Schema

if TYPE_CHECKING:
    from annotate.session import Session

Key = tuple[str, str]  # (label, normalised text)
# objects freed in one go when a large graph's working tables are dropped (see `release`)
FREE_AT_ONCE = 5_000


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class ActorNode:
    id: str  # "n1", "n2", ... in a stable order
    text: str  # the commonest surface form of the commonest member
    label: str  # the commonest label over its mentions
    labels: tuple[str, ...]
    mentions: int
    documents: tuple[int, ...]
    entity_ids: tuple[int, ...]
    aliases: tuple[str, ...]  # every surface form, commonest first


@dataclass(frozen=True, slots=True)
class ActorEdge:
    source: str
    target: str
    label: str
    directed: bool
    count: int
    documents: tuple[int, ...]
    relation_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CorpusGraph:
    nodes: tuple[ActorNode, ...] = ()
    edges: tuple[ActorEdge, ...] = ()
    merged_relations: int = 0  # relations within one merged actor, not drawn

    def node(self, node_id: str) -> ActorNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def find(self, text: str) -> list[ActorNode]:
        """Actors one of whose surface forms is `text` (normalised), else contains it."""
        wanted = normalise(text)
        if not wanted:
            return []
        exact = [n for n in self.nodes if any(normalise(a) == wanted for a in n.aliases)]
        return exact or [n for n in self.nodes if any(wanted in normalise(a) for a in n.aliases)]

    def filtered(self, *, entity_labels: Iterable[str] | None = None,
                 relation_labels: Iterable[str] | None = None,
                 connected_only: bool = False) -> CorpusGraph:
        """The actors with one of `entity_labels`, the edges with one of `relation_labels`
        between them (None keeps all); `connected_only` drops actors without an edge."""
        nodes = self.nodes
        if entity_labels is not None:
            keep = set(entity_labels)
            nodes = tuple(n for n in nodes if n.label in keep)
        ids = {n.id for n in nodes}
        rel_keep = set(relation_labels) if relation_labels is not None else None
        edges = tuple(e for e in self.edges if e.source in ids and e.target in ids
                      and (rel_keep is None or e.label in rel_keep))
        if connected_only:
            linked = {e.source for e in edges} | {e.target for e in edges}
            nodes = tuple(n for n in nodes if n.id in linked)
        return replace(self, nodes=nodes, edges=edges)


@dataclass
class ActorGraphBuilder:
    """Collects mentions and relations document by document, then builds the graph."""

    schema: Schema
    parent: dict[Key, Key] = field(default_factory=dict)
    texts: dict[Key, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    documents: dict[Key, set[int]] = field(default_factory=lambda: defaultdict(set))
    entity_ids: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    edges: list[tuple[Key, Key, str, int, int]] = field(default_factory=list)
    seen: dict[Key, int] = field(default_factory=dict)  # first-seen order breaks ties

    def __post_init__(self) -> None:
        self.transitive = {r.name for r in self.schema.relation_labels
                           if r.kind == "symmetric_transitive"}

    def root(self, key: Key) -> Key:
        while self.parent.setdefault(key, key) != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def add(self, ad: AnnotatedDocument) -> None:
        """Add a document's accepted entities and accepted relations between them."""
        text = ad.document.text
        self.add_rows(ad.document.id,
                      [(e.id, e.label, text[e.start:e.end]) for e in ad.entities
                       if e.status == "accepted"],
                      [(r.id, r.head_id, r.tail_id, r.label) for r in ad.relations
                       if r.status == "accepted"])

    def add_rows(self, doc_id: int, entities: Iterable[tuple[int, str, str]],
                 relations: Iterable[tuple[int, int, int, str]]) -> None:
        """Add one document's accepted (id, label, text) entities and accepted
        (id, head id, tail id, label) relations."""
        keys: dict[int, Key] = {}
        for entity_id, label, surface in entities:
            keys[entity_id] = key = (label, normalise(surface))
            self.seen.setdefault(key, len(self.seen))
            self.root(key)
            self.texts[key][surface] += 1
            self.documents[key].add(doc_id)
            self.entity_ids[key].append(entity_id)
        for rel_id, head_id, tail_id, label in relations:
            if head_id not in keys or tail_id not in keys:
                continue
            head, tail = keys[head_id], keys[tail_id]
            if label in self.transitive:
                self.parent[self.root(head)] = self.root(tail)
            else:
                self.edges.append((head, tail, label, doc_id, rel_id))

    def release(self) -> None:
        """Drop what was collected one actor at a time: freed all at once, the millions of
        ids of a large corpus hold Python's lock for most of a second, and a read off the
        GUI thread would freeze the window that long."""
        free_gradually(self.documents, self.entity_ids, self.texts, self.edges)

    def build(self) -> CorpusGraph:
        groups: dict[Key, list[Key]] = defaultdict(list)
        for key in sorted(self.parent):
            groups[self.root(key)].append(key)
        nodes, node_of = [], {}
        for n, members in enumerate(sorted(groups.values()), start=1):
            nodes.append(self._node(f"n{n}", members))
            node_of.update((k, f"n{n}") for k in members)
        edges, merged = self._edges(node_of)
        return CorpusGraph(tuple(nodes), edges, merged)

    def _node(self, node_id: str, members: list[Key]) -> ActorNode:
        main = max(members, key=lambda k: (sum(self.texts[k].values()), -self.seen[k]))
        labels: Counter[str] = Counter()
        surfaces: Counter[str] = Counter()
        for k in members:
            labels[k[0]] += sum(self.texts[k].values())
            surfaces.update(self.texts[k])
        docs = set().union(*(self.documents[k] for k in members))
        return ActorNode(
            id=node_id, text=self.texts[main].most_common(1)[0][0],
            label=labels.most_common(1)[0][0], labels=tuple(sorted(labels)),
            mentions=sum(labels.values()), documents=tuple(sorted(docs)),
            entity_ids=tuple(sorted(i for k in members for i in self.entity_ids[k])),
            aliases=tuple(s for s, _ in surfaces.most_common()))

    def _edges(self, node_of: dict[Key, str]) -> tuple[tuple[ActorEdge, ...], int]:
        symmetric = {r.name for r in self.schema.relation_labels if r.symmetric}
        rels: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        docs: dict[tuple[str, str, str], set[int]] = defaultdict(set)
        merged = 0
        for head, tail, label, doc_id, rel_id in self.edges:
            a, b = node_of[self.root(head)], node_of[self.root(tail)]
            if a == b:
                merged += 1
                continue
            if label in symmetric:
                a, b = sorted((a, b), key=lambda n: int(n[1:]))
            rels[(a, b, label)].append(rel_id)
            docs[(a, b, label)].add(doc_id)
        edges = tuple(
            ActorEdge(a, b, label, label not in symmetric, len(ids), tuple(sorted(docs[key])),
                      tuple(sorted(ids)))
            for key, ids in _in_key_order(rels) for a, b, label in (key,))
        free_gradually(rels, docs)
        return edges, merged


def free_gradually(*tables: dict[Any, Any] | list[Any]) -> None:
    """Empty these dicts and lists a little at a time (an entry, or FREE_AT_ONCE list
    items, per step), so Python can switch threads between steps: the working tables of
    a large graph hold millions of objects, and freed in one go (as a function returns,
    say) they keep Python's lock, and a window reading off its GUI thread stands still,
    for most of a second."""
    for table in tables:
        if isinstance(table, dict):
            while table:
                table.popitem()
        else:
            while table:
                del table[-FREE_AT_ONCE:]


def _in_key_order(rels: dict[tuple[str, str, str], list[int]]
                  ) -> list[tuple[tuple[str, str, str], list[int]]]:
    """`sorted(rels.items())`, sorting numbers: tens of thousands of (source, target,
    label) keys compared as tuples of strings keep Python's lock for a tenth of a second
    in one C call (a window reading the graph off its GUI thread stands still that long);
    each key's rank in the same order, worked out first, sorts in a few milliseconds."""
    nodes = sorted({n for a, b, _ in rels for n in (a, b)})
    labels = sorted({label for _, _, label in rels})
    node_rank = {n: i for i, n in enumerate(nodes)}
    label_rank = {label: i for i, label in enumerate(labels)}
    width, depth = len(nodes), len(labels)
    ranked = {(node_rank[a] * width + node_rank[b]) * depth + label_rank[label]: key
              for key in rels for a, b, label in (key,)}
    return [(ranked[rank], rels[ranked[rank]]) for rank in sorted(ranked)]


def corpus_graph(corpus: Iterable[AnnotatedDocument], schema: Schema) -> CorpusGraph:
    builder = ActorGraphBuilder(schema)
    for ad in corpus:
        builder.add(ad)
    return builder.build()


def graph_from_rows(entities: Iterable[Any], relations: Iterable[Any], schema: Schema
                    ) -> CorpusGraph:
    """The graph from the store's bulk rows (`storage.search.graph_rows`: readable by
    column name, each in document order), consumed as they come."""
    builder = ActorGraphBuilder(schema)
    rels = iter(relations)
    pending = next(rels, None)
    for doc_id, rows in groupby(entities, key=lambda e: e["doc_id"]):
        doc_rels = []
        # relations of documents without accepted entities link nothing
        while pending is not None and pending["doc_id"] <= doc_id:
            if pending["doc_id"] == doc_id:
                doc_rels.append((pending["id"], pending["head_id"], pending["tail_id"],
                                 pending["label"]))
            pending = next(rels, None)
        builder.add_rows(doc_id, [(e["id"], e["label"], e["text"]) for e in rows], doc_rels)
    graph = builder.build()
    builder.release()
    return graph


def to_networkx(graph: CorpusGraph):  # -> nx.MultiDiGraph
    """A `MultiDiGraph` keyed by edge label, with GraphML-friendly (scalar) attributes."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for n in graph.nodes:
        g.add_node(n.id, label=n.label, labels=",".join(n.labels), text=n.text,
                   mentions=n.mentions, documents=",".join(str(d) for d in n.documents))
    for e in graph.edges:
        g.add_edge(e.source, e.target, key=e.label, label=e.label, count=e.count,
                   documents=",".join(str(d) for d in e.documents), directed=e.directed)
    return g


# --- layout ---------------------------------------------------------------------------------

SMALL_COMPONENT = 6  # laid out on a circle
SPRING_LIMIT = 150  # components up to this size get a force-directed layout
EDGE_LENGTH = 1.5  # layout units


def layout(graph: CorpusGraph, seed: int = 7, aspect: float = 1.5
           ) -> dict[str, tuple[float, float]]:
    """Positions for every node, about one unit apart, each connected component laid out
    on its own (networkx spring layout; large components as BFS shells around their
    best-connected actor, relaxed by a few spring steps) and the components packed in
    rows, largest first, into an area `aspect` times as wide as high. Deterministic for
    a given graph and seed."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(n.id for n in graph.nodes)
    for e in graph.edges:  # `labels`: how many edges (each with its label) join the pair
        labels = g.edges[e.source, e.target]["labels"] + 1 if g.has_edge(
            e.source, e.target) else 1
        g.add_edge(e.source, e.target, labels=labels, weight=1.0 / labels)
    components = sorted((sorted(c, key=lambda n: int(n[1:])) for c in nx.connected_components(g)),
                        key=lambda c: (-len(c), int(c[0][1:])))
    sizes = {n.id: disc_size(n.mentions) for n in graph.nodes}
    placed = [_component_layout(g.subgraph(c), c, seed, sizes) for c in components]
    return _pack(placed, aspect)


def _component_layout(sub: Any, nodes: list[str], seed: int, sizes: dict[str, float]
                      ) -> dict[str, tuple[float, float]]:
    import networkx as nx

    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    scale = math.sqrt(n) * 0.9  # about one unit between neighbours
    if n <= SMALL_COMPONENT:
        pos = nx.circular_layout(nodes, scale=max(scale, 0.8))
    elif n <= SPRING_LIMIT:
        # a longer ideal edge than networkx's default spreads the leaves around hubs
        # pairs joined by several labels pull less, leaving room for their bent edges
        pos = nx.spring_layout(sub, seed=seed, k=2.2 / math.sqrt(n), weight="weight",
                               iterations=100 if n <= 30 else 50)
        pos = _spread(_edge_length(pos, sub, EDGE_LENGTH), sizes, sub)
        pos = _level(pos)
    else:
        pos = nx.shell_layout(sub, nlist=_shells(sub), scale=scale)
        if n <= 4 * SPRING_LIMIT:
            pos = nx.spring_layout(sub, pos=pos, seed=seed, scale=scale, iterations=8,
                                   weight=None)
    return {k: (float(v[0]), float(v[1])) for k, v in pos.items()}


def _edge_length(pos: dict[str, Any], sub: Any, length: float) -> dict[str, Any]:
    """Scale a layout so its median edge is `length` long (a chain or a far leaf would
    otherwise squeeze the rest when the layout is fitted to a box)."""
    import numpy as np

    lengths = [math.dist(pos[a], pos[b]) for a, b in sub.edges]
    median = float(np.median(lengths)) if lengths else 0.0
    factor = length / median if median > 1e-9 else 1.0
    return {n: (p[0] * factor, p[1] * factor) for n, p in pos.items()}


def disc_size(mentions: int) -> float:
    """Room an actor's disc and name need, in layout units (the view draws discs
    about 100 pixels to the unit)."""
    return min(0.09 + 0.045 * math.sqrt(max(mentions, 1)), 0.46) + 0.18


def _spread(pos: dict[str, Any], sizes: dict[str, float], sub: Any,
            rounds: int = 80) -> dict[str, Any]:
    """Push apart discs that overlap (hubs pull their neighbours in close), and pairs
    joined by several labels until their edges' labels fit, a little at a time so the
    layout keeps its shape."""
    import numpy as np

    nodes = list(pos)
    at = {n: i for i, n in enumerate(nodes)}
    xy = np.array([pos[n] for n in nodes], dtype=float)
    room = np.array([sizes.get(n, 0.3) for n in nodes])
    need = room[:, None] + room[None, :]
    for a, b, labels in sub.edges(data="labels"):
        i, j = at[a], at[b]
        need[i, j] = need[j, i] = max(need[i, j], 1.0 + 0.55 * labels)
    np.fill_diagonal(need, 0.0)
    for _ in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=-1), 1e-6)
        overlap = np.clip(need - dist, 0.0, None)
        if overlap.max() < 0.02:
            break
        push = (delta / dist[..., None]) * (overlap[..., None] * 0.5)
        xy += push.sum(axis=1) * 0.5
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy, strict=True)}


def _level(pos: dict[str, Any]) -> dict[str, Any]:
    """Turn a layout so its longest extent runs left to right (screens are wide)."""
    import numpy as np

    xy = np.array(list(pos.values()), dtype=float)
    centred = xy - xy.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    turned = centred @ vectors[:, ::-1]  # the principal axis first
    return {n: (float(x), float(y)) for n, (x, y) in zip(pos, turned, strict=True)}


def _shells(sub: Any) -> list[list[str]]:
    """Breadth-first rings around the best-connected node, each ring ordered by its
    parents' order so a node sits near the one that brought it in."""

    hub = max(sub.nodes, key=lambda n: (sub.degree(n, weight="weight"), -int(n[1:])))
    shells = [[hub]]
    seen = {hub}
    while True:
        ring = []
        for parent in shells[-1]:
            for child in sorted(sub.neighbors(parent), key=lambda n: int(n[1:])):
                if child not in seen:
                    seen.add(child)
                    ring.append(child)
        if not ring:
            break
        shells.append(ring)
    return shells


def _pack(placed: list[dict[str, tuple[float, float]]], aspect: float
          ) -> dict[str, tuple[float, float]]:
    """Shelf-pack component layouts (largest first) into rows of an area `aspect` times
    as wide as high."""
    boxes = []
    for pos in placed:
        xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs) + 1.6, max(ys) - min(ys) + 1.6))
    total = sum(w * h for _, _, w, h in boxes)
    width = max(math.sqrt(total * aspect) * 1.1, max((b[2] for b in boxes), default=1))
    out: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for pos, (x0, y0, w, h) in zip(placed, boxes, strict=True):
        if x > 0 and x + w > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (px, py) in pos.items():
            out[node] = (x + px - x0 + 0.8, y + py - y0 + 0.8)
        x += w
        row_height = max(row_height, h)
    return out


# --- reading the graph and what lies behind it from a session ----------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of an actor, with some text on either side."""

    entity_id: int
    doc_id: int
    title: str
    start: int
    end: int
    label: str
    text: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """One relation behind an edge, with its evidence sentence. `head` and `tail` are
    (start, end) within `sentence`, or None when the entity lies outside it."""

    relation_id: int
    doc_id: int
    title: str
    label: str
    directed: bool
    head_text: str
    tail_text: str
    sentence: str
    start: int  # where `sentence` starts in the document (code points)
    head: tuple[int, int] | None
    tail: tuple[int, int] | None
    note: str = ""
    confidence: str | None = None


def load_graph(session: Session, statuses: Iterable[str] | None = None) -> CorpusGraph:
    """The actor graph of the documents with one of `statuses` (all when None)."""
    from storage.search import graph_row_cursors

    return graph_from_rows(*graph_row_cursors(session.store, statuses), session.schema)


def mentions(session: Session, node: ActorNode) -> list[Mention]:
    from storage.search import mention_rows

    return [Mention(r["id"], r["doc_id"], r["title"], r["start"], r["end"], r["label"], r["text"],
                    r["before"], r["after"]) for r in mention_rows(session.store, node.entity_ids)]


def evidence(session: Session, edge: ActorEdge) -> list[Evidence]:
    from storage.search import relation_rows

    out = []
    for r in relation_rows(session.store, edge.relation_ids):
        if r["evidence"] is not None:
            sentence, start = r["evidence"], r["evidence_start"]
        else:  # no sentence recorded: the view shows head and tail alone
            sentence, start = "", min(r["head_start"], r["tail_start"])
        out.append(Evidence(
            r["id"], r["doc_id"], r["title"], r["label"], bool(r["directed"]), r["head_text"],
            r["tail_text"], sentence, start,
            _within(r["head_start"], r["head_end"], start, len(sentence)),
            _within(r["tail_start"], r["tail_end"], start, len(sentence)),
            r["note"] or "", r["confidence"]))
    return out


def _within(s: int, e: int, start: int, length: int) -> tuple[int, int] | None:
    return (s - start, e - start) if start <= s and e <= start + length else None
