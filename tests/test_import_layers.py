"""A double-annotated corpus: each file's annotations stay in their own layer, every source
file name is kept, and the import says what happened."""
from __future__ import annotations

import json

from annotate.corpus_io import export_path, import_path

TEXT = "Turkey buys S-400 systems from Russia despite NATO objections."


def _task(spans, relations=(), **extra) -> str:
    return json.dumps({"text": TEXT, "spans": [{"start": s, "end": e, "label": label}
                                                for s, e, label in spans],
                       "relations": list(relations), "answer": "accept", **extra}) + "\n"


def _file(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_a_second_file_with_other_annotations_becomes_its_own_layer(session, tmp_path):
    """Same text, different spans: b.jsonl's spans are credited to 'b.jsonl', not merged."""
    a = _file(tmp_path, "a.jsonl", _task([(0, 6, "GPE"), (31, 37, "GPE")]))
    b = _file(tmp_path, "b.jsonl", _task([(0, 6, "GPE"), (46, 50, "ORG")]))
    import_path(session, a)
    report = import_path(session, b)
    (doc,) = session.documents()
    assert "doc 1: annotation layer 'b.jsonl' added from b.jsonl" in report.summary()
    layers = sorted((e.annotator, e.start, e.label) for e in session.all_entities(doc.id))
    assert layers == [("b.jsonl", 0, "GPE"), ("b.jsonl", 46, "ORG"),
                      ("tester", 0, "GPE"), ("tester", 31, "GPE")]
    sources = session.document(doc.id).meta["sources"]
    assert [(s["source"], s["annotator"]) for s in sources] == [("a.jsonl", "tester"),
                                                                ("b.jsonl", "b.jsonl")]


def test_the_file_annotator_names_the_layer(session, tmp_path):
    """A file that names its annotator (Prodigy's _annotator_id) gives the layer that name."""
    import_path(session, _file(tmp_path, "a.jsonl", _task([(0, 6, "GPE")],
                                                          _annotator_id="ana")))
    report = import_path(session, _file(tmp_path, "b.jsonl", _task([(0, 6, "ORG")],
                                                                   _annotator_id="ben")))
    (doc,) = session.documents()
    assert sorted((e.annotator, e.label) for e in session.all_entities(doc.id)) == [
        ("ana", "GPE"), ("ben", "ORG")]
    assert report.result.layers == [(doc.id, "ben", "b.jsonl")]
    assert [s["annotator"] for s in session.document(doc.id).meta["sources"]] == ["ana", "ben"]


def test_reimporting_an_export_adds_no_layer_but_keeps_its_name(session, tmp_path):
    """The same annotations again (an export read back) are already present: no new layer."""
    import_path(session, _file(tmp_path, "a.jsonl", _task([(0, 6, "GPE")])))
    out = tmp_path / "export.jsonl"
    export_path(session, "prodigy", out)
    report = import_path(session, out)
    (doc,) = session.documents()
    assert report.result.layers == [] and report.result.skipped == 1
    assert len(session.all_entities(doc.id)) == 1
    names = [s["source"] for s in session.document(doc.id).meta["sources"]]
    assert names == ["a.jsonl", "export.jsonl"]


def test_each_layer_is_its_own_prodigy_task(session, tmp_path):
    """A document with two analysts' layers is written as one task per layer."""
    import_path(session, _file(tmp_path, "a.jsonl", _task([(0, 6, "GPE")], _annotator_id="ana")))
    import_path(session, _file(tmp_path, "b.jsonl", _task([(31, 37, "GPE")],
                                                          _annotator_id="ben")))
    out = tmp_path / "out.jsonl"
    export_path(session, "prodigy", out)
    tasks = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(t["_annotator_id"], [s["start"] for s in t["spans"]]) for t in tasks] == [
        ("ana", [0]), ("ben", [31])]
