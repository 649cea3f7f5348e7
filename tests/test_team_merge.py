"""Merging analysts' stores into a team store: one layer per analyst, merging again
brings only what changed."""
from __future__ import annotations

import hashlib

import pytest

from annotate.model import DocumentRecord, EntityRecord
from annotate.schema import RelationLabel, Schema, load_schema
from annotate.session import Session
from annotate.team.merge import merge_stores
from storage.store import Store
from tests.helpers.team_stores import analyst_store, span, text


@pytest.fixture
def analysts(tmp_path):
    return analyst_store(tmp_path / "alice.db", "alice"), analyst_store(tmp_path / "bob.db", "bob")


def layer(session: Session, doc_id: int, name: str) -> list[tuple]:  # type: ignore[type-arg]
    return sorted((e.start, e.end, e.label) for e in session.all_entities(doc_id)
                  if e.annotator == name and e.status == "accepted")


def rows(store: Store) -> tuple[list, list, list]:  # type: ignore[type-arg]
    return store.rows("documents"), store.rows("entities"), store.rows("relations")


def test_two_analysts_stores_become_two_layers(session, analysts):
    """Ten documents matched by text, each analyst's entities and relations kept as theirs
    with the source and time recorded; model-free, nothing else added."""
    report = merge_stores(session, list(analysts))
    assert report.errors == [] and len(report.documents_added) == 10
    assert session.store.layer_counts() == {"alice": {"entities": 60, "relations": 20},
                                            "bob": {"entities": 50, "relations": 20}}
    doc = session.store.document_by_hash(hashlib.sha256(text(3).encode()).hexdigest())
    assert layer(session, doc["id"], "alice") == sorted(
        (*span(3, w), lab) for w, lab in [("Turkey", "GPE"), ("Russia", "GPE"), ("Iran", "GPE"),
                                          ("Erdogan", "PERSON"), ("Putin", "PERSON"),
                                          ("Moscow", "GPE")])
    assert (*span(3, "Erdogan"), "ORG") in layer(session, doc["id"], "bob")
    bob_rel = {r.label for r in session.all_relations(doc["id"]) if r.annotator == "bob"}
    assert bob_rel == {"ALLY_OF", "SUPPORTS"}
    sources = session.store.merge_sources()
    assert [s["annotators"] for s in sources] == [["alice"], ["bob"]]
    assert all(s["path"].endswith(n) for s, n in zip(sources, ("alice.db", "bob.db")))
    merged = session.store.db.execute("SELECT count(*) FROM merged_rows").fetchone()[0]
    assert merged == 60 + 50 + 20 + 20


def test_merging_twice_adds_nothing(session, analysts):
    """The same stores merged again change no row."""
    merge_stores(session, list(analysts))
    before = rows(session.store)
    again = merge_stores(session, list(analysts))
    assert (again.entities_added, again.relations_added, again.documents_added) == (0, 0, [])
    assert (again.entities_removed, again.relations_removed) == (0, 0)
    assert rows(session.store) == before


def test_merging_again_brings_the_analysts_changes_and_keeps_others_work(session, analysts,
                                                                          tmp_path):
    """After alice deletes an entity, adds one and adds a document, merging her store again
    mirrors her layer; bob's layer and what was made in the team store stay."""
    alice_db, _ = analysts
    merge_stores(session, list(analysts))
    doc_id = session.store.document_by_hash(hashlib.sha256(text(0).encode()).hexdigest())["id"]
    session.add_entity(doc_id, *span(0, "Report"), "ORG")  # the team store's own annotator
    bob_before = layer(session, doc_id, "bob")
    with Store(alice_db) as store:
        alice = Session(store, annotator="alice")
        iran = next(e for e in alice.entities(1) if e.text == "Iran")
        alice.delete_entity(iran.id)
        alice.add_entity(1, *span(0, "Report"), "EVENT")
        erdogan = next(e for e in alice.entities(1) if e.text == "Erdogan")
        alice.delete_entity(erdogan.id)  # and with it her MEETS_WITH relation
        alice.import_records([DocumentRecord(text="Macron visited Kyiv.", entities=(
            EntityRecord(0, 6, "PERSON"),))])
    report = merge_stores(session, list(analysts))
    assert (report.entities_added, report.entities_removed) == (2, 2)
    assert (report.relations_added, report.relations_removed) == (0, 1)
    assert len(report.documents_added) == 1
    now = layer(session, doc_id, "alice")
    assert (*span(0, "Iran"), "GPE") not in now and (*span(0, "Report"), "EVENT") in now
    assert not [r for r in session.all_relations(doc_id)
                if r.annotator == "alice" and r.label == "MEETS_WITH"]
    assert layer(session, doc_id, "bob") == bob_before
    assert layer(session, doc_id, "tester") == [(*span(0, "Report"), "ORG")]


