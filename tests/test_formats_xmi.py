"""INCEpTION's UIMA CAS XMI: files INCEpTION wrote import; ours load in cassis with the type
system written beside them, with INCEpTION's layer types, and import back equal."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from cassis import load_cas_from_xmi, load_typesystem

from annotate.corpus_io import export_path, import_path
from annotate.formats import read_path
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema

DATA = Path(__file__).parent / "data" / "inception"
SCHEMA = load_schema()
TEXT = "Turkey 😀 buys S-400 from Russia; Ankara and Moscow agree."


def _record() -> DocumentRecord:
    at = TEXT.index
    return DocumentRecord(text=TEXT, title="S-400", entities=(
        EntityRecord(0, 6, "GPE"), EntityRecord(at("Russia"), at("Russia") + 6, "GPE"),
        EntityRecord(at("S-400"), at("S-400") + 5, "PRODUCT"),
        EntityRecord(at("Moscow"), at("Moscow") + 6, "GPE", origin="model:x@1", status="suggested")),
        relations=(RelationRecord(0, 1, "BUYS_FROM"), RelationRecord(1, 0, "SUPPLIES")))


def test_inception_named_entities_import(session):
    """INCEpTION's NamedEntity layer: each annotation an entity labelled by its value."""
    report = import_path(session, DATA / "ne_spans.xmi")
    assert report.errors == []
    (doc,) = session.documents()
    assert [(e.text, e.label) for e in session.entities(doc.id)] == [
        ("This", "NE 0"), ("is", "NE 1"), ("a", "NE 2"), ("test", "NE 3"), (".", "NE 4")]


def test_inception_relation_between_tokens_is_counted_not_imported():
    """A custom relation layer over tokens (not named entities) is reported, not dropped silently."""
    (batch,) = read_path(DATA / "token_relation.xmi", schema=SCHEMA)
    assert batch.error is None and batch.records[0].text == "This is a test ."
    assert batch.notes == ("1 relation(s) between annotations of other layers (not named "
                           "entities) not imported",)


def test_our_xmi_loads_in_cassis_with_inception_layer_types(session, tmp_path):
    """The export: INCEpTION's NamedEntity and webanno.custom.Relation (Governor/Dependent),
    Sentence and Token, UTF-16 offsets; it loads strictly with the TypeSystem.xml beside it."""
    session.import_records([_record()])
    report = export_path(session, "xmi", tmp_path / "out")
    assert report.notes == ["1 suggested or rejected entities not written (INCEpTION holds "
                            "annotations only)"]
    (xmi,) = (tmp_path / "out").glob("*.xmi")
    with open(tmp_path / "out" / "TypeSystem.xml", "rb") as handle:
        ts = load_typesystem(handle)
    with open(xmi, "rb") as handle:
        cas = load_cas_from_xmi(handle, typesystem=ts)
    entities = cas.select("de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity")
    assert sorted((e.get_covered_text(), e.value) for e in entities) == [
        ("Russia", "GPE"), ("S-400", "PRODUCT"), ("Turkey", "GPE")]
    rels = sorted((r.Governor.get_covered_text(), r.label, r.Dependent.get_covered_text())
                  for r in cas.select("webanno.custom.Relation"))
    assert rels == [("Russia", "SUPPLIES", "Turkey"), ("Turkey", "BUYS_FROM", "Russia")]
    assert cas.select("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token")
    russia = TEXT.index("Russia")  # the emoji counts two UTF-16 units in the file
    assert re.search(rf'NamedEntity [^>]*begin="{russia + 1}" end="{russia + 7}"',
                     xmi.read_text(encoding="utf-8"))


def test_our_xmi_imports_back_equal(session, tmp_path):
    """Export then import: the same accepted entities and relations."""
    from annotate.session import Session
    from storage.store import Store

    session.import_records([_record()])
    export_path(session, "xmi", tmp_path / "out")
    with Store(tmp_path / "again.db") as other:
        again = Session(other, annotator="tester")
        assert import_path(again, tmp_path / "out").errors == []
        (doc,) = again.documents()
        ents = {e.id: (e.start, e.end, e.label) for e in again.entities(doc.id)}
        (orig,) = session.documents()
        want = {e.id: (e.start, e.end, e.label) for e in session.entities(orig.id)
                if e.status == "accepted"}
        assert sorted(ents.values()) == sorted(want.values())
        assert sorted((ents[r.head_id], r.label, ents[r.tail_id])
                      for r in again.relations(doc.id)) == sorted(
            (want[r.head_id], r.label, want[r.tail_id]) for r in session.relations(orig.id))
        assert again.document(doc.id).title == "S-400"


def test_an_inception_user_file_credits_its_user(session, tmp_path):
    """INCEpTION's export keeps each user's CAS as annotation/DOCUMENT/USER.xmi."""
    folder = tmp_path / "annotation" / "news.txt"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "ne_spans.xmi", folder / "maria.xmi")
    import_path(session, folder / "maria.xmi")
    (doc,) = session.documents()
    assert {e.annotator for e in session.all_entities(doc.id)} == {"maria"}


def test_a_file_that_is_not_xmi_is_one_line(tmp_path):
    """Random bytes or XML of another kind: one line naming the file."""
    bad = tmp_path / "bad.xmi"
    bad.write_bytes(b"<?xml version='1.0'?><html><body>no</body></html>")
    (batch,) = read_path(bad, schema=SCHEMA)
    assert batch.error.startswith("bad.xmi: ") and "\n" not in batch.error
    bad.write_bytes(bytes(range(256)))
    (batch,) = read_path(bad, schema=SCHEMA)
    assert batch.error.startswith("bad.xmi: not a UIMA CAS XMI file")
