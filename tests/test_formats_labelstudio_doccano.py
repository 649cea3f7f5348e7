"""Label Studio and doccano: real files import; our exports import back equal; Label Studio's
UTF-16 offsets are converted at the edge; relations keep their direction."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.corpus_io import export_path, import_path
from annotate.formats import read_path
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema

DATA = Path(__file__).parent / "data"
SCHEMA = load_schema()


def _annotations(session):
    return sorted(
        (d.text, sorted((e.start, e.end, e.label, e.status, e.origin) for e in session.entities(d.id)),
         sorted((r.label, r.directed, r.status) for r in session.relations(d.id)))
        for d in (session.document(s.id) for s in session.documents()))


def test_label_studio_annotation_file_imports(session):
    """Label Studio's own example annotation: a Date region, credited to the importing user."""
    report = import_path(session, DATA / "labelstudio" / "named_entity_annotation.json")
    assert report.errors == []
    assert any("'Date'" in n for n in report.notes)  # a label the store lacked, added
    (doc,) = session.documents()
    (entity,) = session.entities(doc.id)
    assert (entity.text, entity.label, entity.status, entity.annotator) == (
        "February 22", "Date", "accepted", "tester")
    assert session.document(doc.id).meta["labelstudio_id"] == 1


def test_label_studio_predictions_are_suggestions_of_their_model(session):
    """A task's predictions come in as suggestions whose origin names the model version."""
    import_path(session, DATA / "labelstudio" / "named_entity_tasks.json", fmt="labelstudio")
    (doc,) = session.documents()
    (entity,) = session.entities(doc.id)
    assert (entity.status, entity.origin) == ("suggested", "model:model 1")


TEXT = "🇹🇷 Turkey 😀 buys S-400 from Russia."


def _ls_task() -> dict:
    """A task as Label Studio writes it: offsets in UTF-16 units, relations with direction."""
    def units(cp: int) -> int:
        return len(TEXT[:cp].encode("utf-16-le")) // 2

    def region(rid, word, label):
        start = TEXT.index(word)
        return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": units(start), "end": units(start + len(word)),
                          "text": word, "labels": [label]}}

    return {"id": 7, "data": {"text": TEXT}, "annotations": [{
        "completed_by": {"id": 3, "email": "ana@example.org"}, "was_cancelled": False,
        "result": [region("a", "Turkey", "GPE"), region("b", "Russia", "GPE"),
                   region("c", "S-400", "PRODUCT"),
                   {"from_id": "a", "to_id": "b", "type": "relation", "direction": "left",
                    "labels": ["SUPPLIES"]},
                   {"from_id": "a", "to_id": "b", "type": "relation", "direction": "bi"}]}]}


def test_label_studio_utf16_offsets_and_directions(session, tmp_path):
    """Offsets after emoji land on the words; "left" turns a relation round; "bi" is undirected."""
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([_ls_task()]), encoding="utf-8")
    report = import_path(session, path)
    assert report.errors == [], report.errors
    (doc,) = session.documents()
    assert sorted(e.text for e in session.entities(doc.id)) == ["Russia", "S-400", "Turkey"]
    assert {e.annotator for e in session.entities(doc.id)} == {"ana@example.org"}
    by_id = {e.id: e.text for e in session.entities(doc.id)}
    rels = sorted((by_id[r.head_id], by_id[r.tail_id], r.label, r.directed)
                  for r in session.relations(doc.id))
    assert rels == [("Russia", "Turkey", "SUPPLIES", True), ("Turkey", "Russia", "RELATED", False)]