def test_labels_and_schemas_are_united_with_a_note_on_conflicts(session, tmp_path):
    """A label the team lacks is added; a label with other rules keeps the team's and
    the merge says so."""
    base = load_schema()
    changed = tuple(RelationLabel(r.name, "directed", ("PERSON",), ("PERSON",), r.colour)
                    if r.name == "ALLY_OF" else r for r in base.relation_labels)
    theirs = Schema(base.entity_labels + (base.entity_labels[0].__class__("WEAPON", "#aa0000"),),
                    changed)
    with Store(tmp_path / "dana.db") as store:
        Session(store, annotator="dana", schema=theirs).import_records(
            [DocumentRecord(text="The Javelin arrived.", entities=(EntityRecord(4, 11, "WEAPON"),))])
    report = merge_stores(session, [tmp_path / "dana.db"])
    assert session.schema.entity("WEAPON") is not None
    assert session.schema.relation("ALLY_OF").kind == "symmetric"
    assert any("ALLY_OF has other rules" in n for n in report.notes)
    assert session.store.layer_counts() == {"dana": {"entities": 1, "relations": 0}}


def test_sources_are_read_only_and_bad_ones_are_one_line(session, analysts, tmp_path):
    """A merge never writes to a source; a file that is not a store is one error line and
    the team store is unchanged."""
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in analysts]
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    report = merge_stores(session, [bad])
    assert len(report.errors) == 1 and "\n" not in report.errors[0]
    assert rows(session.store) == ([], [], [])
    merge_stores(session, list(analysts))
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in analysts] == digests


def test_hostile_offsets_and_labels_in_a_source_are_skipped(session, analysts):
    """Entities outside the text or with labels no schema has are not merged."""
    alice_db, _ = analysts
    with Store(alice_db) as store, store.write() as db:
        db.execute("PRAGMA ignore_check_constraints = ON")
        db.execute('UPDATE entities SET "end" = 100000 WHERE id = 1')
        db.execute("UPDATE entities SET label = 'NOPE' WHERE id = 2")
    report = merge_stores(session, [alice_db])
    assert report.errors == []
    assert report.entities_added == 58
    assert all(e["end"] <= len(text(9)) for e in session.store.rows("entities"))


def test_cancelling_leaves_the_source_unmerged(session, analysts):
    """Cancel during a source rolls it back whole."""
    report = merge_stores(session, list(analysts), cancelled=lambda: True)
    assert report.cancelled and report.sources == []
    assert rows(session.store) == ([], [], [])
    assert session.store.merge_sources() == []


def test_the_team_store_itself_is_refused(session, db_path):
    """Merging the team store into itself is an error line, not a duplication."""
    report = merge_stores(session, [db_path])
    assert report.errors == [f"{db_path}: is the team store itself"]


def test_cancelling_takes_back_the_labels_the_source_brought(session, tmp_path):
    """A cancelled merge leaves the team's label schema as it was, in the store and the session."""
    base = load_schema()
    theirs = Schema(base.entity_labels + (base.entity_labels[0].__class__("WEAPON", "#aa0000"),),
                    base.relation_labels)
    with Store(tmp_path / "dana.db") as store:
        Session(store, annotator="dana", schema=theirs).import_records(
            [DocumentRecord(text="The Javelin arrived.", entities=(EntityRecord(4, 11, "WEAPON"),))])
    report = merge_stores(session, [tmp_path / "dana.db"], cancelled=lambda: True)
    assert report.cancelled
    assert session.schema.entity("WEAPON") is None
    assert "WEAPON" not in {e["name"] for e in session.store.label_schema()["entity"]}
