"""Precision, recall and F1 per label: entities by exact span and label, relations by
exact head span, tail span and label.

Only the labels the analyst annotates are scored (the labels of the gold); a model's
other predictions are left out for both the base and the trained model. The base
model's own labels are mapped into the gold's: a base label the gold uses stays, else
`BASE_LABEL_MAP` names its counterpart (the mapping the README states), else it is
not scored.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

Span = tuple[int, int, str]
# OntoNotes labels (the base model's) -> labels of analysts' schemas such as re3d's
BASE_LABEL_MAP = {
    "PERSON": "Person", "ORG": "Organisation", "NORP": "Nationality", "GPE": "Location",
    "LOC": "Location", "FAC": "Location", "DATE": "Temporal", "TIME": "Temporal",
    "MONEY": "Money", "QUANTITY": "Quantity", "CARDINAL": "Quantity", "PERCENT": "Quantity",
}


def label_map(predicted: Iterable[str], gold_labels: set[str]) -> dict[str, str]:
    """How predicted labels are scored: kept if the gold uses them, else mapped when the
    counterpart is a gold label; labels missing here are not scored."""
    out = {}
    for label in set(predicted):
        if label in gold_labels:
            out[label] = label
        elif BASE_LABEL_MAP.get(label) in gold_labels:
            out[label] = BASE_LABEL_MAP[label]
    return out


def map_spans(spans: Iterable[Span], mapping: dict[str, str]) -> set[Span]:
    return {(s, e, mapping[label]) for s, e, label in spans if label in mapping}


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def score_sets(pairs: Iterable[tuple[set[Any], set[Any]]], label_of=lambda item: item[-1],  # type: ignore[no-untyped-def]
               ) -> dict[str, Any]:
    """{"micro": prf, "labels": {label: prf}} over (predicted, gold) set pairs, items
    compared exactly; `label_of` reads an item's label."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for predicted, gold in pairs:
        for item in predicted & gold:
            tp[label_of(item)] += 1
        for item in predicted - gold:
            fp[label_of(item)] += 1
        for item in gold - predicted:
            fn[label_of(item)] += 1
    labels = sorted(set(tp) | set(fp) | set(fn))
    return {"micro": prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
            "labels": {label: prf(tp[label], fp[label], fn[label]) for label in labels}}


def score_entities(predicted: Sequence[Iterable[Span]], gold: Sequence[Iterable[Span]],
                   ) -> dict[str, Any]:
    """Entity scores over documents (predicted[i] against gold[i]), predicted labels
    mapped into the gold's labels (see the module's note); the mapping is returned too."""
    gold_sets = [set(g) for g in gold]
    gold_labels = {label for g in gold_sets for _, _, label in g}
    mapping = label_map((label for p in predicted for _, _, label in p), gold_labels)
    out = score_sets(zip([map_spans(p, mapping) for p in predicted], gold_sets, strict=True))
    out["mapping"] = {k: v for k, v in sorted(mapping.items()) if k != v}
    return out


def relation_key(head: Span, tail: Span, label: str, symmetric: bool) -> tuple[Any, ...]:
    """A relation as compared: exact spans and label (either order when symmetric)."""
    if symmetric and tail < head:
        head, tail = tail, head
    return (head, tail, label)


def score_relations(pairs: Iterable[tuple[set[Any], set[Any]]]) -> dict[str, Any]:
    return score_sets(pairs)
