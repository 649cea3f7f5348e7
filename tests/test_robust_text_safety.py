"""Hostile strings (quotes, tabs, line breaks, SQL fragments, HTML) in labels, notes, titles,
annotator and file names: stored intact through the session, never break a query, and
exported intact (JSONL read back by our reader, CSV by the csv module, brat by our reader)."""
from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from annotate.corpus_io import export_path, import_path
from annotate.model import DocumentRecord
from annotate.schema import Schema, load_schema
from annotate.search import search
from annotate.session import Session
from storage.store import Store

SQL = "'; DROP TABLE entities; --"
NOTE = f'He said "no",\tthen\nleft;\r\nnext {SQL} <script>alert(1)</script> \\N \x1b[31m'
LABELS = ("Q'UOTE", 'DQ"UOTE', "DROP_TABLE';--", "<b>HTML</b>", "SP ACE", "TAB\tLABEL")
RELATION = "REL'; DROP TABLE relations; --"
ANNOTATOR = "Robert'); DROP TABLE history;--"
TITLE = 'Title "with" \'quotes\'\tand a tab <i>'
FILE_NAME = "it's \"x\" & y.txt"
TEXT = ('He said "Turkey\'s deal"\tis <script>alert(1)</script>; DROP TABLE entities; -- ok\n'
        "Next line,\u00a0with <img src=x onerror=alert(2)> & a comma.\n")


def hostile_schema() -> Schema:
    data = load_schema().to_dict()
    data["entity"] += [{"name": name, "colour": "#abcdef"} for name in LABELS]
    data["relation"].append({"name": RELATION, "kind": "directed"})
    return Schema.from_dict(data)


@pytest.fixture
def hostile(tmp_path):
    """A store with a document, one entity per hostile label and a relation with a hostile note."""
    store = Store(tmp_path / "hostile.db")
    session = Session(store, annotator=ANNOTATOR, schema=hostile_schema())
    (doc,) = session.import_records([DocumentRecord(
        text=TEXT, title=TITLE, meta={"file_name": FILE_NAME, "note": NOTE})]).documents_added
    start = TEXT.index('"Turkey')
    ids = [session.add_entity(doc, start, start + 14, label).entities[0] for label in LABELS]
    gpe = session.add_entity(doc, TEXT.index("DROP"), TEXT.index(" --"), "EVENT").entities[0]
    session.add_relation(ids[0], gpe, RELATION, note=NOTE)
    yield session, doc
    store.close()


def test_hostile_strings_are_stored_intact_and_break_no_query(hostile):
    session, doc = hostile
    store = session.store
    assert store.integrity_check() == "ok"
    assert {"entities", "relations", "history"} <= set(store.db.table_names())
    document = session.document(doc)
    assert (document.text, document.title, document.meta["note"]) == (TEXT, TITLE, NOTE)
    assert [e.label for e in session.entities(doc)][:len(LABELS)] == list(LABELS)
    (relation,) = session.relations(doc)
    assert (relation.label, relation.note, relation.annotator) == (RELATION, NOTE, ANNOTATOR)
    assert all(e.annotator == ANNOTATOR for e in session.entities(doc))
    assert session.stats()["entities_by_label"]["DROP_TABLE';--"] == 1
    session.edit_relation(relation.id, note=SQL)
    session.undo()
    assert session.relation(relation.id).note == NOTE
    assert store.history()[0]["after"]["note"] == NOTE


@pytest.mark.parametrize("query", [SQL, '"', '"unterminated', "*", "NEAR(", "OR OR", "a:b",
                                   "^", "(", "Turkey's", "<script>", "\t", "NOT", "\\", "%_"])
def test_search_with_hostile_queries_answers_or_refuses_cleanly(hostile, query):
    """What the user types into search never reaches SQL unquoted nor raises sqlite3 errors."""
    session, doc = hostile
    results = search(session, query)
    assert results is not None
    assert session.store.integrity_check() == "ok"
    assert len(session.entities(doc)) == len(LABELS) + 1


def test_search_finds_hostile_text_literally(hostile):
    session, doc = hostile
    assert doc in {d.doc_id for d in search(session, "script alert").documents}


