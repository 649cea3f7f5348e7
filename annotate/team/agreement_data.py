"""What agreement is measured on: each annotator's entities, relations and token labels
over the documents that several annotators annotated.

A document counts for a pair of annotators when both have accepted entities in it (a
document one of them never opened says nothing about agreement). Tokens are the text's
words and punctuation marks (`\\w+` runs and single other non-space characters); a
token takes the label of the first of an annotator's entities it overlaps, else `O`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from annotate.model import CURATED, AnnotatedDocument
from annotate.session import Session
from annotate.team.layers import entity_layer, in_layer

TOKEN = re.compile(r"\w+|[^\w\s]")
OUTSIDE = 0  # the token code of "no entity"
Span = tuple[int, int]
EntityKey = tuple[int, int, str]  # start, end, label
RelationKey = tuple[Span, Span, str]  # head span, tail span, label (symmetric: spans in order)


@dataclass
class DocumentLayers:
    """One document as each annotator annotated it."""

    doc_id: int
    title: str
    token_count: int
    entities: dict[str, list[EntityKey]] = field(default_factory=dict)
    relations: dict[str, list[RelationKey]] = field(default_factory=dict)
    tokens: dict[str, np.ndarray] = field(default_factory=dict)  # label codes per token


@dataclass
class AgreementData:
    annotators: list[str]
    labels: list[str]  # entity labels; a token's code is its label's index + 1
    relation_labels: list[str]
    documents: list[DocumentLayers]

    def shared(self, a: str, b: str) -> list[DocumentLayers]:
        """The documents both `a` and `b` annotated."""
        return [d for d in self.documents if a in d.entities and b in d.entities]

    def token_codes(self, a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
        """Both annotators' token codes over the documents they share, end to end."""
        docs = self.shared(a, b)
        if not docs:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        return (np.concatenate([d.tokens[a] for d in docs]),
                np.concatenate([d.tokens[b] for d in docs]))

    def reliability_data(self) -> np.ndarray:
        """annotators × tokens of every document, NaN where an annotator did not annotate."""
        rows = []
        for name in self.annotators:
            parts = [d.tokens[name].astype(float) if name in d.tokens
                     else np.full(d.token_count, np.nan) for d in self.documents]
            rows.append(np.concatenate(parts) if parts else np.zeros(0))
        return np.vstack(rows) if rows else np.zeros((0, 0))


def read(session: Session, annotators: Sequence[str] | None = None, *,
         include_curated: bool = False) -> AgreementData:
    """The agreement data of the store: the documents with two or more of `annotators`
    (default: every layer, the curated one only if asked)."""
    by_doc = session.store.document_layers()
    names = sorted({n for layers in by_doc.values() for n in layers
                    if include_curated or n != CURATED})
    if annotators is not None:
        names = [n for n in names if n in set(annotators)]
    wanted = set(names)
    ids = [d for d, layers in by_doc.items() if len(wanted.intersection(layers)) >= 2]
    labels = [e.name for e in session.schema.entity_labels]
    codes = {name: i + 1 for i, name in enumerate(labels)}
    documents = [_layers(doc, names, codes) for doc in session.corpus(ids=ids)]
    used = sorted({k[2] for d in documents for keys in d.relations.values() for k in keys})
    return AgreementData(names, labels, used, documents)


def _layers(doc: AnnotatedDocument, names: Iterable[str], codes: dict[str, int]
            ) -> DocumentLayers:
    text = doc.document.text
    starts, ends = _token_bounds(text)
    out = DocumentLayers(doc.document.id, doc.document.title, len(starts))
    present = {entity_layer(e) for e in doc.entities}
    directed = {r.id: r.directed for r in doc.relations}
    for name in names:
        if name not in present:
            continue
        entities, relations = in_layer(doc.entities, doc.relations, name)
        out.entities[name] = sorted((e.start, e.end, e.label) for e in entities)
        spans = {e.id: (e.start, e.end) for e in entities}
        out.relations[name] = sorted(
            _relation_key(spans[r.head_id], spans[r.tail_id], r.label, directed[r.id])
            for r in relations)
        out.tokens[name] = token_labels(starts, ends, out.entities[name], codes)
    return out


def _token_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    bounds = [m.span() for m in TOKEN.finditer(text)]
    if not bounds:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    array = np.array(bounds, dtype=np.int64)
    return array[:, 0], array[:, 1]


def token_labels(starts: np.ndarray, ends: np.ndarray, entities: Sequence[EntityKey],
                 codes: dict[str, int]) -> np.ndarray:
    """Each token's label code: the first entity (in text order) it overlaps, else OUTSIDE."""
    out = np.zeros(len(starts), np.int32)
    for start, end, label in entities:
        first = int(np.searchsorted(ends, start, side="right"))  # first token ending after start
        last = int(np.searchsorted(starts, end, side="left"))  # tokens starting before end
        part = out[first:last]
        part[part == OUTSIDE] = codes.get(label, len(codes) + 1)
    return out


def _relation_key(head: Span, tail: Span, label: str, directed: bool) -> RelationKey:
    if not directed and tail < head:
        head, tail = tail, head
    return head, tail, label
