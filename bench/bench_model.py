"""The model loop on re3d-dev (45 analysts' documents): quality and cost.

    python -m bench model

The store: `main.py import --status done` of ../shared/data/re3d-dev. The fixed
split: `train --held-out 0.2` keeps aside the 9 documents whose text's SHA-256 sorts
first (listed in the results' detail); the other 36 train.

- quality: entity exact-span-and-label F1 on the held-out documents of the trained
  model against the base model (base labels mapped: PERSON->Person, ORG->Organisation,
  NORP->Nationality, GPE/LOC/FAC->Location, DATE/TIME->Temporal, MONEY->Money,
  QUANTITY/CARDINAL/PERCENT->Quantity; other base labels unscored); relation F1 (exact
  head, tail, label) of the learner against the co-occurrence baseline; what rehearsal
  keeps of the labels the analyst never corrected, with and without it;
- train time: `main.py train` (a process: reads the store, parses, trains NER and
  relations, scores, saves) against raw `spacy train` on the same corpora and config
  (`training.cfg`, console logger), interleaved, each a new process;
- suggestion throughput: `suggest_in_store` on the 45 documents' accepted entities
  (reads, pipeline, learner, writes) against the raw pipeline (`nlp.pipe`) plus the
  same features and scikit-learn's `predict_proba`, the model loaded on both sides.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import (
    MAIN, PYTHON, ROOT, at_least, at_most, child_env, info, interleaved, median, run_timed, say,
)

RE3D = ROOT.parent / "shared" / "data" / "re3d-dev"
EPOCHS = int(os.environ.get("ARCMARK_BENCH_MODEL_EPOCHS", "20"))


def _store(path: Path, env: dict[str, str]) -> None:
    run_timed([PYTHON, MAIN, "import", "--db", path, "--status", "done", RE3D], env)


def _fresh(base: Path, work: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(Path(f"{work}.models"), ignore_errors=True)
    shutil.copy(base, work)
    return work


def _arcmark_train(base: Path, work: Path, env: dict[str, str], scores: list) -> float:
    seconds = run_timed([PYTHON, MAIN, "train", "--db", _fresh(base, work), "--epochs",
                         str(EPOCHS)], env, timeout=3600)
    with sqlite3.connect(work) as conn:
        row = conn.execute("SELECT scores, counts, held_out FROM trained_models").fetchone()
    scores.append([json.loads(v) for v in row])
    return seconds


def _raw_corpora(base: Path, tmp: Path) -> Path:
    """train.spacy, dev.spacy and training.cfg as `main.py train` writes them."""
    sys.path.insert(0, str(ROOT))
    from annotate.reviewed import reviewed_documents, split_held_out
    from annotate.session import Session
    from annotate.training import TrainOptions, prepare
    from storage.store import Store

    work = tmp / "raw-corpora"
    with Store(_fresh(base, tmp / "raw.db")) as store:
        session = Session(store)
        train, held = split_held_out(reviewed_documents(session), 0.2)
        prepare(session, TrainOptions(epochs=EPOCHS), train, held, work)
    return work


def _raw_train(work: Path, out: Path, env: dict[str, str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    return run_timed([PYTHON, "-m", "spacy", "train", work / "training.cfg", "--output", out,
                      "--code", ROOT / "annotate" / "training_callbacks.py",
                      "--paths.train", work / "train.spacy", "--paths.dev", work / "dev.spacy",
                      "--training.logger.@loggers", "spacy.ConsoleLogger.v1"], env, timeout=3600)


def _no_rehearsal(base: Path, work: Path, env: dict[str, str]) -> dict[str, Any]:
    run_timed([PYTHON, MAIN, "train", "--db", _fresh(base, work), "--epochs", str(EPOCHS),
               "--no-rehearsal"], env, timeout=3600)
    with sqlite3.connect(work) as conn:
        return json.loads(conn.execute("SELECT scores FROM trained_models").fetchone()[0])


def _suggest_sides(base: Path, tmp: Path, model_folder: Path) -> dict[str, Any]:
    """Arcmark's suggestion and the raw pipeline + learner, both with the model loaded."""
    sys.path.insert(0, str(ROOT))
    import spacy
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from annotate.relation_features import (
        candidate_pairs, pair_features, sentence_index, token_spans,
    )
    from annotate.relation_suggest import RelationSuggester, suggest_in_store
    from annotate.session import Session
    from annotate.training_data import parse_reviewed
    from annotate.reviewed import reviewed_documents
    from storage.store import Store

    nlp = spacy.load(model_folder)
    learner = json.loads((model_folder / "relations.json").read_text())
    with Store(_fresh(base, tmp / "suggest-parse.db")) as store:
        session = Session(store)
        docs = reviewed_documents(session)
        parsed = list(parse_reviewed(nlp, docs, set()))
        relations = [{"name": r.name, "kind": r.kind, "heads": list(r.heads),
                      "tails": list(r.tails)} for r in session.schema.relation_labels]
    work = _fresh(base, tmp / "suggest-base.db")
    with sqlite3.connect(work) as conn:  # the analyst's entities stay, relations go
        conn.execute("DELETE FROM relations")
    # the raw side's learner: the same features and classes, fitted by scikit-learn
    vec = DictVectorizer()
    x = vec.fit_transform([f for p in parsed for f in p.features])
    x.indices, x.indptr = x.indices.astype("int32"), x.indptr.astype("int32")
    raw_lr = LogisticRegression(C=0.5, solver="saga", max_iter=200).fit(
        x, [c for p in parsed for c in p.classes])
    texts = [(d.text, d.accepted) for d in docs]
    suggester = RelationSuggester(nlp, {"relations": relations, "learner": learner,
                                        "patterns": [], "min_score": 0.3}, "model:bench")

    def arcmark() -> float:
        with Store(_fresh(work, tmp / "suggest.db")) as store:
            session = Session(store)
            started = time.perf_counter()
            suggest_in_store(session, doc_ids=store.document_ids(), suggester=suggester)
            return time.perf_counter() - started

    def raw() -> float:
        started = time.perf_counter()
        with sqlite3.connect(work) as conn:
            conn.execute("SELECT id, text FROM documents").fetchall()
            conn.execute("SELECT doc_id, start, \"end\", label FROM entities").fetchall()
        for doc, (_, ents) in zip(nlp.pipe(t for t, _ in texts), texts, strict=True):
            pairs = list(candidate_pairs(ents, sentence_index(doc)))
            if pairs:
                spans = token_spans(doc, ents)
                starts = sorted(s for s, _, _ in ents)
                raw_lr.predict_proba(vec.transform(
                    [pair_features(doc, spans[i], spans[j], ents[i][2], ents[j][2], starts)
                     for i, j in pairs]))
        return time.perf_counter() - started

    times = interleaved({"raw pipeline + learner": raw, "suggest": arcmark}, log=say)
    return {"documents": len(docs), **{k: median(v) for k, v in times.items()}}


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = child_env(tmp)
        base = tmp / "re3d.db"
        _store(base, env)
        corpora = _raw_corpora(base, tmp)
        scores: list = []
        times = interleaved({
            "main.py train": lambda: _arcmark_train(base, tmp / "train.db", env, scores),
            "raw spacy train": lambda: _raw_train(corpora, tmp / "raw-out", env),
        }, log=say)
        plain = _no_rehearsal(base, tmp / "plain.db", env)
        speed = _suggest_sides(base, tmp, Path(f"{tmp / 'train.db'}.models") / "v1")
    return _rows(scores, times, plain, speed)


