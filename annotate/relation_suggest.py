"""Relation suggestions for the store's documents: read the accepted entities, ask the
worker-side function (`annotate.relation_worker.suggest_relations`) and store what it
proposes as `suggested` relations with their score and origin.

The model is the store's latest trained version (its parser and relation learner);
before any training, the base model's parser and the shipped dependency patterns.
A pair of entities that already has a relation of any label or status (a person's,
a suggestion, a rejected suggestion) is never suggested again; only accepted
entities are paired, and nothing a person decided is changed.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from annotate import edits
from annotate.model import Entity
from annotate.model_registry import load_relation_learner, model_path, shipped_patterns
from annotate.relation_worker import Span, Suggestion, suggest_relations
from annotate.session import Session
from storage.trained_models import (
    insert_relation_suggestions, relation_pairs, relation_scores, trained_models,
)

BATCH_DOCS = 16
PATTERN_SCORE = 0.5
UNREVIEWED = ("new", "in_progress")


@dataclass
class SuggestResult:
    origin: str = ""
    documents: int = 0
    relations: int = 0
    cancelled: bool = False


@dataclass(frozen=True)
class RelationSuggester:
    """A loaded pipeline and the plain-data model the worker function takes."""

    nlp: Any
    model: dict[str, Any]
    origin: str


def load_suggester(session: Session, min_score: float) -> RelationSuggester:
    from annotate.nlp import model_id
    from annotate.relation_worker import load_pipeline

    pipeline, model, trained = suggester_plan(session, min_score)
    nlp = load_pipeline(pipeline)  # once per process: the next suggestion starts at once
    return RelationSuggester(nlp, model, suggester_origin(model_id(nlp), trained=trained))


def suggester_plan(session: Session, min_score: float) -> tuple[str, dict[str, Any], bool]:
    """(the pipeline to load: a trained version's folder or the base package, the
    plain-data model the worker function takes, whether it is a trained version)."""
    from annotate.nlp import resolve_model_name

    relations = [{"name": r.name, "kind": r.kind, "heads": list(r.heads), "tails": list(r.tails)}
                 for r in session.schema.relation_labels]
    trained = bool(trained_models(session.store))
    if trained:
        folder = model_path(session.store, "latest")
        pipeline, learner = str(folder), load_relation_learner(folder)
    else:
        pipeline, learner = resolve_model_name(None), None
    names = {r["name"] for r in relations}
    patterns = [p for p in shipped_patterns() if p["label"] in names]
    return pipeline, {"relations": relations, "learner": learner, "patterns": patterns,
                      "pattern_score": PATTERN_SCORE, "min_score": min_score}, trained


def suggester_origin(version: str, *, trained: bool) -> str:
    """The suggestions' origin for pipeline `version` (`<lang>_<name>@<version>`)."""
    return f"model:{version}" if trained else f"model:patterns+{version}"


def suggest_in_store(session: Session, *, doc_ids: Sequence[int] | None = None,
                     min_score: float = 0.3, suggester: RelationSuggester | None = None,
                     progress: Callable[[int, int], object] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> SuggestResult:
    """Suggest relations in the given documents (default: those not yet reviewed)."""
    ids = documents_to_suggest(session, doc_ids)
    suggester = suggester or load_suggester(session, min_score)
    result = SuggestResult(origin=suggester.origin)
    for k in range(0, len(ids), BATCH_DOCS):
        batch = ids[k:k + BATCH_DOCS]
        result.relations += _suggest_batch(session, suggester, batch)
        result.documents += len(batch)
        if progress:
            progress(result.documents, len(ids))
        if cancelled and cancelled() and result.documents < len(ids):
            result.cancelled = True
            break
    return result


def documents_to_suggest(session: Session, doc_ids: Sequence[int] | None) -> list[int]:
    """The given documents, by default those not yet reviewed."""
    if doc_ids is not None:
        return list(doc_ids)
    return [d.id for d in session.documents() if d.status in UNREVIEWED]


def relation_tasks(session: Session, doc_ids: Sequence[int]
                   ) -> tuple[list[tuple[int, list[Entity]]], list[tuple[str, list[Span]]]]:
    """What the worker function takes for these documents: (doc id, accepted entities)
    per document with at least two, and the matching (text, entity offsets) tasks."""
    tasks, accepted = [], []
    for doc_id in doc_ids:
        ents = [e for e in session.entities(doc_id) if e.status == "accepted"]
        if len(ents) >= 2:
            accepted.append((doc_id, ents))
            tasks.append((session.store.document_text(doc_id) or "",
                          [(e.start, e.end, e.label) for e in ents]))
    return accepted, tasks


def write_suggestions(session: Session, accepted: Sequence[tuple[int, list[Entity]]],
                      found: Sequence[Sequence[Suggestion]], origin: str) -> int:
    """Store the worker function's results (`found[i]` for `accepted[i]`) as suggested
    relations in one transaction; pairs that have a relation by now are skipped."""
    rows = []
    for (doc_id, ents), suggestions in zip(accepted, found, strict=True):
        rows += _rows(session, doc_id, ents, suggestions, origin)
    return insert_relation_suggestions(session.store, rows, f"suggest relations ({origin})")


def _suggest_batch(session: Session, suggester: RelationSuggester, doc_ids: list[int]) -> int:
    accepted, tasks = relation_tasks(session, doc_ids)
    if not tasks:
        return 0
    found = suggest_relations(suggester.nlp, suggester.model, tasks)
    return write_suggestions(session, accepted, found, suggester.origin)


def _rows(session: Session, doc_id: int, ents: list[Entity], suggestions: Sequence[Suggestion],
          origin: str) -> list[dict[str, Any]]:
    from storage.store import now

    taken = relation_pairs(session.store, doc_id)
    sentences = session.store.document_sentences(doc_id) or ()
    at = now()
    rows = []
    for h, t, label, score in suggestions:
        rel_label = session.schema.relation(label)
        head, tail = ents[h], ents[t]
        if rel_label is None or frozenset((head.id, tail.id)) in taken:
            continue
        head, tail = edits.canonical_pair(head, tail, rel_label)
        taken.add(frozenset((head.id, tail.id)))
        ev = edits.evidence_for(sentences, min(head.start, tail.start), max(head.end, tail.end),
                                lambda: session.store.document_text(doc_id) or "")
        rows.append({"doc_id": doc_id, "head_id": head.id, "tail_id": tail.id, "label": label,
                     "directed": int(rel_label.directed), "confidence": None, "note": "",
                     "evidence_start": ev[0], "evidence_end": ev[1], "origin": origin,
                     "status": "suggested", "annotator": None, "created_at": at,
                     "updated_at": at, "score": score})
    return rows


def relation_scores_of(session: Session, doc_id: int) -> dict[int, float]:
    """{relation id: score} of the document's suggested (and once suggested) relations."""
    return relation_scores(session.store, doc_id)
