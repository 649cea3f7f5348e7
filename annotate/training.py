"""Training on the analyst's reviewed documents: the NER with spaCy's own training,
the relation learner with scikit-learn, both measured on held-out documents.

The NER is fine-tuned from the base pipeline by spaCy's config system and training
loop (`init_nlp` + `spacy.training.loop.train`): every component is sourced from the
base and frozen except `ner`; the gold is the accepted entities, rejected entities go
in through the NER's `incorrect_spans_key`, and labels of the store's schema the base
lacks are added. Rehearsal: the labels the analyst never accepted or rejected are
taught as the base model predicts them on the training documents (where they overlap
no decision), so they do not fade (`scores["rehearsal"]` measures it).

The result is written to a hidden folder and renamed to `<store>.models/vN/` when
complete; the store's row is written last. A cancel or an error removes the folder:
the store is left as it was.
"""
from __future__ import annotations

import io
import math
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.model import ArcmarkError
from annotate.model_registry import RELATIONS_FILE, is_store_model, model_path
from annotate.relation_model import fit
from annotate.reviewed import reviewed_documents, split_held_out
from annotate.session import Session
from annotate.training_config import BATCH_DOCS, training_config
from annotate.training_data import (
    Parsed, add_relation_candidates, base_entities, ner_example, rehearsed_spans,
    untouched_labels,
)
from storage.trained_models import models_folder, next_model_version, record_trained_model

MIN_RELATION_SCORE = 0.3
TRAINING_CONFIG = "training.cfg"  # the config spaCy's loop ran, kept with the model


@dataclass
class TrainOptions:
    base: str | None = None  # a model package, or a trained version (latest, vN)
    epochs: int = 20
    held_out: float = 0.2
    rehearse: bool = True
    seed: int = 0


@dataclass(frozen=True)
class TrainProgress:
    stage: str  # "reading", "parsing", "training", "relations", "saving"
    done: int = 0
    total: int = 0
    epoch: int = 0
    loss: float = 0.0
    score: float | None = None  # held-out entity F1 at the last evaluation


@dataclass
class TrainResult:
    version: int = 0
    folder: Path | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False
    seconds: float = 0.0


class _Cancelled(Exception):
    pass


