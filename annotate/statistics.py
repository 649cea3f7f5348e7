"""The corpus in numbers: what the statistics panel charts and `main.py stats` prints.

Built on `Store.counts()` plus per-label status counts, the model's record on this
corpus and the edit history by day. Every mapping lists the schema's labels first (in
schema order), then any other label found in the store.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from annotate.model import DOCUMENT_STATUSES, ENTITY_STATUSES, RELATION_STATUSES
from annotate.session import Session
from storage import statistics as store_stats


@dataclass(frozen=True, slots=True)
class ModelQuality:
    """How the model's suggestions of one label fared with the analysts."""

    label: str
    accepted: int = 0
    rejected: int = 0  # rejected, or moved / relabelled / deleted by a person
    pending: int = 0  # still suggestions

    @property
    def reviewed(self) -> int:
        return self.accepted + self.rejected

    @property
    def precision(self) -> float | None:
        """Accepted among the reviewed suggestions; None before any review."""
        return self.accepted / self.reviewed if self.reviewed else None


@dataclass(frozen=True, slots=True)
class DayProgress:
    day: str  # YYYY-MM-DD (UTC)
    documents_done: int
    entity_edits: int
    relation_edits: int


@dataclass(frozen=True, slots=True)
class CorpusStatistics:
    documents: int
    documents_by_status: dict[str, int]
    entities: int
    entities_by_label: dict[str, dict[str, int]]  # label -> status -> n
    relations: int
    relations_by_label: dict[str, dict[str, int]]
    model_quality: tuple[ModelQuality, ...]
    progress: tuple[DayProgress, ...]

    def entities_by_status(self) -> dict[str, int]:
        return {s: sum(c.get(s, 0) for c in self.entities_by_label.values())
                for s in ENTITY_STATUSES}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["entities_by_status"] = self.entities_by_status()
        out["model_quality"] = [{**asdict(q), "precision": q.precision}
                                for q in self.model_quality]
        return out


def corpus_statistics(session: Session) -> CorpusStatistics:
    store, schema = session.store, session.schema
    counts = store.counts()
    entities = _ordered(store_stats.label_status_counts(store, "entities"), schema.entity_names,
                        ENTITY_STATUSES)
    relations = _ordered(store_stats.label_status_counts(store, "relations"),
                         schema.relation_names, RELATION_STATUSES)
    return CorpusStatistics(
        documents=counts["documents"],
        documents_by_status={s: counts["documents_by_status"].get(s, 0) for s in DOCUMENT_STATUSES},
        entities=counts["entities"],
        entities_by_label=entities,
        relations=counts["relations"],
        relations_by_label=relations,
        model_quality=_model_quality(counts["model_suggestions_by_label"],
                                     store_stats.dismissed_by_label(store), schema.entity_names),
        progress=tuple(DayProgress(**{k: v or 0 for k, v in row.items()})
                       for row in store_stats.daily_progress(store)),
    )


def _ordered(counts: dict[str, dict[str, int]], names: tuple[str, ...],
             statuses: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Labels in use: the schema's first (in its order), then the rest by name."""
    labels = [n for n in names if n in counts] + sorted(set(counts) - set(names))
    return {label: {s: counts[label].get(s, 0) for s in statuses} for label in labels}


def _model_quality(by_label: dict[str, dict[str, int]], dismissed: dict[str, int],
                   names: tuple[str, ...]) -> tuple[ModelQuality, ...]:
    labels = set(by_label) | set(dismissed)
    ordered = [n for n in names if n in labels] + sorted(labels - set(names))
    return tuple(
        ModelQuality(label, accepted=by_label.get(label, {}).get("accepted", 0),
                     rejected=by_label.get(label, {}).get("rejected", 0) + dismissed.get(label, 0),
                     pending=by_label.get(label, {}).get("suggested", 0))
        for label in ordered)
