"""spaCy `DocBin` export (`.spacy`), saved with `store_user_data=True`.

Tokens come from `spacy.blank("en")` (the tokenizer of `en_core_web_sm`); no model is needed.
- `doc.ents`: the accepted entities, widened to token boundaries (`alignment_mode="expand"`),
  without overlaps: longest first (in characters), then earliest, then first stored.
- `doc.spans["arcmark"]`: every entity whatever its status, with the group's `attrs` holding
  parallel lists `ids`, `status`, `origin`, `annotator` and `char_offsets` (the exact
  code-point [start, end] when the span had to be widened to whole tokens).
- `doc._.rel`: as in Explosion's relation-extraction tutorial, a dict keyed by
  (start token of head entity, start token of tail entity) over ordered pairs of `doc.ents`
  in one sentence whose starts are at most 100 tokens apart (the tutorial's candidate
  window) or that carry a relation, each {label: 1.0 if related, else 0.0} over the
  schema's relation labels. A sentence gives at most 200 candidate pairs, nearest first
  (a text dense with entities would otherwise give millions: gigabytes for one document);
  those left out are counted in the notes. Sentences are the stored ones, else the text
  cut after ".", "!" and "?".
  Accepted relations between two entities of `doc.ents` are written; a symmetric label is
  1.0 in both directions. The extension "rel" is registered (default {}) if missing.
- `doc.user_data["arcmark_document"]`: {id, title, source, status}.
Load with `DocBin().from_disk(path).get_docs(nlp.vocab)`.
"""
from __future__ import annotations

import heapq
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotate.model import AnnotatedDocument, Entity
from annotate.schema import Schema
from annotate.tokens import blank_english

from ._common import (
    Cancel,
    Cancelled,
    Exporter,
    ExportReport,
    Progress,
    atomic_binary_path,
    counted,
)

MAX_DISTANCE = 100
MAX_PAIRS_PER_SENTENCE = 200
MAX_PAIRS_PER_DOCUMENT = 100_000
SPAN_KEY = "arcmark"


def ensure_rel_extension() -> None:
    from spacy.tokens import Doc

    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})


def token_spans(doc: Any, entities: Iterable[Entity]) -> list[tuple[Entity, Any]]:
    spans = []
    for entity in entities:
        span = doc.char_span(entity.start, entity.end, label=entity.label,
                             alignment_mode="expand")
        if span is not None and len(span):
            spans.append((entity, span))
    return spans


def widened(pairs: list[tuple[Entity, Any]]) -> int:
    """How many entities' token spans are wider than the entities (an edge inside a token,
    e.g. "CD4" in "CD4(+)")."""
    return sum(1 for entity, span in pairs
               if (span.start_char, span.end_char) != (entity.start, entity.end))


def choose_ents(pairs: list[tuple[Entity, Any]]) -> list[tuple[Entity, Any]]:
    """Non-overlapping token spans: longest entity first, then earliest, then stored order."""
    ranked = sorted(pairs, key=lambda p: (-(p[0].end - p[0].start), p[0].start))
    taken: list[tuple[Entity, Any]] = []
    used: set[int] = set()
    for entity, span in ranked:
        tokens = set(range(span.start, span.end))
        if not tokens & used:
            taken.append((entity, span))
            used |= tokens
    return sorted(taken, key=lambda p: p[1].start)


def sentence_starts(doc: Any, sentences: Iterable[tuple[int, int]]) -> list[int]:
    """The token index where each sentence starts: the stored sentences (code points), or
    after each ".", "!" and "?" token."""
    starts = [t.idx for t in doc]
    found = sorted({bisect_left(starts, start) for start, _ in sentences})
    if found:
        return found
    return [0] + [t.i + 1 for t in doc if t.text in (".", "!", "?") and t.i + 1 < len(doc)]


def candidate_pairs(starts: list[int], sentences: list[int]) -> tuple[list[tuple[int, int]], int]:
    """Ordered pairs of entity starts (`starts` sorted, distinct) in one sentence and at
    most MAX_DISTANCE tokens apart: at most MAX_PAIRS_PER_SENTENCE per sentence, nearest
    first, and MAX_PAIRS_PER_DOCUMENT in all; and how many were left out."""
    pairs: list[tuple[int, int]] = []
    left_out = 0
    for first, end in zip(sentences, sentences[1:] + [sys.maxsize]):
        inside = starts[bisect_left(starts, first):bisect_left(starts, end)]
        room = max(0, min(MAX_PAIRS_PER_SENTENCE, MAX_PAIRS_PER_DOCUMENT - len(pairs))) // 2
        nearest, total = _nearest(inside, room)
        pairs += [(a, b) for a, b in nearest] + [(b, a) for a, b in nearest]
        left_out += 2 * (total - len(nearest))
    return pairs, left_out


