"""Curation commands, the curated layer, the layer the document view shows, and the
command line's --annotator and export --layer."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annotate.corpus_io import export_path
from annotate.model import ValidationError
from annotate.session import Session
from annotate.team import curation
from annotate.team.merge import merge_stores
from storage.store import Store
from tests.helpers.team_stores import analyst_store, span

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


@pytest.fixture
def team(tmp_path):
    with Store(tmp_path / "team.db") as store:
        session = Session(store, annotator="carol")
        merge_stores(session, [analyst_store(tmp_path / f"{n}.db", n) for n in ("alice", "bob")])
        yield session


def states(session: Session, doc_id: int) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {u.text: (u.state, u.curated) for u in curation.units(session.annotated_all(doc_id))}


def test_units_are_marked_agreed_only_some_or_conflicting(team):
    """Each span and relation of the analysts is one unit with its state."""
    assert states(team, 1) == {
        "Turkey": ("agreed", ()), "Russia": ("agreed", ()), "Iran": ("only some", ()),
        "Erdogan": ("conflicting label", ()), "Putin": ("agreed", ()), "Moscow": ("agreed", ()),
        "Turkey → Russia": ("agreed", ()), "Russia → Turkey": ("only some", ()),
        "Erdogan → Putin": ("only some", ())}


def test_taking_versions_builds_the_curated_layer_and_undo_restores(team):
    """Take all agreed, take bob on a conflict, take both, take alice's relation (bringing
    its entities), take neither; each is one undoable edit."""
    curation.take_agreed(team, 1)
    units = {u.text: u for u in curation.units(team.annotated_all(1))}
    curation.take(team, 1, units["Erdogan"], ["bob"])
    curation.take(team, 1, units["Iran"], ["alice", "bob"])
    curation.take(team, 1, units["Erdogan → Putin"], ["alice"])
    got = states(team, 1)
    assert got["Turkey"] == ("agreed", ("GPE",)) and got["Iran"] == ("only some", ("GPE",))
    # the relation joins the curated entities already on its spans
    assert got["Erdogan"] == ("conflicting label", ("ORG",))
    assert got["Erdogan → Putin"] == ("only some", ("MEETS_WITH",))
    assert got["Turkey → Russia"] == ("agreed", ("ALLY_OF",))
    units = {u.text: u for u in curation.units(team.annotated_all(1))}
    curation.take(team, 1, units["Erdogan"], [])
    got = states(team, 1)
    assert got["Erdogan"][1] == () and got["Erdogan → Putin"][1] == ()  # went with its head
    team.undo()
    assert states(team, 1)["Erdogan → Putin"][1] == ("MEETS_WITH",)
    for _ in range(4):
        team.undo()
    assert all(curated == () for _, curated in states(team, 1).values())
    with pytest.raises(ValidationError):
        curation.take(team, 1, units["Russia → Turkey"], [])  # nothing curated to remove


def test_curated_rows_carry_the_curated_annotator_and_history_the_curator(team):
    """The curated layer is its own annotator; the history says who curated."""
    curation.take_agreed(team, 2)
    curated = [e for e in team.all_entities(2) if e.annotator == "curated"]
    assert sorted(e.text for e in curated) == ["Moscow", "Putin", "Russia", "Turkey"]
    entry = team.store.history(2, limit=1)[0]
    assert entry["annotator"] == "carol" and entry["action"].startswith("Curate 5 agreed")


def test_export_of_the_curated_layer_writes_only_it(team, tmp_path):
    """`layer="curated"` writes the curated annotations; auto writes a curated document's
    curated layer and the others whole; a status 'curated' document is found."""
    curation.take_agreed(team, 1)
    team.set_document_status(1, "curated")
    out = tmp_path / "curated.jsonl"
    export_path(team, "jsonl", out, layer="curated", status="curated")
    [task] = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((s["start"], s["end"], s["label"]) for s in task["spans"]) == sorted(
        (*span(0, w), lab) for w, lab in [("Turkey", "GPE"), ("Russia", "GPE"),
                                          ("Putin", "PERSON"), ("Moscow", "GPE")])
    assert [r["label"] for r in task["relations"]] == ["ALLY_OF"]
    auto = tmp_path / "auto.jsonl"
    report = export_path(team, "jsonl", auto)
    assert report.entities == 4 + 9 * 11


def test_the_document_view_shows_the_chosen_layer_and_edits_stay_in_it(team):
    """With several layers, the view shows one (the annotator's own by default) plus
    suggestions; adding a span another analyst has makes the annotator's own entity."""
    assert team.entities(1) == []  # carol has not annotated
    team.layer = "bob"
    assert sorted(e.text for e in team.entities(1)) == ["Erdogan", "Moscow", "Putin", "Russia",
                                                        "Turkey"]
    assert {r.label for r in team.relations(1)} == {"ALLY_OF", "SUPPORTS"}
    team.layer = None
    team.add_entity(1, *span(0, "Turkey"), "GPE")
    assert [(e.text, e.annotator) for e in team.entities(1)] == [("Turkey", "carol")]
    assert len([e for e in team.all_entities(1) if e.text == "Turkey"]) == 3


def test_reserved_annotator_names_are_refused(store):
    """'curated', 'all' and 'auto' name layers, not people."""
    for name in ("curated", "All", " auto "):
        with pytest.raises(ValidationError):
            Session(store, annotator=name)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=180, env=env)


def test_the_command_line_merges_credits_the_annotator_and_exports_a_layer(tmp_path):
    """`--annotator` credits what a command writes; `merge` twice adds nothing; `export
    --layer bob` writes bob's annotations only; a reserved name is one error line."""
    paths = [analyst_store(tmp_path / f"{n}.db", n) for n in ("alice", "bob")]
    team = str(tmp_path / "team.db")
    first = run("--annotator", "carol", "merge", *map(str, paths), "--db", team)
    assert first.returncode == 0, first.stderr
    assert "entities +110" in first.stdout
    again = run("merge", *map(str, paths), "--db", team)
    assert "entities +0 -0; relations +0 -0" in again.stdout
    (tmp_path / "more.txt").write_text("Macron visited Kyiv on Monday.")
    assert run("--annotator", "dana", "import", str(tmp_path / "more.txt"), "--db", team
               ).returncode == 0
    with Store(team) as store:
        assert store.history(limit=1)[0]["annotator"] == "dana"
        assert store.history(limit=50)[-1]["annotator"] == "carol"  # the first merge's entry
    out = tmp_path / "bob.jsonl"
    assert run("export", "--db", team, "--format", "jsonl", "--out", str(out), "--layer", "bob"
               ).returncode == 0
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert sum(len(t["spans"]) for t in tasks) == 50
    bad = run("--annotator", "curated", "import", str(tmp_path / "more.txt"), "--db", team)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "reserved" in bad.stderr


def test_a_store_nothing_was_merged_into_shows_every_layer(session):
    """Outside a team store, entities credited to someone else (say, by an import) stay in
    view beside the annotator's own; choosing a layer still narrows the view."""
    from annotate.model import DocumentRecord, EntityRecord

    text = "Turkey fights alongside Russia."
    [doc_id] = session.import_records([DocumentRecord(text=text, entities=(
        EntityRecord(0, 6, "GPE", annotator="imported"),))]).documents_added
    session.add_entity(doc_id, 24, 30, "GPE")
    assert [(e.text, e.annotator) for e in session.entities(doc_id)] == [
        ("Turkey", "imported"), ("Russia", "tester")]
    session.layer = "imported"
    assert [e.text for e in session.entities(doc_id)] == ["Turkey"]
