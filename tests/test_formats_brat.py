"""brat standoff: the real brat-news collection round-trips; bad .ann lines are reported."""
from __future__ import annotations

from pathlib import Path

import pytest

from annotate.formats import (
    export_corpus,
    merge_schemas,
    read_path,
    to_annotated_document,
    to_annotated_records,
)
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema

BRAT_NEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "brat-news"
if not BRAT_NEWS.is_dir():
    BRAT_NEWS = Path("/work/shared/data/brat-news")
SCHEMA = load_schema()


def _lines(path: Path) -> dict[str, set]:
    """An .ann file as sets of equivalent lines, with ids replaced by what they point at."""
    rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    key: dict[str, object] = {}
    out: dict[str, set] = {k: set() for k in ("T", "R", "*", "A", "#", "E", "N")}
    for r in rows:
        if r[0].startswith("T"):
            label, offsets = r[1].split(" ", 1)
            key[r[0]] = (label, offsets)
            out["T"].add((label, offsets, r[2]))
    for r in rows:
        if r[0].startswith("E"):
            key[r[0]] = ("event", key[r[1].split()[0].split(":")[1]])
    for r in rows:
        if r[0].startswith("E"):
            kind, trigger = r[1].split()[0].split(":")
            args = frozenset((a.split(":")[0], key[a.split(":")[1]]) for a in r[1].split()[1:])
            out["E"].add((kind, key[trigger], args))
        elif r[0].startswith("R"):
            label, a1, a2 = r[1].split()
            key[r[0]] = (label, key[a1.split(":")[1]], key[a2.split(":")[1]])
            out["R"].add(key[r[0]])
        elif r[0] == "*":
            label, *members = r[1].split()
            out["*"].add((label, frozenset(key[m] for m in members)))
    for r in rows:
        if r[0].startswith("A"):
            name, target, *value = r[1].split()
            out["A"].add((name, key[target], tuple(value)))
        elif r[0].startswith("#"):
            kind, target = r[1].split()
            out["#"].add((kind, key[target], r[2]))
        elif r[0].startswith("N"):
            kind, target, reference = r[1].split()
            out["N"].add((kind, key[target], reference, r[2]))
    return out


def _import_folder(folder: Path, schema=SCHEMA):
    batches = list(read_path(folder, schema=schema))
    assert [b.error for b in batches if b.error] == []
    merged = schema
    for b in batches:
        merged = merge_schemas(merged, b.schema)
    return batches, merged


def _store(batches):
    return [to_annotated_document(r, i + 1, first_entity_id=1000 * i + 1,
                                  first_relation_id=1000 * i + 1)
            for i, r in enumerate(rec for b in batches for rec in b.records)]


def test_brat_news_round_trip_keeps_every_line(tmp_path):
    """Importing brat-news and exporting it again gives equivalent T, R, *, A, #, E and N
    lines: events, normalizations, attributes and notes on events included."""
    batches, merged = _import_folder(BRAT_NEWS)
    assert len(batches) == 13  # the .ann/.txt pairs; README-like .md files are not documents
    report = export_corpus("brat", _store(batches), merged, tmp_path / "out")
    assert report.documents == 13
    for original in sorted(BRAT_NEWS.glob("*.ann")):
        exported = tmp_path / "out" / original.name
        assert _lines(exported) == _lines(original), original.name
        assert (exported.with_suffix(".txt").read_bytes()
                == original.with_suffix(".txt").read_bytes())
    assert sum(len(_lines(p)["*"]) for p in BRAT_NEWS.glob("*.ann")) == 2
    assert sum(len(_lines(p)["E"]) for p in BRAT_NEWS.glob("*.ann")) >= 20
    assert sum(len(_lines(p)["N"]) for p in BRAT_NEWS.glob("*.ann")) == 1


def test_brat_news_events_are_triggers_with_role_relations(tmp_path):
    """An E line is its trigger entity plus one relation per role; N is kept on its entity;
    nothing is reported lost."""
    notes = {b.source.name: b.notes for b in read_path(BRAT_NEWS, schema=SCHEMA)}
    assert all(n == () or all("added to the schema" in x for x in n) for n in notes.values())
    (batch,) = [b for b in read_path(BRAT_NEWS, schema=SCHEMA)
                if b.source.name == "000-introduction.ann"]
    (rec,) = batch.records
    ents = rec.entities
    trigger = next(i for i, e in enumerate(ents) if e.label == "Transfer-money")
    roles = sorted((r.label, rec.text[ents[r.tail].start:ents[r.tail].end])
                   for r in rec.relations if r.head == trigger)
    assert [label for label, _ in roles] == ["Beneficiary-Arg", "Giver-Arg", "Money-Arg",
                                             "Recipient-Arg"]
    assert rec.meta["brat"]["normalizations"] == [
        {"start": ents[4].start, "end": ents[4].end, "label": ents[4].label,
         "type": "Reference", "reference": "Wikipedia:64488", "text": "Carlos Salinas de Gortari"}]
    assert rec.meta["brat"]["event_attributes"][0]["name"] == "Confidence"


