"""The model loop's background jobs, as plain functions of plain data (no Qt).

Each opens its own store on the corpus file, does its work, closes it and returns an
outcome the window applies on the GUI thread (see `ui.shell.jobs`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.model import Change
from ui.shell.jobs import _open
from ui.shell.worker import JobContext


@dataclass
class TrainOutcome:
    version: int = 0
    summary: str = ""
    scores: dict[str, Any] = field(default_factory=dict)
    change: Change = field(default_factory=lambda: Change("Train model", document_list=True))
    cancelled: bool = False


@dataclass
class SuggestOutcome:
    summary: str = ""
    relations: int = 0
    change: Change = field(default_factory=lambda: Change("Suggest relations"))
    cancelled: bool = False


def train_model(ctx: JobContext, db_path: Path, annotator: str, epochs: int,
                held_out: float) -> TrainOutcome:
    """Train the NER and the relation learner on the reviewed documents."""
    from annotate.training import TrainOptions, TrainProgress, train_models

    session = _open(db_path, annotator)

    def progress(p: TrainProgress) -> None:
        if p.stage == "training":
            score = "" if p.score is None else f", held-out F1 {p.score:.2f}"
            ctx.progress(p.epoch, epochs, f"Training: epoch {p.epoch}/{epochs}, loss "
                                          f"{p.loss:.0f}{score}")
        elif p.stage == "parsing":
            ctx.progress(p.done, p.total, f"Reading reviewed documents {p.done}/{p.total}")
        else:
            ctx.progress(0, 0, {"reading": "Reading the store…", "relations":
                                "Training the relation model…", "saving":
                                "Measuring and saving the model…"}.get(p.stage, p.stage))

    try:
        result = train_models(session, TrainOptions(epochs=epochs, held_out=held_out),
                              progress=progress, cancelled=ctx.cancelled)
    finally:
        session.store.close()
    if result.cancelled:
        return TrainOutcome(cancelled=True, summary="Training cancelled; nothing was changed")
    ents = result.scores["entities"]
    return TrainOutcome(
        version=result.version, scores=result.scores,
        summary=(f"Model v{result.version} trained: held-out entity F1 "
                 f"{ents['trained']['micro']['f']:.2f} (base {ents['base']['micro']['f']:.2f})"))


def suggest_relations(ctx: JobContext, db_path: Path, annotator: str,
                      doc_ids: Sequence[int] | None) -> SuggestOutcome:
    """Suggest relations between accepted entities (the open document, or every document
    not yet done)."""
    from annotate.relation_suggest import suggest_in_store

    session = _open(db_path, annotator)
    try:
        ctx.progress(0, 0, "Loading the relation model…")
        result = suggest_in_store(
            session, doc_ids=doc_ids, cancelled=ctx.cancelled,
            progress=lambda done, total: ctx.progress(done, total,
                                                      f"Suggesting relations {done}/{total}"))
        ids = list(doc_ids) if doc_ids is not None else [d.id for d in session.documents()]
    finally:
        session.store.close()
    n = result.relations
    return SuggestOutcome(
        summary=f"{n} relation suggestion{'s' * (n != 1)} added ({result.origin})",
        relations=n, cancelled=result.cancelled,
        change=Change("Suggest relations", documents=frozenset(ids), document_list=True))
