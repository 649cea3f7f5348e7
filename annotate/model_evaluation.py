"""Scores of the models on held-out reviewed documents: at the end of training, and on
demand (`main.py evaluate`), base against trained, per label.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotate.model import ArcmarkError
from annotate.model_quality import (
    cooccurrence_baseline, entity_quality, ner_predictions, relation_quality, retention,
)
from annotate.schema import RelationLabel
from annotate.training_data import Parsed


def held_out_scores(base_nlp: Any, nlp: Any, learner: dict[str, Any], train: Sequence[Parsed],
                    held: Sequence[Parsed], relation_labels: Sequence[RelationLabel],
                    untouched: set[str], min_score: float) -> dict[str, Any]:
    """{"entities": {"base", "trained"}, "relations": {"baseline", "trained"},
    "rehearsal": ...} on the held-out documents."""
    texts = [p.doc.text for p in held]
    base_ents = [p.base_entities for p in held]
    trained_ents = ner_predictions(nlp, texts)
    return {
        "entities": {"base": entity_quality(base_ents, held),
                     "trained": entity_quality(trained_ents, held)},
        "relations": {"baseline": cooccurrence_baseline(train, held, relation_labels),
                      "trained": relation_quality(learner, held, relation_labels, min_score)},
        "rehearsal": {**retention(base_ents, trained_ents, held, untouched),
                      "untouched": sorted(untouched)},
    }


def evaluate_store(session, version: str = "latest") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Re-measure a trained version and the base on the version's held-out documents that
    are still reviewed (their current decisions are the gold)."""
    import spacy

    from annotate.model_registry import load_relation_learner, model_path, model_record
    from annotate.reviewed import reviewed_documents
    from annotate.training import MIN_RELATION_SCORE, base_model
    from annotate.training_data import parse_reviewed

    record = model_record(session.store, version)
    folder = model_path(session.store, version)
    held_docs = reviewed_documents(session, ids=record["held_out"])
    if not held_docs:
        raise ArcmarkError(f"none of model v{record['version']}'s held-out documents is "
                           "still reviewed (status done)")
    base = record["counts"].get("base_package")
    base_nlp = spacy.load(base if base and Path(base).is_dir() else base_model(session, base))
    labels = session.schema.relation_labels
    symmetric = {r.name for r in labels if r.symmetric}
    held = list(parse_reviewed(base_nlp, held_docs, symmetric))
    nlp = spacy.load(folder)
    learner = load_relation_learner(folder) or {"kind": "constant", "classes": []}
    untouched = set(record["counts"].get("untouched_labels", []))
    scores = held_out_scores(base_nlp, nlp, learner, [], held, labels, untouched,
                             MIN_RELATION_SCORE)
    del scores["relations"]["baseline"]  # needs the training documents' relations
    return {"model": f"v{record['version']}", "base": record["base"],
            "held_out_documents": [d.doc_id for d in held_docs], "scores": scores}


def score_lines(report: dict[str, Any]) -> list[str]:
    """The evaluation as a table: one line per label, base and trained side by side."""
    scores = report["scores"]
    lines = [f"model {report['model']} (base {report['base']}) on "
             f"{len(report['held_out_documents'])} held-out documents"]
    ents = scores["entities"]
    mapping = ents["base"].get("mapping", {})
    if mapping:
        lines.append("base labels mapped: " + ", ".join(f"{k}->{v}" for k, v in mapping.items()))
    lines += _table("entities (exact span and label)", {"base": ents["base"],
                                                         "trained": ents["trained"]})
    lines += _table("relations (exact head, tail and label)", scores["relations"])
    rehearsal = scores.get("rehearsal", {})
    if rehearsal.get("untouched"):
        lines.append(f"labels never corrected, kept as the base model gives them: F1 "
                     f"{rehearsal['micro']['f']:.3f} ({', '.join(rehearsal['untouched'])})")
    return lines


def _table(title: str, sides: dict[str, dict[str, Any]]) -> list[str]:
    names = list(sides)
    labels = sorted({label for side in sides.values() for label in side["labels"]})
    head = "".join(f"{n + ' P/R/F1':>24}" for n in names)
    out = ["", title, f"{'label':<22}{head}"]
    for label in [*labels, "all (micro)"]:
        cells = []
        for n in names:
            s = sides[n]["micro"] if label == "all (micro)" else sides[n]["labels"].get(label)
            cells.append(f"{s['p']:.2f} / {s['r']:.2f} / {s['f']:.2f}" if s else "-")
        out.append(f"{label:<22}" + "".join(f"{c:>24}" for c in cells))
    return out
