"""Prodigy: a real rel.manual file imports with its provenance and labels; Explosion's own
parse_data.py reads our `prodigy` export into the DocBins it makes of the original."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from annotate.corpus_io import export_path, import_path
from annotate.formats import read_path
from annotate.schema import load_schema

DATA = Path(__file__).parent / "data" / "prodigy"
ANNOTATIONS = DATA / "annotations.jsonl"


def test_real_prodigy_file_imports_with_its_labels_and_provenance(session):
    """Labels the store lacks join its schema with a note; hashes, answer and view are kept."""
    report = import_path(session, ANNOTATIONS)
    assert report.errors == [] and len(report.files_ok) == 1
    assert any("label(s) added to the schema: 'GGP', 'Pos-Reg'" in n for n in report.notes)
    assert {"GGP"} <= set(session.schema.entity_names)
    assert {"Pos-Reg", "Neg-Reg", "Reg", "Binds", "No-rel"} <= set(session.schema.relation_names)
    first = json.loads(ANNOTATIONS.read_text(encoding="utf-8").splitlines()[0])
    doc = next(d for d in (session.document(s.id) for s in session.documents())
               if d.text == first["text"])
    assert doc.meta["prodigy"] == {k: first[k] for k in ("answer", "_input_hash", "_task_hash",
                                                         "_session_id", "_view_id")}
    assert doc.source == first["meta"]["source"]
    assert {e.annotator for e in session.entities(doc.id)} == {"tester"}
    assert {r.annotator for r in session.relations(doc.id)} == {"tester"}


def test_strict_labels_refuses_the_file_at_its_first_unknown_label(tmp_path):
    """--strict-labels keeps the old refusal, naming file and line."""
    (batch,) = read_path(ANNOTATIONS, schema=load_schema(), strict_labels=True)
    assert batch.error == "annotations.jsonl:1: label 'GGP' is not in the schema"


def test_annotator_id_credits_spans_and_relations(session, tmp_path):
    """A task's _annotator_id is who made its spans and relations, kept back in the export."""
    task = json.loads(ANNOTATIONS.read_text(encoding="utf-8").splitlines()[0])
    task.update(_annotator_id="rel_gold-alex", _session_id="rel_gold-alex",
                _timestamp=1614950000, accept=["Q42"], options=[{"id": "Q42", "text": "x"}])
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(task) + "\n", encoding="utf-8")
    import_path(session, path)
    (summary,) = session.documents()
    assert {e.annotator for e in session.entities(summary.id)} == {"rel_gold-alex"}
    assert {r.annotator for r in session.relations(summary.id)} == {"rel_gold-alex"}
    out = tmp_path / "out.jsonl"
    export_path(session, "prodigy", out)
    back = json.loads(out.read_text(encoding="utf-8"))
    for key in ("_annotator_id", "_session_id", "_timestamp", "accept", "options",
                "_input_hash", "answer", "_view_id"):
        assert back[key] == task[key], key


def _run_parse_data(source: Path, folder: Path) -> dict[str, list]:
    """parse_data.py's train/dev/test DocBins as (text, entities, relations) by character
    offsets: tokens may differ, what they mark must not."""
    folder.mkdir()
    outs = [folder / f"{part}.spacy" for part in ("train", "dev", "test")]
    done = subprocess.run([sys.executable, str(DATA / "parse_data.py"), str(source),
                           *map(str, outs)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Skipping" not in done.stdout, done.stdout
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    parts = {}
    for out in outs:
        docs = []
        for doc in DocBin().from_disk(out).get_docs(Vocab()):
            rel = doc.user_data[("._.", "rel", None, None)]
            at = {t.i: t.idx for t in doc}
            rels = sorted((at[a], at[b], label, score) for (a, b), labels in rel.items()
                          for label, score in labels.items())
            ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            docs.append((doc.text, ents, rels))
        parts[out.stem] = sorted(docs)
    return parts


def test_parse_data_reads_our_prodigy_export_into_the_same_docbins(session, tmp_path):
    """Explosion's own script: DocBins from our export equal those from Prodigy's file."""
    import_path(session, ANNOTATIONS)
    ours = tmp_path / "ours.jsonl"
    report = export_path(session, "prodigy", ours)
    assert report.documents == 20 and report.notes == []
    original = _run_parse_data(ANNOTATIONS, tmp_path / "original")
    exported = _run_parse_data(ours, tmp_path / "exported")
    assert sum(len(docs) for docs in original.values()) >= 10
    assert exported == original


def test_jsonl_and_prodigy_exports_both_import_back(session, tmp_path, store):
    """Each export imports into a new store with the same spans and relations."""
    from annotate.session import Session
    from storage.store import Store

    import_path(session, ANNOTATIONS)

    def annotations(s):
        return sorted((d.text[:30], sorted((e.start, e.end, e.label) for e in s.entities(d.id)),
                       sorted(r.label for r in s.relations(d.id)))
                      for d in (s.document(x.id) for x in s.documents()))

    expected = annotations(session)
    for fmt in ("jsonl", "prodigy"):
        out = tmp_path / f"{fmt}.jsonl"
        export_path(session, fmt, out)
        with Store(tmp_path / f"{fmt}.db") as other:
            again = Session(other, annotator="tester")
            assert import_path(again, out).errors == []
            assert annotations(again) == expected, fmt


def test_jsonl_round_trip_through_a_new_store_keeps_what_the_readme_says(session, tmp_path):
    """Store -> jsonl -> a new store -> jsonl: every field is the same except the ids the new
    store gives, the documents' own created/updated times (the time of the import) and the
    file name added to meta.sources."""
    from annotate.session import Session
    from storage.store import Store

    import_path(session, ANNOTATIONS)
    first = tmp_path / "first.jsonl"
    export_path(session, "jsonl", first)
    with Store(tmp_path / "b.db") as other:
        again = Session(other, annotator="someone-else")
        import_path(again, first)
        second = tmp_path / "second.jsonl"
        export_path(again, "jsonl", second)

    def comparable(line: str) -> dict:
        rec = json.loads(line)
        for item in rec["spans"] + rec["relations"]:
            item.pop("id")
            item.pop("head_id", None), item.pop("child_id", None)
        ours = rec["_arcmark"]
        for key in ("id", "created_at", "updated_at"):
            ours.pop(key)
        for meta in (rec["meta"], ours["meta"]):
            meta["sources"] = [s["source"] for s in meta["sources"]]
        return rec

    a = [comparable(line) for line in first.read_text(encoding="utf-8").splitlines()]
    b = [comparable(line) for line in second.read_text(encoding="utf-8").splitlines()]
    assert [r["meta"]["sources"] for r in b] == [["annotations.jsonl", "first.jsonl"]] * 20
    for r in b:
        r["meta"]["sources"] = r["_arcmark"]["meta"]["sources"] = ["annotations.jsonl"]
    assert a == b


def test_cli_strict_labels_refuses_and_the_default_adds_with_a_note(tmp_path):
    """`import --strict-labels`: one line, exit 1, nothing stored; without it the labels join
    the schema and stderr names them."""
    root = Path(__file__).resolve().parent.parent
    db = tmp_path / "c.db"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(root / "main.py"), "import", "--db", str(db),
                               *args, str(ANNOTATIONS)], capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)

    strict = run("--strict-labels")
    assert strict.returncode == 1
    assert "arcmark: annotations.jsonl:1: label 'GGP' is not in the schema" in strict.stderr
    assert "0 new documents" in strict.stdout
    plain = run()
    assert plain.returncode == 0 and "20 new documents" in plain.stdout
    assert "label(s) added to the schema: 'GGP'" in plain.stderr
