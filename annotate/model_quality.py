"""Held-out quality of the models: entities of the base and the trained NER, relations
of the learner and of the co-occurrence baseline, and what rehearsal keeps.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from annotate.relation_model import Scorer, class_relation
from annotate.relation_worker import choose_relations
from annotate.schema import RelationLabel
from annotate.scoring import relation_key, score_entities, score_relations, score_sets
from annotate.training_data import Parsed

Span = tuple[int, int, str]


def ner_predictions(nlp: Any, texts: Sequence[str]) -> list[list[Span]]:
    """The entities a pipeline finds, with only what NER needs running."""
    keep = {"tok2vec", "ner"}
    with nlp.select_pipes(enable=[n for n in nlp.pipe_names if n in keep]):
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                for doc in nlp.pipe(texts, batch_size=16)]


def entity_quality(predicted: Sequence[Sequence[Span]], held: Sequence[Parsed]) -> dict[str, Any]:
    return score_entities(predicted, [p.doc.accepted for p in held])


def retention(base: Sequence[Sequence[Span]], trained: Sequence[Sequence[Span]],
              held: Sequence[Parsed], untouched: set[str]) -> dict[str, Any]:
    """How much of the base model's output for the untouched labels the trained model
    still gives on the held-out documents (the base's output as the reference)."""
    def keep(spans: Sequence[Span], doc: Parsed) -> set[Span]:
        gold = [(s, e) for s, e, _ in doc.doc.accepted]
        return {(s, e, label) for s, e, label in spans if label in untouched
                and not any(s < ge and gs < e for gs, ge in gold)}

    return score_sets((keep(t, p), keep(b, p)) for b, t, p in zip(base, trained, held, strict=True))


def _gold_relations(parsed: Parsed, symmetric: set[str]) -> set[tuple[Any, ...]]:
    """Every relation the analyst accepted, also those across sentences (which no
    suggestion can find: they count against recall)."""
    ents = parsed.doc.accepted
    return {relation_key(ents[h], ents[t], label, label in symmetric)
            for h, t, label in parsed.doc.relations}


def relation_quality(learner: dict[str, Any], held: Sequence[Parsed],
                     labels: Sequence[RelationLabel], min_score: float) -> dict[str, Any]:
    """The learner's suggestions on the held-out documents' accepted entities against the
    analyst's relations between entities of one sentence."""
    symmetric = {r.name for r in labels if r.symmetric}
    scorer = Scorer(learner)
    pairs = []
    for parsed in held:
        ents = parsed.doc.accepted
        probs = scorer.probabilities(parsed.features) if parsed.features else []
        chosen = choose_relations(parsed.pairs, probs, ents, labels, scorer.classes, min_score)
        predicted = {relation_key(ents[h], ents[t], label, label in symmetric)
                     for h, t, label, _ in chosen}
        pairs.append((predicted, _gold_relations(parsed, symmetric)))
    return score_relations(pairs)


def cooccurrence_baseline(train: Sequence[Parsed], held: Sequence[Parsed],
                          labels: Sequence[RelationLabel]) -> dict[str, Any]:
    """Every schema-allowed pair in a sentence, with the label (and direction) most
    frequent in the training documents for its pair of entity labels."""
    symmetric = {r.name for r in labels if r.symmetric}
    counts: dict[tuple[str, str], Counter[str]] = {}
    for parsed in train:
        ents = parsed.doc.accepted
        for (i, j), cls in zip(parsed.pairs, parsed.classes, strict=True):
            if class_relation(cls) is not None:
                counts.setdefault((ents[i][2], ents[j][2]), Counter())[cls] += 1
    pairs = []
    for parsed in held:
        ents = parsed.doc.accepted
        predicted = set()
        for i, j in parsed.pairs:
            common = counts.get((ents[i][2], ents[j][2]))
            if not common:
                continue
            rel = class_relation(common.most_common(1)[0][0])
            assert rel is not None
            head, tail = (i, j) if rel[1] else (j, i)
            if any(r.name == rel[0] and r.allows(ents[head][2], ents[tail][2]) for r in labels):
                predicted.add(relation_key(ents[head], ents[tail], rel[0], rel[0] in symmetric))
        pairs.append((predicted, _gold_relations(parsed, symmetric)))
    return score_relations(pairs)
