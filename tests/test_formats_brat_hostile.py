"""brat files from someone else: configuration found only below the folder named, duplicate
ids refused with their line, a BOM read, export file names every file system takes."""
from __future__ import annotations

import os

import pytest

from annotate.formats import export_corpus, read_path, to_annotated_document
from annotate.model import DocumentRecord
from annotate.schema import load_schema

SCHEMA = load_schema()


def _doc(folder, name="doc", text="Ada met Bob.", ann="T1\tPERSON 0 3\tAda\n"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8")


def test_annotation_conf_above_the_named_folder_is_not_read(tmp_path):
    """A conf two folders above what the user imported adds no labels (brat would look there)."""
    (tmp_path / "annotation.conf").write_text("[entities]\nPlanted\n[relations]\n")
    _doc(tmp_path / "a" / "b")
    (batch,) = read_path(tmp_path / "a" / "b", schema=SCHEMA)
    assert batch.error is None and batch.schema is None
    (batch,) = read_path(tmp_path / "a" / "b" / "doc.ann", schema=SCHEMA)
    assert batch.error is None and batch.schema is None


def test_an_annotation_conf_that_is_a_link_is_not_followed(tmp_path):
    """An annotation.conf linking outside the folder adds no labels and is reported skipped."""
    outside = tmp_path / "elsewhere.conf"
    outside.write_text("[entities]\nPlanted\n[relations]\n")
    _doc(tmp_path / "brat")
    (tmp_path / "brat" / "annotation.conf").symlink_to(outside)
    batches = list(read_path(tmp_path / "brat", schema=SCHEMA))
    skipped = [b for b in batches if b.skipped]
    assert [b.source.name for b in skipped] == ["annotation.conf"]
    (doc,) = [b for b in batches if not b.skipped]
    assert doc.error is None and doc.schema is None


def test_annotation_conf_between_the_named_folder_and_a_document_is_read(tmp_path):
    """Inside the named folder, a sub-folder still shares the conf of its parent."""
    (tmp_path / "top" / "annotation.conf").parent.mkdir()
    (tmp_path / "top" / "annotation.conf").write_text("[entities]\nShip\n[relations]\n")
    _doc(tmp_path / "top" / "sub", ann="T1\tShip 0 3\tAda\n")
    (batch,) = read_path(tmp_path / "top", schema=SCHEMA, recursive=True)
    assert batch.error is None and batch.schema.entity_names == ("Ship",)


@pytest.mark.parametrize("ann, message", [
    ("T1\tPERSON 0 3\tAda\nT1\tPERSON 8 11\tBob\n", "doc.ann:2: duplicate id 'T1' (first on line 1)"),
    ("T1\tPERSON 0 3\tAda\nT2\tPERSON 8 11\tBob\nR1\tKNOWS Arg1:T1 Arg2:T2\t\n"
     "R1\tKNOWS Arg1:T2 Arg2:T1\t\n", "doc.ann:4: duplicate id 'R1' (first on line 3)"),
    ("T1\tPERSON 0 3\tAda\n#1\tAnnotatorNotes T1\tx\n#1\tAnnotatorNotes T1\ty\n",
     "doc.ann:3: duplicate id '#1' (first on line 2)"),
])
def test_a_duplicate_id_refuses_the_file_with_its_line(tmp_path, ann, message):
    """brat refuses a document with an id twice; so does the import, naming file and line."""
    _doc(tmp_path, ann=ann)
    (tmp_path / "annotation.conf").write_text(
        "[entities]\nPERSON\n[relations]\nKNOWS Arg1:PERSON, Arg2:PERSON\n")
    (batch,) = read_path(tmp_path, schema=SCHEMA)
    assert batch.records == () and batch.error == message


def test_an_ann_with_a_utf8_bom_is_read(tmp_path):
    """A byte-order mark before the first id is not part of the id."""
    _doc(tmp_path)
    (tmp_path / "doc.ann").write_bytes(b"\xef\xbb\xbfT1\tPERSON 0 3\tAda\n")
    (batch,) = read_path(tmp_path, schema=SCHEMA)
    assert batch.error is None
    assert [(e.start, e.end) for e in batch.records[0].entities] == [(0, 3)]


def _export(tmp_path, titles):
    ads = [to_annotated_document(DocumentRecord(text=f"text {i}", title=t), i + 1)
           for i, t in enumerate(titles)]
    report = export_corpus("brat", ads, SCHEMA, tmp_path / "out")
    return sorted(p.name for p in report.files if p.suffix == ".ann")


@pytest.mark.parametrize("title", ["CON", "con", "PRN", "AUX", "NUL", "COM1", "com9", "LPT1",
                                   "LPT9", "CON.txt", "nul.tar", "Aux "])
def test_export_never_writes_a_windows_device_name(tmp_path, title):
    """CON.ann or COM1.txt cannot be opened on Windows (with any extension): they get a prefix."""
    (name,) = _export(tmp_path, [title])
    stem = name.split(".")[0].rstrip(" ").upper()
    assert stem not in {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT")
                                                      for n in range(10)}
    assert name.startswith("_")


def test_export_file_names_hold_no_bidi_or_control_characters(tmp_path):
    """U+202E would show "report\u202egpj.exe" reversed; zero-width and control marks go too."""
    (name,) = _export(tmp_path, ["invoice\u202etxt.exe\u200b\u2066x\u0007"])
    assert name == "invoicetxt.exex.ann"


def test_eighty_emoji_titles_are_cut_by_bytes_and_export(tmp_path):
    """80 emoji are 320 bytes, more than a file name holds: the name is cut at a byte limit."""
    names = _export(tmp_path, ["\U0001F600" * 80, "\U0001F600" * 80])
    assert len(names) == 2
    for name in names:
        assert len(name.encode("utf-8")) <= 255
        assert (tmp_path / "out" / name).is_file()
    assert names[0].startswith("\U0001F600" * 50)


def test_a_title_cut_mid_character_keeps_whole_characters(tmp_path):
    """Cutting at a byte limit never leaves half a character."""
    (name,) = _export(tmp_path, ["é" + "\u4e2d" * 100])
    assert name.endswith(".ann") and "\ufffd" not in name
    assert len(os.fsencode(name)) <= 255
