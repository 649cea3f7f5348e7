"""The model loop on real analysts' documents (re3d-dev): train, pre-annotate with the
trained version, suggest relations, evaluate; humans' decisions are never overridden."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotate.corpus_io import import_path
from annotate.model import DocumentRecord
from annotate.preannotate import preannotate
from annotate.relation_suggest import suggest_in_store
from annotate.session import Session
from annotate.training import TrainOptions, train_models
from storage.store import Store
from storage.trained_models import models_folder, trained_models

ROOT = Path(__file__).resolve().parent.parent
RE3D = ROOT.parent / "shared" / "data" / "re3d-dev"
if not RE3D.is_dir():
    RE3D = Path("/work/shared/data/re3d-dev")
TRAIN_DOCS = 10
BASE_LABELS = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
               "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL",
               "CARDINAL"}


def _re3d_subset(folder: Path, names: list[str]) -> Path:
    folder.mkdir()
    shutil.copy(RE3D / "annotation.conf", folder)
    for name in names:
        for suffix in (".txt", ".ann"):
            shutil.copy(RE3D / f"{name}{suffix}", folder)
    return folder


def _names() -> list[str]:
    return sorted(p.stem for p in RE3D.glob("*.ann"))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A store with TRAIN_DOCS reviewed re3d documents and one model trained on them."""
    tmp = tmp_path_factory.mktemp("trained")
    store = Store(tmp / "re3d.db")
    session = Session(store, annotator="analyst")
    import_path(session, _re3d_subset(tmp / "reviewed", _names()[:TRAIN_DOCS]), status="done")
    steps: list = []
    result = train_models(session, TrainOptions(epochs=10, held_out=0.2), progress=steps.append)
    yield session, result, steps
    store.close()


def test_import_status_done_marks_the_corpus_reviewed(trained):
    """`import --status done` leaves every imported document done, ready to train on."""
    session, _, _ = trained
    assert {d.status for d in session.documents()} == {"done"}


def test_training_is_recorded_with_its_scores_and_reports_progress(trained):
    """The model folder is complete, the store records base, counts and per-label scores,
    and progress came per epoch with a loss and a held-out score."""
    session, result, steps = trained
    assert not result.cancelled and result.folder == models_folder(session.store) / "v1"
    assert (result.folder / "meta.json").is_file() and (result.folder / "relations.json").is_file()
    (row,) = trained_models(session.store)
    assert row["version"] == 1 and row["base"].startswith("en_core_web_sm")
    assert row["train_documents"] == TRAIN_DOCS - 2 and len(row["held_out"]) == 2
    assert "Organisation" in row["scores"]["entities"]["trained"]["labels"]
    assert row["scores"]["entities"]["base"]["mapping"]["PERSON"] == "Person"
    epochs = [s.epoch for s in steps if s.stage == "training"]
    assert epochs[-1] == 10 and all(s.score is not None for s in steps if s.stage == "training")


def test_trained_model_suggests_labels_the_base_never_produces(trained):
    """`ner --model latest` on an unseen re3d document suggests re3d's own labels, with the
    trained version as their origin; the reviewed documents get no new suggestions."""
    session, _, _ = trained
    text = (RE3D / f"{_names()[-1]}.txt").read_text(encoding="utf-8")
    doc = session.import_records([DocumentRecord(text=text)]).documents_added[0]
    result = preannotate(session, model="latest")
    ents = session.entities(doc)
    assert result.model == "en_arcmark@1.0.0" and result.documents == 1 and ents
    learned = {e.label for e in ents} - BASE_LABELS
    assert learned & {"Organisation", "Location", "Person", "Nationality", "Temporal"}
    assert all(e.origin == "model:en_arcmark@1.0.0" and e.status == "suggested" for e in ents)


def test_trained_model_never_resurrects_or_overrides_a_decision(trained):
    """Entities a person rejected, relabelled or accepted stay as they are when the trained
    model pre-annotates the document."""
    session, _, _ = trained
    text = (RE3D / f"{_names()[-2]}.txt").read_text(encoding="utf-8")
    doc = session.import_records([DocumentRecord(text=text)]).documents_added[0]
    preannotate(session, doc_ids=[doc])  # the base model's suggestions first
    first, second, third = session.entities(doc)[:3]
    session.reject_entity(first.id)
    session.accept_entity(second.id)
    session.relabel_entity(third.id, "Weapon")
    before = {(e.id, e.start, e.end, e.label, e.status) for e in session.entities(doc)}
    preannotate(session, model="latest", doc_ids=[doc])
    after = {(e.id, e.start, e.end, e.label, e.status) for e in session.entities(doc)}
    assert before <= after
    decided = {(e.start, e.end) for e in (first, second, third)}
    assert all((s, e) not in decided for _, s, e, _, _ in after - before)


