"""From reviewed documents and a parse to what the learners take: spaCy `Example`s for
the NER (gold entities, rehearsed base entities, known-wrong spans) and candidate pairs
with features and classes for the relation learner.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotate.relation_features import candidate_pairs, pair_features, sentence_index, token_spans
from annotate.relation_model import NONE, pair_class
from annotate.reviewed import ReviewedDoc

INCORRECT_SPANS_KEY = "incorrect_spans"
Span = tuple[int, int, str]


@dataclass
class Parsed:
    """What the base model's pass over a reviewed document leaves: its entities, and the
    relation learner's candidates (entity index pairs), their features and classes."""

    doc: ReviewedDoc
    base_entities: list[Span]
    pairs: list[tuple[int, int]] = field(default_factory=list)
    features: list[dict[str, float]] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)


def parse_reviewed(nlp: Any, docs: Sequence[ReviewedDoc], symmetric: set[str], *,
                   batch_size: int = 16) -> Iterable[Parsed]:
    """Run the base pipeline (with its parser) over the documents, yielding plain data."""
    for doc, reviewed in zip(nlp.pipe((d.text for d in docs), batch_size=batch_size), docs,
                             strict=True):
        parsed = Parsed(reviewed, [(e.start_char, e.end_char, e.label_) for e in doc.ents])
        _relation_candidates(doc, parsed, symmetric)
        yield parsed


def base_entities(nlp: Any, docs: Sequence[ReviewedDoc], *, batch_size: int = 16
                  ) -> Iterable[list[Span]]:
    """The base model's entities of each document (only its NER runs)."""
    with nlp.select_pipes(enable=[n for n in nlp.pipe_names if n == "ner"]):
        for doc in nlp.pipe((d.text for d in docs), batch_size=batch_size):
            yield [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def add_relation_candidates(nlp: Any, parsed: Sequence[Parsed], symmetric: set[str], *,
                            batch_size: int = 16, stop: Callable[[], bool] = lambda: False
                            ) -> None:
    """Fill each document's candidate pairs, features and classes from the parse (only
    what the parse needs runs)."""
    wanted = [n for n in nlp.pipe_names if n in ("tok2vec", "parser")]
    with nlp.select_pipes(enable=wanted):
        docs = nlp.pipe((p.doc.text for p in parsed), batch_size=batch_size)
        for doc, item in zip(docs, parsed, strict=True):
            if stop():  # training was cancelled
                return
            _relation_candidates(doc, item, symmetric)


def _relation_candidates(doc: Any, parsed: Parsed, symmetric: set[str]) -> None:
    ents = parsed.doc.accepted
    gold = {frozenset((h, t)): (h, t, label) for h, t, label in parsed.doc.relations}
    spans = token_spans(doc, ents)
    starts = sorted(s for s, _, _ in ents)
    for i, j in candidate_pairs(ents, sentence_index(doc)):
        parsed.pairs.append((i, j))
        parsed.features.append(pair_features(doc, spans[i], spans[j], ents[i][2], ents[j][2],
                                             starts))
        rel = gold.get(frozenset((i, j)))
        parsed.classes.append(NONE if rel is None else
                              pair_class(rel[2], rel[0] == i, rel[2] in symmetric))


def untouched_labels(base_labels: Iterable[str], docs: Sequence[ReviewedDoc]) -> set[str]:
    """Base labels the analyst never accepted or rejected in the reviewed documents: the
    ones rehearsal keeps as the base model predicted them."""
    decided = {label for d in docs for _, _, label in (*d.accepted, *d.rejected)}
    return set(base_labels) - decided


def rehearsed_spans(parsed: Parsed, untouched: set[str]) -> list[Span]:
    """The base model's entities of untouched labels that overlap no decision."""
    decided = [(s, e) for s, e, _ in (*parsed.doc.accepted, *parsed.doc.rejected)]
    return [(s, e, label) for s, e, label in parsed.base_entities
            if label in untouched and not any(s < de and ds < e for ds, de in decided)]


def ner_example(nlp: Any, doc: ReviewedDoc, extra: Sequence[Span] = ()) -> Any:
    """A spaCy Example: the gold entities (accepted + `extra`; on overlaps the longest,
    then the earliest, wins), rejected spans under INCORRECT_SPANS_KEY."""
    from spacy.training import Example

    predicted = nlp.make_doc(doc.text)
    reference = nlp.make_doc(doc.text)
    reference.ents = _non_overlapping(reference, [*doc.accepted, *extra])
    accepted = set(doc.accepted)
    wrong = [span for s, e, label in doc.rejected if (s, e, label) not in accepted
             if (span := reference.char_span(s, e, label, alignment_mode="contract")) is not None
             and len(span)]
    reference.spans[INCORRECT_SPANS_KEY] = wrong
    return Example(predicted, reference)


def _non_overlapping(doc: Any, spans: Iterable[Span]) -> list[Any]:
    taken: set[int] = set()
    out = []
    for s, e, label in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0])):
        span = doc.char_span(s, e, label, alignment_mode="expand")
        if span is None or not len(span) or taken & set(range(span.start, span.end)):
            continue
        taken.update(range(span.start, span.end))
        out.append(span)
    return sorted(out, key=lambda sp: sp.start)