def test_brat_news_schema_comes_from_annotation_conf():
    """annotation.conf labels, Arg types, the symmetric-transitive Alias and visual.conf colours."""
    batch = next(iter(read_path(BRAT_NEWS, schema=SCHEMA)))
    schema = batch.schema
    assert schema.entity_names[:4] == ("Person", "Organization", "GPE", "Money")
    assert {"Merge-org", "Report", "Transfer-money"} <= set(schema.entity_names[4:])  # events
    assert {"Org-Arg", "Event-Arg"} <= set(schema.relation_names)  # event roles
    alias = schema.relation("Alias")
    assert alias.kind == "symmetric_transitive" and alias.heads == ("Person",)
    located = schema.relation("Located")
    assert (located.kind, located.heads, located.tails) == ("directed", ("Person",), ("GPE",))
    assert schema.entity("Person").colour == "#FF821C"


def test_brat_news_reimport_of_the_export_is_identical(tmp_path):
    """brat -> Arcmark -> brat -> Arcmark gives the same records."""
    batches, merged = _import_folder(BRAT_NEWS)
    ads = _store(batches)
    export_corpus("brat", ads, merged, tmp_path / "out")
    again, _ = _import_folder(tmp_path / "out", merged)
    first = [to_annotated_records(ad) for ad in ads]
    second = [r for b in again for r in b.records]
    strip = lambda r: (r.text, r.title, r.entities, r.relations, r.meta.get("brat"))  # noqa: E731
    assert [strip(r) for r in second] == [strip(r) for r in first]


def test_our_statuses_confidence_notes_and_same_as_survive_brat(tmp_path):
    """Status/confidence as A lines, notes as #, SAME_AS as one * line, multi-line spans split."""
    text = "Russia\nthe Russian Federation and Moscow back Assad."
    rec = DocumentRecord(
        text=text, title="t",
        entities=(EntityRecord(0, 6, "GPE"), EntityRecord(7, 29, "GPE", status="suggested"),
                  EntityRecord(34, 40, "GPE"), EntityRecord(46, 51, "PERSON"),
                  EntityRecord(0, 29, "GPE", status="rejected")),
        relations=(RelationRecord(0, 1, "SAME_AS", directed=False),
                   RelationRecord(1, 2, "SAME_AS", directed=False),
                   RelationRecord(2, 3, "SUPPORTS", confidence="high", note="per TASS\nreport",
                                  status="suggested")))
    out = tmp_path / "b"
    report = export_corpus("brat", [to_annotated_document(rec)], SCHEMA, out)
    assert report.notes == [
        "1 notes with line breaks written on one line (brat notes are one line)"]
    ann = (out / "t.ann").read_text(encoding="utf-8")
    assert "T5\tGPE 0 6;7 29\tRussia the Russian Federation\n" in ann
    assert "*\tSAME_AS T1 T2 T3\n" in ann
    assert "A1\tStatus T2 suggested\n" in ann and "A3\tStatus R1 suggested\n" in ann
    assert "A4\tConfidence R1 high\n" in ann
    assert "#1\tAnnotatorNotes R1\tper TASS report\n" in ann
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "SAME_AS\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive" in conf
    (batch,) = read_path(out, schema=SCHEMA)
    (back,) = batch.records
    assert batch.notes == ()
    assert [(e.start, e.end, e.status) for e in back.entities] == [
        (e.start, e.end, e.status) for e in rec.entities]
    assert [(r.head, r.tail, r.label, r.status, r.confidence, r.note) for r in back.relations] == [
        (2, 3, "SUPPORTS", "suggested", "high", "per TASS report"),
        (0, 1, "SAME_AS", "accepted", None, ""), (1, 2, "SAME_AS", "accepted", None, "")]


def _brat(tmp_path, text: str, ann: str):
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8", newline="")
    (tmp_path / "doc.ann").write_text(ann, encoding="utf-8")
    (tmp_path / "annotation.conf").write_text("[entities]\nPerson\n[relations]\n"
                                              "Knows Arg1:Person, Arg2:Person\n")
    (batch,) = read_path(tmp_path, schema=SCHEMA, strict_labels=True)
    return batch