def _doc_with_accepted_entities(session, name: str) -> int:
    """An unreviewed copy of a re3d document with its entities accepted, no relations."""
    text = (RE3D / f"{name}.txt").read_text(encoding="utf-8")
    from annotate.formats import read_path

    (batch,) = [b for b in read_path(RE3D, schema=session.schema) if b.source.stem == name] or [None]
    doc = session.import_records([DocumentRecord(text=text)]).documents_added[0]
    assert batch is not None
    for rec in batch.records[0].entities:
        session.add_entity(doc, rec.start, rec.end, rec.label)
    return doc


def test_relation_suggestions_never_resurrect_a_rejection_or_touch_a_decision(trained):
    """Suggested relations join accepted entities with a score and the model as origin; a
    rejected one is not suggested again, accepted and human ones are left alone."""
    session, _, _ = trained
    doc = _doc_with_accepted_entities(session, _names()[TRAIN_DOCS])
    result = suggest_in_store(session, doc_ids=[doc], min_score=0.05)
    rels = session.relations(doc)
    assert result.relations == len(rels) >= 3
    assert all(r.status == "suggested" and r.origin == "model:en_arcmark@1.0.0" for r in rels)
    rejected, accepted = rels[0], rels[1]
    session.reject_relation(rejected.id)
    session.accept_relation(accepted.id)
    before = {(r.id, r.head_id, r.tail_id, r.label, r.status) for r in session.relations(doc)}
    again = suggest_in_store(session, doc_ids=[doc], min_score=0.05)
    after = {(r.id, r.head_id, r.tail_id, r.label, r.status) for r in session.relations(doc)}
    assert again.relations == 0 and after == before
    assert session.relation(rejected.id).status == "rejected"


def test_cancelling_training_leaves_the_store_as_it_was(trained, tmp_path):
    """A cancel during spaCy's training loop records nothing and leaves no model folder."""
    session, _, _ = trained
    history = len(session.store.history(limit=100_000))
    listing = sorted(p.name for p in models_folder(session.store).iterdir())
    seen = []
    result = train_models(session, TrainOptions(epochs=6), progress=seen.append,
                          cancelled=lambda: any(s.stage == "training" for s in seen))
    assert result.cancelled and [s.stage for s in seen].count("training") == 1
    assert len(trained_models(session.store)) == 1
    assert len(session.store.history(limit=100_000)) == history
    assert sorted(p.name for p in models_folder(session.store).iterdir()) == listing


def test_evaluate_prints_per_label_scores_of_base_and_trained(trained):
    """`main.py evaluate --json` gives per-label P/R/F1 for entities and relations."""
    session, _, _ = trained
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "evaluate", "--db",
                          str(session.store.path), "--json"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["model"] == "v1"
    ents = report["scores"]["entities"]
    assert set(ents) == {"base", "trained"}
    assert all({"p", "r", "f"} <= set(s) for s in ents["trained"]["labels"].values())
    assert "trained" in report["scores"]["relations"]


def test_train_without_reviewed_documents_is_one_line(tmp_path):
    """Training a store with fewer than two reviewed documents is refused in one line."""
    db = tmp_path / "empty.db"
    Session(Store(db)).import_records([DocumentRecord(text="Nothing reviewed here.")])
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--db", str(db)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "arcmark: training needs at least 2 reviewed documents (status done); the store has 0"]
    assert not models_folder(Store(db)).exists()


def test_a_damaged_relation_model_is_one_line_and_changes_nothing(trained):
    """A store's relation model file that is not what training wrote (here: weights of the
    wrong shape) stops `suggest` with one line; no relation is written. (Runs last: it
    damages the shared model.)"""
    session, result, _ = trained
    path = result.folder / "relations.json"
    data = json.loads(path.read_text())
    data["coef"] = [row[:-1] for row in data["coef"]]
    path.write_text(json.dumps(data))
    before = session.store.counts()["relations"]
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "suggest", "--db",
                          str(session.store.path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"arcmark: {path}: not an Arcmark relation model"]
    assert session.store.counts()["relations"] == before