def train_models(session: Session, options: TrainOptions, *,
                 progress: Callable[[TrainProgress], object] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> TrainResult:
    """Train the NER and the relation learner on the store's reviewed documents."""
    began = time.perf_counter()
    report = progress or (lambda _p: None)

    def check() -> None:
        if cancelled and cancelled():
            raise _Cancelled

    store = session.store
    if store.read_only:
        raise ArcmarkError(f"{store.path}: the store is read-only; a model cannot be recorded")
    report(TrainProgress("reading"))
    train_docs, held_docs = split_held_out(reviewed_documents(session), options.held_out)
    version = next_model_version(store)
    root = models_folder(store)
    work = root / f".v{version}.partial"
    try:
        result = _train(session, options, train_docs, held_docs, work, version, report, check)
    except _Cancelled:
        shutil.rmtree(work, ignore_errors=True)
        return TrainResult(cancelled=True, seconds=time.perf_counter() - began)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    final = root / f"v{version}"
    if final.exists():
        shutil.rmtree(work, ignore_errors=True)
        raise ArcmarkError(f"{final} already exists; move it away and train again")
    work.rename(final)
    result.folder = final
    result.seconds = time.perf_counter() - began
    record_trained_model(store, {
        "version": version, "base": result.counts["base"], "folder": final.name,
        "train_documents": result.counts["train_documents"],
        "held_out": [d.doc_id for d in held_docs], "counts": result.counts,
        "scores": result.scores})
    return result


@dataclass
class Prepared:
    """The base model's pass over the reviewed documents, and the corpora and config
    written for spaCy's loop."""

    base: str
    base_nlp: Any
    train: list[Parsed]
    held: list[Parsed]
    untouched: set[str]
    counts: dict[str, Any]
    config: Any


def prepare(session: Session, options: TrainOptions, train_docs, held_docs, work: Path,  # type: ignore[no-untyped-def]
            report=lambda _p: None, check=lambda: None) -> Prepared:
    """Parse the documents with the base pipeline and write work/train.spacy,
    work/dev.spacy and work/training.cfg."""
    import spacy

    base = base_model(session, options.base)
    base_nlp = spacy.load(base)
    schema = session.schema
    docs = [*train_docs, *held_docs]
    parsed = _base_pass(base_nlp, docs, report, check)
    train, held = parsed[:len(train_docs)], parsed[len(train_docs):]
    # measured either way; taught only with rehearsal
    untouched = untouched_labels(base_nlp.get_pipe("ner").labels, train_docs)
    work.mkdir(parents=True, exist_ok=True)
    counts = _write_corpora(base_nlp, train, held, untouched if options.rehearse else set(),
                            work)
    config = training_config(base, work, labels=list(schema.entity_names), epochs=options.epochs,
                             train_docs=len(train), seed=options.seed)
    config.to_disk(work / TRAINING_CONFIG)
    return Prepared(base, base_nlp, train, held, untouched, counts, config)


def _train(session: Session, options: TrainOptions, train_docs, held_docs, work: Path,  # type: ignore[no-untyped-def]
           version: int, report, check) -> TrainResult:
    def stopped() -> bool:
        try:
            check()
        except _Cancelled:
            return True
        return False

    p = prepare(session, options, train_docs, held_docs, work, report, check)
    # the relation side (parse, features, fit) runs on another thread while spaCy's loop
    # trains the NER: with two cores, most of its time is hidden
    symmetric = {r.name for r in session.schema.relation_labels if r.symmetric}
    with ThreadPoolExecutor(1) as pool:
        fitting = pool.submit(_relation_learner, p, symmetric, options.seed, stopped)
        nlp = _run_spacy_training(p.config, report, check)
        check()
        report(TrainProgress("relations"))
        learner = fitting.result()
    _save(nlp, learner, work, version)
    check()
    report(TrainProgress("saving"))
    from annotate.model_evaluation import held_out_scores

    scores = held_out_scores(p.base_nlp, nlp, learner, p.train, p.held,
                             session.schema.relation_labels, p.untouched, MIN_RELATION_SCORE)
    counts = {**p.counts, "base": _base_name(p.base_nlp, p.base), "base_package": p.base,
              "epochs": options.epochs,
              "rehearsed_labels": sorted(p.untouched) if options.rehearse else [],
              "untouched_labels": sorted(p.untouched),
              "relations": sum(len(x.doc.relations) for x in p.train)}
    return TrainResult(version=version, counts=counts, scores=scores)


def base_model(session: Session, name: str | None) -> str:
    """What `--base` names: a trained version's folder, or a package name."""
    from annotate.nlp import resolve_model_name

    if name and is_store_model(name):
        return str(model_path(session.store, name))
    return resolve_model_name(name)


def _base_name(nlp: Any, base: str) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', Path(base).name)}@{meta.get('version', '0')}"


def _base_pass(nlp, docs, report, check) -> list[Parsed]:  # type: ignore[no-untyped-def]
    """The base model's entities of every document (for rehearsal and its scores)."""
    out: list[Parsed] = []
    for doc, ents in zip(docs, base_entities(nlp, docs), strict=True):
        out.append(Parsed(doc, ents))
        report(TrainProgress("parsing", len(out), len(docs)))
        check()
    return out


def _relation_learner(p: Prepared, symmetric: set[str], seed: int,
                      stop: Callable[[], bool]) -> dict[str, Any]:
    """Parse the documents for the relation candidates and fit the learner (runs on its
    own thread: the parser and scikit-learn's solver release the GIL for most of it)."""
    add_relation_candidates(p.base_nlp, [*p.train, *p.held], symmetric, stop=stop)
    if stop():
        return {"kind": "constant", "classes": []}
    return fit([f for x in p.train for f in x.features], [c for x in p.train for c in x.classes],
               seed=seed)


def _write_corpora(nlp: Any, train: list[Parsed], held: list[Parsed], untouched: set[str],
                   work: Path) -> dict[str, Any]:
    """train.spacy and dev.spacy (DocBin) for spaCy's loop; returns the data's counts."""
    from spacy.tokens import DocBin

    rehearsed = 0
    train_bin, dev_bin = DocBin(), DocBin()
    for p in train:
        extra = rehearsed_spans(p, untouched)
        rehearsed += len(extra)
        train_bin.add(ner_example(nlp, p.doc, extra).reference)
    for p in held:
        dev_bin.add(ner_example(nlp, p.doc).reference)
    train_bin.to_disk(work / "train.spacy")
    dev_bin.to_disk(work / "dev.spacy")
    return {"train_documents": len(train), "held_out_documents": len(held),
            "entities": sum(len(p.doc.accepted) for p in train),
            "rejected_spans": sum(len(p.doc.rejected) for p in train),
            "rehearsed_spans": rehearsed}


def _run_spacy_training(config: Any, report, check) -> Any:  # type: ignore[no-untyped-def]
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as spacy_train

    from annotate.training_callbacks import TrainingCancelled, training_progress

    last: dict[str, Any] = {"score": None}

    def on_step(info: dict[str, Any] | None) -> None:
        if info is not None:
            last["score"] = info.get("other_scores", {}).get("ents_f", info.get("score"))
            report(TrainProgress("training", info["step"], 0, info["epoch"] + 1,
                                 float(info["losses"].get("ner", 0.0)), last["score"]))
        if cancelled_now():
            raise TrainingCancelled

    def cancelled_now() -> bool:
        try:
            check()
        except _Cancelled:
            return True
        return False

    quiet = io.StringIO()
    nlp = init_nlp(config)
    try:
        with training_progress(on_step):
            nlp, _ = spacy_train(nlp, None, stdout=quiet, stderr=quiet)
    except TrainingCancelled:
        raise _Cancelled from None
    return nlp


def _save(nlp: Any, learner: dict[str, Any], work: Path, version: int) -> None:
    import json

    nlp.meta["name"] = "arcmark"
    nlp.meta["version"] = f"{version}.0.0"
    nlp.meta["description"] = "Trained by Arcmark on the store's reviewed documents."
    nlp.to_disk(work)
    # the pipeline loads without Arcmark's training callbacks (training.cfg keeps them)
    from spacy.util import load_config

    config = load_config(work / "config.cfg")
    config["nlp"]["after_pipeline_creation"] = None
    config["training"]["logger"] = {"@loggers": "spacy.ConsoleLogger.v1", "progress_bar": False}
    config.to_disk(work / "config.cfg")
    (work / RELATIONS_FILE).write_text(json.dumps(learner), encoding="utf-8")
    for name in ("train.spacy", "dev.spacy"):
        (work / name).unlink(missing_ok=True)


def steps_per_epoch(train_docs: int) -> int:
    return max(1, math.ceil(train_docs / BATCH_DOCS))
