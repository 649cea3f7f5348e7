"""The format registry: names, unknown formats, progress, and no half-written exports."""
from __future__ import annotations

import pytest

from annotate.formats import (
    FormatError,
    export_corpus,
    exporter_names,
    importer_names,
    read_path,
    to_annotated_document,
    to_annotated_records,
)
from annotate.model import ArcmarkError, DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema

SCHEMA = load_schema()
FOLDER_FORMATS = {"brat", "csv"}


def _corpus(n: int = 3):
    for i in range(n):
        rec = DocumentRecord(text=f"Russia and Turkey, part {i}.", title=f"Doc {i}",
                             entities=(EntityRecord(0, 6, "GPE"), EntityRecord(11, 17, "GPE")),
                             relations=(RelationRecord(0, 1, "ALLY_OF", directed=False),))
        yield to_annotated_document(rec, i + 1, first_entity_id=10 * i + 1,
                                    first_relation_id=i + 1)


def _out(tmp_path, fmt):
    return tmp_path / (fmt if fmt in FOLDER_FORMATS else f"corpus.{fmt}")


def test_names():
    assert exporter_names() == ["brat", "conll", "csv", "csv-raw", "doccano", "graphml", "jsonl",
                                "labelstudio", "prodigy", "spacy", "xmi"]
    assert importer_names() == ["text", "jsonl", "prodigy", "brat", "doccano", "labelstudio", "xmi",
                                "html", "pdf", "docx", "eml"]


def test_unknown_formats_are_one_line_errors(tmp_path):
    with pytest.raises(FormatError, match="unknown export format 'xml'"):
        export_corpus("xml", [], SCHEMA, tmp_path / "x")
    with pytest.raises(FormatError, match="unknown import format 'xml'"):
        list(read_path(tmp_path, schema=SCHEMA, fmt="xml"))
    assert issubclass(FormatError, ArcmarkError)


@pytest.mark.parametrize("fmt", ["brat", "conll", "csv", "graphml", "jsonl", "spacy"])
def test_every_exporter_reports_progress_per_document(tmp_path, fmt):
    seen: list[int] = []
    report = export_corpus(fmt, _corpus(), SCHEMA, _out(tmp_path, fmt), progress=seen.append)
    assert seen == [1, 2, 3] and report.documents == 3 and not report.cancelled
    assert report.files and all(p.exists() for p in report.files)


@pytest.mark.parametrize("fmt", ["brat", "conll", "csv", "graphml", "jsonl", "spacy"])
def test_cancelled_export_writes_nothing(tmp_path, fmt):
    done: list[int] = []
    report = export_corpus(fmt, _corpus(), SCHEMA, _out(tmp_path, fmt), progress=done.append,
                           cancelled=lambda: len(done) >= 2)
    assert report.cancelled and report.files == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["brat", "conll", "csv", "graphml", "jsonl", "spacy"])
def test_failed_export_leaves_the_old_file_and_no_temporary(tmp_path, fmt):
    """An error half-way keeps what was there before and leaves no partial file behind."""
    out = _out(tmp_path, fmt)
    export_corpus(fmt, _corpus(1), SCHEMA, out)
    before = sorted(p.name for p in tmp_path.rglob("*"))

    def broken():
        yield from _corpus(1)
        raise OSError("disk full")

    with pytest.raises(OSError):
        export_corpus(fmt, broken(), SCHEMA, out)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_to_annotated_records_inverts_to_annotated_document():
    (ad,) = _corpus(1)
    rec = to_annotated_records(ad)
    assert to_annotated_document(rec, 1) == ad
    assert rec.relations[0].head == 0 and rec.relations[0].tail == 1