def test_jsonl_export_keeps_everything_and_reads_back_equal(hostile, tmp_path):
    session, doc = hostile
    out = tmp_path / "out.jsonl"
    export_path(session, "jsonl", out)
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == TEXT and record["_arcmark"]["title"] == TITLE
    assert [s["label"] for s in record["spans"]][:len(LABELS)] == list(LABELS)
    assert record["relations"][0]["note"] == NOTE and record["relations"][0]["label"] == RELATION
    with Store(tmp_path / "again.db") as store:
        again = Session(store, annotator="reader")
        report = import_path(again, out)
        assert report.errors == []
        (copy,) = store.document_ids()
        assert again.document(copy).title == TITLE and again.document(copy).text == TEXT
        assert [e.label for e in again.entities(copy)] == [e.label for e in session.entities(doc)]
        assert [(r.label, r.note) for r in again.relations(copy)] == [(RELATION, NOTE)]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_export_quotes_every_hostile_field(hostile, tmp_path):
    session, doc = hostile
    export_path(session, "csv", tmp_path / "csv")
    entities = read_csv(tmp_path / "csv" / "entities.csv")
    assert [e["label"] for e in entities][:len(LABELS)] == list(LABELS)
    assert {e["document_title"] for e in entities} == {TITLE}
    assert {e["annotator"] for e in entities} == {ANNOTATOR}
    for row in entities:
        assert row["text"] == TEXT[int(row["start"]):int(row["end"])]
    (relation,) = read_csv(tmp_path / "csv" / "relations.csv")
    assert (relation["label"], relation["note"]) == (RELATION, NOTE)
    assert relation["evidence"] == TEXT[int(relation["evidence_start"]):
                                        int(relation["evidence_end"])]


def test_brat_export_cannot_be_broken_by_a_note_or_a_label(hostile, tmp_path):
    """A line break in a note or label never starts a new .ann line: our reader finds exactly
    the exported annotations, at the exported offsets; renamed labels are reported."""
    session, doc = hostile
    out = tmp_path / "brat"
    report = export_path(session, "brat", out)
    assert any("SP ACE" in note for note in report.notes)
    (ann,) = out.glob("*.ann")
    assert ann.stem == "it's _x_ & y"
    lines = ann.read_text(encoding="utf-8").splitlines()
    assert [line[0] for line in lines] == ["T"] * (len(LABELS) + 1) + ["R", "#"]
    assert lines[-1].split("\t", 2)[2] == " ".join(NOTE.splitlines())
    text = (out / f"{ann.stem}.txt").read_text(encoding="utf-8")
    assert text == TEXT
    with Store(tmp_path / "again.db") as store:
        again = Session(store, annotator="reader")
        result = import_path(again, out)
        assert result.errors == []
        (copy,) = store.document_ids()
        entities = again.entities(copy)
        assert sorted((e.start, e.end) for e in entities) == sorted(
            (e.start, e.end) for e in session.entities(doc))
        assert all(e.text == TEXT[e.start:e.end] for e in entities)
        assert len(again.relations(copy)) == 1


def test_conll_export_keeps_one_token_per_line_whatever_the_labels(hostile, tmp_path):
    session, doc = hostile
    for entity in session.entities(doc)[:-1]:
        if entity.label != "TAB\tLABEL":
            session.delete_entity(entity.id)
    export_path(session, "conll", tmp_path / "out.conll")
    for line in (tmp_path / "out.conll").read_text(encoding="utf-8").splitlines():
        assert line == "" or len(line.split()) == 4, line


def test_the_database_file_holds_the_strings_as_plain_values(hostile):
    """A second look through plain sqlite3: nothing was escaped, doubled or truncated."""
    session, doc = hostile
    conn = sqlite3.connect(session.store.path)
    try:
        note = conn.execute("SELECT note FROM relations").fetchone()[0]
        labels = [r[0] for r in conn.execute("SELECT label FROM entities ORDER BY id")]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert note == NOTE and labels[:len(LABELS)] == list(LABELS)
    assert {"entities", "relations", "history", "documents"} <= tables
