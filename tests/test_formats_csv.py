"""CSV export: entities.csv and relations.csv read back with the csv module, intact."""
from __future__ import annotations

import csv

from annotate.formats import export_corpus, to_annotated_document
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema

SCHEMA = load_schema()
NASTY = 'He said "no",\tthen\nleft; \'; DROP TABLE x; --'


def _read(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_rows_and_nasty_strings_survive(tmp_path):
    text = f"Russia 🎉 and Turkey. {NASTY}"
    rec = DocumentRecord(
        text=text, title=NASTY,
        entities=(EntityRecord(0, 6, "GPE", annotator="ana", created_at="2024-05-01T10:00:00"),
                  EntityRecord(13, 19, "GPE", status="suggested", origin="model:sm@3.8"),
                  EntityRecord(21, len(text), "WORK_OF_ART")),
        relations=(RelationRecord(0, 1, "ALLY_OF", directed=False, confidence="low", note=NASTY,
                                  evidence_start=0, evidence_end=20),))
    out = tmp_path / "csv"
    report = export_corpus("csv", [to_annotated_document(rec, 4)], SCHEMA, out)
    assert report.files == [out / "entities.csv", out / "relations.csv"]
    assert (out / "entities.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    entities = _read(out / "entities.csv")
    assert [(e["text"], e["label"], e["start"], e["end"], e["status"]) for e in entities] == [
        ("Russia", "GPE", "0", "6", "accepted"), ("Turkey", "GPE", "13", "19", "suggested"),
        (NASTY, "WORK_OF_ART", "21", str(len(text)), "accepted")]
    assert entities[0]["document_title"] == NASTY and entities[0]["annotator"] == "ana"
    assert entities[1]["origin"] == "model:sm@3.8" and entities[1]["annotator"] == ""
    (relation,) = _read(out / "relations.csv")
    assert relation["note"] == NASTY
    assert relation["evidence"] == "Russia 🎉 and Turkey."
    assert (relation["head_text"], relation["tail_text"], relation["directed"],
            relation["confidence"]) == ("Russia", "Turkey", "no", "low")
    assert relation["document_id"] == "4"
