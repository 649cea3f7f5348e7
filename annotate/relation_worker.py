"""Relation suggestion for a batch of texts: plain data in, plain data out.

    suggest_relations(nlp, model, tasks) -> [[(head, tail, label, score), ...], ...]

- `nlp`: a spaCy pipeline with a parser (the base model or a trained version).
- `model`: plain data (JSON-able, picklable): `{"relations": [schema relation labels as
  dicts: name, kind, heads, tails], "learner": the `relation_model.fit` output or None,
  "patterns": [{"label", "pattern"}] (DependencyMatcher patterns naming the nodes
  `head` and `tail`), "pattern_score": float, "min_score": float}`.
- `tasks`: one `(text, entities)` per document; `entities` are the accepted entities as
  `(start, end, label)` code-point offsets.
- Result: per task, `(head index, tail index, label, score)` with indices into its
  `entities`, only pairs in one sentence whose labels the schema allows for the label.

Nothing here reads or writes a store, so the same function runs in this process, in
worker processes or on distributed workers; the caller stores the results.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from annotate.relation_features import (
    candidate_pairs, pair_features, sentence_index, token_spans,
)
from annotate.relation_model import NONE, Scorer, class_relation
from annotate.schema import RelationLabel

Span = tuple[int, int, str]
Suggestion = tuple[int, int, str, float]


def suggest_relations(nlp: Any, model: Mapping[str, Any],
                      tasks: Sequence[tuple[str, Sequence[Span]]], *, batch_size: int = 16
                      ) -> list[list[Suggestion]]:
    labels = [RelationLabel(r["name"], r["kind"], tuple(r["heads"]), tuple(r["tails"]))
              for r in model["relations"]]
    learner = model.get("learner")
    scorer = Scorer(learner) if learner else None
    out = []
    docs = nlp.pipe((text for text, _ in tasks), batch_size=batch_size)
    for doc, (_, entities) in zip(docs, tasks, strict=True):
        if scorer is not None:
            out.append(_learned(doc, entities, labels, scorer, model.get("min_score", 0.5)))
        else:
            out.append(_matched(nlp, doc, entities, labels, model))
    return out


def _learned(doc: Any, entities: Sequence[Span], labels: list[RelationLabel], scorer: Scorer,
             min_score: float) -> list[Suggestion]:
    pairs = list(candidate_pairs(entities, sentence_index(doc)))
    if not pairs:
        return []
    spans = token_spans(doc, entities)
    starts = sorted(s for s, _, _ in entities)
    feats = [pair_features(doc, spans[i], spans[j], entities[i][2], entities[j][2], starts)
             for i, j in pairs]
    return choose_relations(pairs, scorer.probabilities(feats), entities, labels,
                            scorer.classes, min_score)


def choose_relations(pairs: Sequence[tuple[int, int]], probs: Any, entities: Sequence[Span],
                     labels: Sequence[RelationLabel], classes: Sequence[str], min_score: float
                     ) -> list[Suggestion]:
    """For each candidate pair, the most probable relation the schema allows for its
    entities' labels, if it beats "no relation" and reaches `min_score`."""
    none_col = classes.index(NONE) if NONE in classes else None
    out = []
    for (i, j), row in zip(pairs, probs, strict=True):
        best, best_p = None, 0.0
        for cls, p in zip(classes, row, strict=True):
            rel = class_relation(cls)
            if rel is None or p <= best_p:
                continue
            head, tail = (i, j) if rel[1] else (j, i)
            if _allowed(labels, rel[0], entities[head][2], entities[tail][2]):
                best, best_p = (head, tail, rel[0]), float(p)
        none_p = row[none_col] if none_col is not None else 0.0
        if best is not None and best_p >= min_score and best_p > none_p:
            out.append((*best, round(best_p, 4)))
    return out


def _allowed(labels: Sequence[RelationLabel], name: str, head: str, tail: str) -> bool:
    return any(r.name == name and r.allows(head, tail) for r in labels)


def _matched(nlp: Any, doc: Any, entities: Sequence[Span], labels: list[RelationLabel],
             model: Mapping[str, Any]) -> list[Suggestion]:
    """Before any training: the schema's dependency patterns propose relations."""
    patterns = model.get("patterns") or []
    if not patterns or not entities:
        return []
    matcher, names = _matcher(nlp, json.dumps(patterns, sort_keys=True))
    owner = _token_owner(doc, entities)
    score = float(model.get("pattern_score", 0.5))
    found: dict[frozenset[int], Suggestion] = {}
    for match_id, tokens in matcher(doc):
        label, order = names[match_id]
        head, tail = owner.get(tokens[order["head"]]), owner.get(tokens[order["tail"]])
        if head is None or tail is None or head == tail:
            continue
        if _allowed(labels, label, entities[head][2], entities[tail][2]):
            found.setdefault(frozenset((head, tail)), (head, tail, label, score))
    return list(found.values())


def _token_owner(doc: Any, entities: Sequence[Span]) -> dict[int, int]:
    """Token index -> the index of the (shortest) entity holding it."""
    owner: dict[int, int] = {}
    spans = token_spans(doc, entities)
    for n in sorted(range(len(entities)), key=lambda k: -(entities[k][1] - entities[k][0])):
        for token in spans[n]:
            owner[token.i] = n
    return owner


@functools.lru_cache(maxsize=8)
def _matcher_cached(vocab_id: int, patterns_json: str, nlp_ref: Any) -> tuple[Any, dict]:
    from spacy.matcher import DependencyMatcher

    matcher = DependencyMatcher(nlp_ref.vocab)
    names: dict[int, tuple[str, dict[str, int]]] = {}
    for n, item in enumerate(json.loads(patterns_json)):
        key = f"arcmark_rel_{n}_{item['label']}"
        matcher.add(key, [item["pattern"]])
        order = {node["RIGHT_ID"]: k for k, node in enumerate(item["pattern"])}
        names[nlp_ref.vocab.strings[key]] = (item["label"], order)
    return matcher, names


def _matcher(nlp: Any, patterns_json: str) -> tuple[Any, dict]:
    return _matcher_cached(id(nlp.vocab), patterns_json, nlp)


@functools.lru_cache(maxsize=2)
def load_pipeline(pipeline: str) -> Any:
    """The full pipeline (with its parser) of a package or a trained version's folder,
    loaded once per process: on a Dask worker, by its `LoadOnce` plugin."""
    import spacy

    return spacy.load(pipeline)


def suggest_batch(tasks: list[tuple[str, Sequence[Span]]], pipeline: str,
                  model: Mapping[str, Any]) -> list[list[Suggestion]]:
    """`suggest_relations` for one batch of tasks on a worker: what a Dask task runs."""
    return suggest_relations(load_pipeline(pipeline), model, tasks, batch_size=len(tasks))


def pipeline_version(pipeline: str) -> str:
    """The model id (`<lang>_<name>@<version>`) of `pipeline` as this process loads it."""
    from annotate.nlp import model_id

    return model_id(load_pipeline(pipeline))
