"""What agreement is measured on: each annotator's entities, relations and token labels
over the documents that several annotators annotated.

A document counts for a pair of annotators when both have accepted entities in it (a
document one of them never opened says nothing about agreement). Tokens are the text's
words and punctuation marks (`\\w+` runs and single other non-space characters); a
token takes the label of the first of an annotator's entities it overlaps, else `O`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotate.model import CURATED
from annotate.session import Session

TOKEN = re.compile(r"\w+|[^\w\s]")  # what a token is; `_token_bounds` finds the same
OUTSIDE = 0  # the token code of "no entity"
BATCH = 200  # documents read together
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
    store = session.store
    by_doc = store.document_layers()
    names = sorted({n for layers in by_doc.values() for n in layers
                    if include_curated or n != CURATED})
    if annotators is not None:
        names = [n for n in names if n in set(annotators)]
    wanted = set(names)
    ids = [d for d, layers in by_doc.items() if len(wanted.intersection(layers)) >= 2]
    labels = [e.name for e in session.schema.entity_labels]
    codes = {name: i + 1 for i, name in enumerate(labels)}
    documents = []
    for k in range(0, len(ids), BATCH):
        batch = ids[k:k + BATCH]
        with store.snapshot():  # a relation never comes without its entities
            titles = store.document_titles(batch)
            entities = _by_doc(store.accepted_rows("entities", batch))
            relations = _by_doc(store.accepted_rows("relations", batch))
            for doc_id in batch:
                text = store.document_text(doc_id)
                if text is not None:
                    documents.append(_layers(doc_id, titles.get(doc_id, ""), text, wanted, codes,
                                             entities.get(doc_id, []), relations.get(doc_id, [])))
    used = sorted({k[2] for d in documents for keys in d.relations.values() for k in keys})
    return AgreementData(names, labels, used, documents)


def _layers(doc_id: int, title: str, text: str, names: set[str], codes: dict[str, int],
            entities: list[dict[str, Any]], relations: list[dict[str, Any]]) -> DocumentLayers:
    starts, ends = _token_bounds(text)
    out = DocumentLayers(doc_id, title, len(starts))
    spans: dict[int, tuple[str, Span]] = {}
    for e in entities:
        if e["annotator"] in names:
            out.entities.setdefault(e["annotator"], []).append((e["start"], e["end"], e["label"]))
            spans[e["id"]] = (e["annotator"], (e["start"], e["end"]))
    for name, keys in out.entities.items():
        keys.sort()
        out.tokens[name] = token_labels(starts, ends, keys, codes)
        out.relations[name] = []
    for r in relations:
        head, tail = spans.get(r["head_id"]), spans.get(r["tail_id"])
        if head is not None and tail is not None and head[0] == tail[0]:
            out.relations[head[0]].append(_relation_key(head[1], tail[1], r["label"],
                                                        bool(r["directed"])))
    for keys in out.relations.values():
        keys.sort()
    return out


def _by_doc(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["doc_id"], []).append(row)
    return out


def _token_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The (starts, ends) of the text's tokens as `TOKEN` finds them, computed over the
    whole text at once: a token starts at a non-space character that is not a word
    character (\\w: alphanumeric or `_`, as `re` has it) or follows no word character,
    and ends likewise."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    if points.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    word, space = _classes(points)
    solid = ~space
    before = np.concatenate(([False], word[:-1]))
    after = np.concatenate((word[1:], [False]))
    starts = np.flatnonzero(solid & ~(word & before))
    ends = np.flatnonzero(solid & ~(word & after)) + 1
    return starts, ends


_ASCII = np.array([chr(i).isalnum() or chr(i) == "_" for i in range(128)], bool)
_ASCII_SPACE = np.array([chr(i).isspace() for i in range(128)], bool)


def _classes(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which code points are word characters and which are spaces (as `re` sees them):
    ASCII by table, the others by asking Python about each distinct one."""
    low = np.minimum(points, 127)
    word, space = _ASCII[low], _ASCII_SPACE[low]
    wide = points > 127
    if wide.any():
        values, inverse = np.unique(points[wide], return_inverse=True)
        chars = [chr(v) for v in values]
        word[wide] = np.array([c.isalnum() or c == "_" for c in chars], bool)[inverse]
        space[wide] = np.array([c.isspace() for c in chars], bool)[inverse]
    return word, space


def token_labels(starts: np.ndarray, ends: np.ndarray, entities: Sequence[EntityKey],
                 codes: dict[str, int]) -> np.ndarray:
    """Each token's label code: the first entity (in text order) it overlaps, else OUTSIDE."""
    out = np.zeros(len(starts), np.int32)
    if not entities:
        return out
    spans = np.array([(s, e) for s, e, _ in entities], dtype=np.int64)
    firsts = np.searchsorted(ends, spans[:, 0], side="right")  # first token ending after start
    lasts = np.searchsorted(starts, spans[:, 1], side="left")  # tokens starting before end
    unknown = len(codes) + 1
    # the last written wins: writing in reverse text order leaves the first entity's label
    for k in range(len(entities) - 1, -1, -1):
        out[firsts[k]:lasts[k]] = codes.get(entities[k][2], unknown)
    return out


def _relation_key(head: Span, tail: Span, label: str, directed: bool) -> RelationKey:
    if not directed and tail < head:
        head, tail = tail, head
    return head, tail, label