def _rows(scores: list, times: dict[str, list[float]], plain: dict[str, Any],
          speed: dict[str, Any]) -> list[dict[str, Any]]:
    result, counts, held = scores[-1]
    ents, rels = result["entities"], result["relations"]
    base_f, trained_f = ents["base"]["micro"]["f"], ents["trained"]["micro"]["f"]
    baseline_f, rel_f = rels["baseline"]["micro"]["f"], rels["trained"]["micro"]["f"]
    spread = sorted({round(s[0]["entities"]["trained"]["micro"]["f"], 3) for s in scores})
    mapping = ", ".join(f"{k}->{v}" for k, v in ents["base"]["mapping"].items())
    train_s, raw_s = median(times["main.py train"]), median(times["raw spacy train"])
    docs = speed["documents"]
    return [
        info("model: entity F1, base (exact span, mapped labels)", base_f, "F1",
             f"{len(held)} held-out documents (ids {held}); mapping {mapping}"),
        at_least("model: entity F1, trained", trained_f, "F1", 0.55,
                 f"{counts['train_documents']} training documents, {EPOCHS} epochs; "
                 f"F1 over the {len(scores)} runs: {spread}"),
        at_least("model: entity F1 trained / base", trained_f / base_f, "x", 1.5),
        info("model: relation F1, co-occurrence baseline", baseline_f, "F1"),
        info("model: relation F1, trained learner", rel_f, "F1",
             f"P {rels['trained']['micro']['p']:.2f} R {rels['trained']['micro']['r']:.2f}"),
        at_least("model: relation F1 trained / baseline", rel_f / max(baseline_f, 1e-9), "x", 2),
        info("model: never-corrected labels kept (F1 vs base), with rehearsal",
             result["rehearsal"]["micro"]["f"], "F1",
             "base output of " + ", ".join(result["rehearsal"]["untouched"])),
        info("model: never-corrected labels kept (F1 vs base), without rehearsal",
             plain["rehearsal"]["micro"]["f"], "F1",
             f"entity F1 without rehearsal {plain['entities']['trained']['micro']['f']:.3f}"),
        info("model: main.py train", train_s, "s", "process start, parse, NER + relations, "
             "scores and saving counted"),
        at_most("model: main.py train / raw spacy train", train_s / raw_s, "x", 1.2,
                f"raw {raw_s:.1f} s, same corpora and config"),
        info("model: suggest", docs / speed["suggest"], "docs/s"),
        at_least("model: suggest / raw pipeline + learner",
                 speed["raw pipeline + learner"] / speed["suggest"], "x", 0.8),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