def test_label_studio_export_imports_back_equal(session, tmp_path, db_path):
    """Annotations, suggestions (as predictions) and relations survive Label Studio JSON."""
    from annotate.session import Session
    from storage.store import Store

    rec = DocumentRecord(text=TEXT, entities=(
        EntityRecord(TEXT.index("Turkey"), TEXT.index("Turkey") + 6, "GPE"),
        EntityRecord(TEXT.index("Russia"), TEXT.index("Russia") + 6, "GPE"),
        EntityRecord(TEXT.index("S-400"), TEXT.index("S-400") + 5, "PRODUCT",
                     origin="model:en_core_web_sm@3.8.0", status="suggested")),
        relations=(RelationRecord(1, 0, "SUPPLIES"),
                   RelationRecord(0, 1, "NEGOTIATES_WITH", directed=False)))
    session.import_records([rec])
    out = tmp_path / "ls.json"
    report = export_path(session, "labelstudio", out)
    (task,) = json.loads(out.read_text(encoding="utf-8"))
    starts = sorted(r["value"]["start"] for a in task["annotations"] for r in a["result"]
                    if r["type"] == "labels")
    assert starts == [len("🇹🇷 ".encode("utf-16-le")) // 2,
                      len(TEXT[:TEXT.index("Russia")].encode("utf-16-le")) // 2]
    assert task["predictions"][0]["model_version"] == "en_core_web_sm@3.8.0"
    assert report.documents == 1
    with Store(tmp_path / "again.db") as other:
        again = Session(other, annotator="tester")
        assert import_path(again, out).errors == []
        assert _annotations(again) == _annotations(session)


def test_doccano_real_files_import(session):
    """doccano's own examples: the pretty-printed relation file and the sequence file."""
    for name in ("relation_extraction.jsonl", "sequence_labeling.jsonl"):
        report = import_path(session, DATA / "doccano" / name)
        assert report.errors == [], report.errors
    google = next(d for d in session.documents() if d.title.startswith("Google"))
    rels = session.relations(google.id)
    assert sorted(r.label for r in rels) == ["foundedAt", "foundedBy", "foundedBy"]


def test_doccano_export_imports_back_equal(session, tmp_path):
    """doccano's relation shape: entities with ids and offsets, relations by from_id/to_id."""
    from annotate.session import Session
    from storage.store import Store

    import_path(session, DATA / "doccano" / "relation_extraction.jsonl")
    import_path(session, DATA / "doccano" / "sequence_labeling.jsonl")
    out = tmp_path / "doccano.jsonl"
    export_path(session, "doccano", out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    first = next(r for r in records if r["text"].startswith("Google"))
    assert first["relations"][0] == {"id": 0, "from_id": 0, "to_id": 1, "type": "foundedAt"}
    assert first["entities"][0] == {"id": 0, "label": "ORG", "start_offset": 0, "end_offset": 6}
    with Store(tmp_path / "again.db") as other:
        again = Session(other, annotator="tester")
        assert import_path(again, out, fmt="doccano").errors == []
        assert _annotations(again) == _annotations(session)


def test_doccano_user_names_the_layer(session, tmp_path):
    """A doccano record's `user` is who made its spans and relations."""
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "Ankara and Moscow", "user": "kim", "entities": [
        {"id": 1, "label": "GPE", "start_offset": 0, "end_offset": 6}]}) + "\n",
        encoding="utf-8")
    import_path(session, path)
    (doc,) = session.documents()
    assert [e.annotator for e in session.entities(doc.id)] == ["kim"]


@pytest.mark.parametrize("task, message", [
    ({"data": {"text": "abc"}, "annotations": [{"result": [{"type": "labels", "id": "x",
      "value": {"start": 0, "end": 9, "labels": ["GPE"]}}]}]}, "ls.json:1: offsets 0-9 beyond"),
    ({"data": {"text": "a😀b"}, "annotations": [{"result": [{"type": "labels", "id": "x",
      "value": {"start": 0, "end": 2, "labels": ["GPE"]}}]}]}, "ls.json:1: offset 2 falls inside"),
    ({"data": {"text": "abc"}, "annotations": [{"result": [{"type": "relation",
      "from_id": "x", "to_id": "y"}]}]}, "ls.json:1: relation refers to a missing region"),
    ({"data": {"text": "abc"}, "annotations": "x"}, "ls.json:1: annotations is not a list"),
])
def test_bad_label_studio_tasks_are_one_line(tmp_path, task, message):
    """A bad task refuses its file with one line naming file and task."""
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    (batch,) = read_path(path, schema=SCHEMA, fmt="labelstudio")
    assert batch.records == () and batch.error.startswith(message), batch.error
