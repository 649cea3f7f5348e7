"""Corpus statistics agree with the store, count the model's record and the progress by day."""
from __future__ import annotations

import json

from click.testing import CliRunner

import main
from annotate.corpus_io import import_path
from annotate.model import DocumentRecord, EntityRecord
from annotate.statistics import corpus_statistics
from tests.conftest import ROOT

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"


def test_statistics_match_the_store(session):
    import_path(session, EXAMPLE)
    stats = corpus_statistics(session)
    entities = [e for d in session.store.document_ids() for e in session.entities(d)]
    relations = [r for d in session.store.document_ids() for r in session.relations(d)]
    assert stats.documents == 1 and stats.documents_by_status == {"new": 0, "in_progress": 0,
                                                                  "done": 1, "curated": 0}
    assert stats.entities == len(entities) and stats.relations == len(relations)
    for label, by_status in stats.entities_by_label.items():
        for status, n in by_status.items():
            assert n == sum(1 for e in entities if e.label == label and e.status == status)
    assert sum(sum(c.values()) for c in stats.relations_by_label.values()) == len(relations)
    assert stats.relations_by_label["ALLY_OF"]["accepted"] == sum(
        1 for r in relations if r.label == "ALLY_OF")
    assert list(stats.entities_by_label)[:2] == ["PERSON", "NORP"]  # schema order
    assert stats.entities_by_status() == {s: sum(1 for e in entities if e.status == s)
                                          for s in ("suggested", "accepted", "rejected")}


def test_model_quality_counts_accepted_rejected_and_corrected_suggestions(session):
    model = "model:en_core_web_sm@3.8.0"
    doc = session.import_records([DocumentRecord(
        text="Russia, Turkey and Iran met in Astana on Monday.",
        entities=tuple(EntityRecord(s, e, label, origin=model, status="suggested") for s, e, label in
                       [(0, 6, "GPE"), (8, 14, "GPE"), (19, 23, "GPE"), (31, 37, "PERSON"),
                        (41, 47, "DATE")]))]).documents_added[0]
    ids = {e.text: e.id for e in session.entities(doc)}
    session.accept_entity(ids["Russia"])
    session.accept_entity(ids["Turkey"])
    session.reject_entity(ids["Iran"])
    session.relabel_entity(ids["Astana"], "GPE")  # the model was wrong about PERSON
    quality = {q.label: q for q in corpus_statistics(session).model_quality}
    assert (quality["GPE"].accepted, quality["GPE"].rejected, quality["GPE"].pending) == (2, 1, 0)
    assert quality["GPE"].precision == 2 / 3
    assert (quality["PERSON"].rejected, quality["PERSON"].precision) == (1, 0.0)
    assert quality["DATE"].pending == 1 and quality["DATE"].precision is None


def test_progress_by_day_counts_a_persons_edits_and_documents_done(session):
    doc = session.import_records([DocumentRecord(text="Iran and Turkey.")]).documents_added[0]
    session.add_entity(doc, 0, 4, "GPE")
    session.add_entity(doc, 9, 15, "GPE")
    session.set_document_status(doc, "done")
    days = corpus_statistics(session).progress
    assert len(days) == 1
    assert (days[0].documents_done, days[0].entity_edits, days[0].relation_edits) == (1, 2, 0)


def test_stats_json_command_prints_the_same_numbers(tmp_path, session):
    db = tmp_path / "s.db"
    assert CliRunner().invoke(main.cli, ["import", "--db", str(db), str(EXAMPLE)]).exit_code == 0
    printed = json.loads(CliRunner().invoke(main.cli, ["stats", "--db", str(db), "--json"]).output)
    import_path(session, EXAMPLE)
    assert printed["entities_by_label"]["GPE"] == corpus_statistics(
        session).entities_by_label["GPE"]["accepted"]