@pytest.mark.parametrize("ann, message", [
    ("T1\tPerson 0 3\tAda\nT2\tPerson 120 130\tx\n",
     "doc.ann:2: offsets 120-130 beyond the text (length 12)"),
    ("T1\tAlien 0 3\tAda\n", "doc.ann:1: label 'Alien' is not in the schema"),
    ("T1\tPerson 0 3\tAda\nR1\tKnows Arg1:T1 Arg2:T9\t\n",
     "doc.ann:2: relation refers to a missing span"),
    ("T1\tPerson 0 3\tBob\n", "doc.ann:1: text 'Bob' does not match"),
    ("T1\tPerson zero 3\tAda\n", "doc.ann:1: offsets 'zero 3' are not numbers"),
    ("X1\tsomething\n", "doc.ann:1: unknown annotation kind 'X1'"),
])
def test_bad_ann_lines_name_file_and_line(tmp_path, ann, message):
    batch = _brat(tmp_path, "Ada met Bob.", ann)
    assert batch.records == () and batch.error.startswith(message), batch.error


def test_discontinuous_span_takes_its_extent_and_is_noted(tmp_path):
    batch = _brat(tmp_path, "Ada and Bob Lovelace.", "T1\tPerson 0 3;12 20\tAda Lovelace\n")
    (rec,) = batch.records
    assert [(e.start, e.end) for e in rec.entities] == [(0, 20)]
    assert batch.notes == ("1 discontinuous span(s) imported as their whole extent",)


def test_brat_text_keeps_crlf_so_offsets_stay_right(tmp_path):
    """brat offsets count every character of the .txt, so its line endings are kept."""
    batch = _brat(tmp_path, "Ada\r\nBob", "T1\tPerson 5 8\tBob\n")
    (rec,) = batch.records
    assert rec.text[rec.entities[0].start:rec.entities[0].end] == "Bob"


def test_labels_brat_cannot_store_are_renamed_and_reported(tmp_path):
    """brat labels are [A-Za-z0-9_-]: others are written with "_" and the report says so."""
    from annotate.schema import EntityLabel, Schema

    schema = Schema(SCHEMA.entity_labels + (EntityLabel("SHIP CLASS", "#abcdef"),),
                    SCHEMA.relation_labels)
    rec = DocumentRecord(text="Kirov class", entities=(EntityRecord(0, 11, "SHIP CLASS"),))
    report = export_corpus("brat", [to_annotated_document(rec)], schema, tmp_path / "b")
    assert (tmp_path / "b" / "document-1.ann").read_text() == "T1\tSHIP_CLASS 0 11\tKirov class\n"
    assert report.notes == ["label 'SHIP CLASS' written as 'SHIP_CLASS' "
                            "(brat labels allow only A-Z, a-z, 0-9, _ and -)"]


def test_subfolder_documents_use_the_nearest_annotation_conf_above(tmp_path):
    """As in brat, a collection's sub-folders share the annotation.conf of a parent folder."""
    (tmp_path / "annotation.conf").write_text("[entities]\nShip\n[relations]\n[events]\n")
    sub = tmp_path / "2024" / "may"
    sub.mkdir(parents=True)
    (sub / "a.txt").write_text("Moskva sank.", encoding="utf-8")
    (sub / "a.ann").write_text("T1\tShip 0 6\tMoskva\n", encoding="utf-8")
    (batch,) = read_path(tmp_path, schema=SCHEMA, recursive=True)
    assert batch.error is None and batch.schema.entity_names == ("Ship",)


def test_what_brat_cannot_hold_is_reported_not_silently_changed(tmp_path):
    """A span starting on a line break and a multi-line note are written as brat can, and said so."""
    from annotate.formats import export_corpus
    from annotate.model import AnnotatedDocument, Document, Entity, Relation

    text = "\nTurkey and Russia"
    doc = Document(id=1, title="t", text=text)
    ents = (Entity(1, 1, 0, 7, "GPE", text[0:7]), Entity(2, 1, 12, 18, "GPE", "Russia"))
    rels = (Relation(1, 1, 1, 2, "NEGOTIATES_WITH", directed=False, note="line one\nline two"),)
    report = export_corpus("brat", [AnnotatedDocument(doc, ents, rels)], load_schema(),
                           tmp_path / "out")
    assert any("trimmed" in n and n.startswith("1 ") for n in report.notes)
    assert any("line breaks written on one line" in n for n in report.notes)
    ann = next((tmp_path / "out").glob("*.ann")).read_text(encoding="utf-8")
    assert "T1\tGPE 1 7\tTurkey" in ann and "line one line two" in ann