def _nearest(starts: list[int], room: int) -> tuple[list[tuple[int, int]], int]:
    """The `room` nearest pairs (a < b) of `starts` at most MAX_DISTANCE apart, in text
    order, and how many such pairs there are. Linear in practice: once `room` pairs are
    found, a start looks only at partners nearer than the farthest kept."""
    heap: list[tuple[int, int, int]] = []  # (-distance, -a, b): the farthest on top
    total = 0
    for i, a in enumerate(starts):
        high = bisect_right(starts, a + MAX_DISTANCE, i + 1)
        total += high - i - 1
        for b in starts[i + 1:high] if room else ():
            if len(heap) < room:
                heapq.heappush(heap, (a - b, -a, b))
            elif b - a < -heap[0][0]:
                heapq.heapreplace(heap, (a - b, -a, b))
            else:
                break  # the partners after b are farther still
    return sorted((-na, b) for _, na, b in heap), total


def _rel(ad: AnnotatedDocument, ents: list[tuple[Entity, Any]], schema: Schema,
         sentences: list[int]) -> tuple[dict[tuple[int, int], dict[str, float]], int, int]:
    """doc._.rel, the relations written and the candidate pairs left out."""
    labels = schema.relation_names
    start_of = {entity.id: span.start for entity, span in ents}
    starts = [span.start for _, span in ents]  # sorted: the ents are in text order
    pairs, left_out = candidate_pairs(starts, sentences)
    rels = {pair: dict.fromkeys(labels, 0.0) for pair in pairs}
    written = 0
    for rel in ad.relations:
        if rel.status != "accepted" or rel.head_id not in start_of or rel.tail_id not in start_of:
            continue
        head, tail = start_of[rel.head_id], start_of[rel.tail_id]
        keys = [(head, tail)] + ([(tail, head)] if not rel.directed else [])
        for key in keys:
            rels.setdefault(key, dict.fromkeys(labels, 0.0))[rel.label] = 1.0
        written += 1
    return rels, written, left_out


def to_doc(ad: AnnotatedDocument, schema: Schema, report: ExportReport) -> Any:
    """The spaCy `Doc` of one document; what is left out is counted on `report`."""
    from spacy.tokens import SpanGroup

    ensure_rel_extension()
    document = ad.document
    doc = blank_english().make_doc(document.text)
    all_spans = token_spans(doc, ad.entities)
    ents = choose_ents([p for p in all_spans if p[0].status == "accepted"])
    doc.ents = [span for _, span in ents]
    doc.spans[SPAN_KEY] = SpanGroup(doc, name=SPAN_KEY, spans=[s for _, s in all_spans], attrs={
        "ids": [e.id for e, _ in all_spans], "status": [e.status for e, _ in all_spans],
        "origin": [e.origin for e, _ in all_spans],
        "annotator": [e.annotator or "" for e, _ in all_spans],
        "char_offsets": [[e.start, e.end] for e, _ in all_spans]})
    sentences = sentence_starts(doc, document.sentences)
    doc._.rel, written, left_out = _rel(ad, ents, schema, sentences)
    doc.user_data["arcmark_document"] = {"id": document.id, "title": document.title,
                                         "source": document.source, "status": document.status}
    accepted = sum(1 for e in ad.entities if e.status == "accepted")
    report.entities += len(ents)
    report.relations += written
    report.note(accepted - len(ents), "accepted entities left out of doc.ents (overlaps)")
    report.note(widened(all_spans), "entities widened to token boundaries (spaCy spans hold "
                                    "whole tokens; doc.spans attrs char_offsets keep the exact ones)")
    report.note(sum(1 for r in ad.relations if r.status == "accepted") - written,
                "accepted relations left out of doc._.rel (an entity not in doc.ents)")
    report.note(left_out, f"candidate pairs left out of doc._.rel (beyond "
                          f"{MAX_PAIRS_PER_SENTENCE} in a sentence)")
    return doc


def export_spacy(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                 progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    from spacy.tokens import DocBin

    report = ExportReport()
    bin_ = DocBin(store_user_data=True)
    try:
        for ad in counted(corpus, progress, cancelled):
            bin_.add(to_doc(ad, schema, report))
            report.documents += 1
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    with atomic_binary_path(out) as tmp:
        bin_.to_disk(tmp)
    report.files.append(out)
    return report


EXPORTERS = (Exporter(name="spacy", write=export_spacy),)
