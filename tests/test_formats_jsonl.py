"""Arcmark/Prodigy JSONL and doccano: lossless round trip, Prodigy compatibility, bad lines."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.formats import (
    export_corpus,
    read_path,
    to_annotated_document,
    to_annotated_records,
)
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema

SCHEMA = load_schema()
ENTITY_LABELS = SCHEMA.entity_names
RELATION_LABELS = SCHEMA.relation_names

_ALPHABET = st.sampled_from(list("abcXYZ .,!?\n\t\u00a0") + [
    "🎉", "👩‍🔬", "e\u0301", "ё", "ש", "中"])
_TIMES = st.one_of(st.none(), st.just("2024-05-01T10:00:00+00:00"))


@st.composite
def records(draw) -> DocumentRecord:
    text = "".join(draw(st.lists(_ALPHABET, min_size=1, max_size=40)))
    n = len(text)
    spans = st.tuples(st.integers(0, n - 1), st.integers(1, n)).filter(lambda p: p[0] < p[1])
    entities = tuple(
        EntityRecord(s, e, draw(st.sampled_from(ENTITY_LABELS)),
                     draw(st.sampled_from(["human", "model:en_core_web_sm@3.8.0"])),
                     draw(st.sampled_from(["suggested", "accepted", "rejected"])),
                     draw(st.one_of(st.none(), st.just("ana"))), draw(_TIMES), draw(_TIMES))
        for s, e in draw(st.lists(spans, max_size=6)))
    relations: tuple[RelationRecord, ...] = ()
    if entities:
        index = st.integers(0, len(entities) - 1)
        relations = tuple(
            RelationRecord(draw(index), draw(index), draw(st.sampled_from(RELATION_LABELS)),
                           draw(st.booleans()),
                           draw(st.sampled_from([None, "low", "moderate", "high"])),
                           draw(st.text(max_size=10)),
                           *draw(st.sampled_from([(None, None), (0, n)])),
                           status=draw(st.sampled_from(["suggested", "accepted", "rejected"])),
                           created_at=draw(_TIMES))
            for _ in range(draw(st.integers(0, 4))))
    meta = draw(st.dictionaries(st.sampled_from(["file_name", "lang", "n"]),
                                st.one_of(st.text(max_size=5), st.integers()), max_size=2))
    return DocumentRecord(
        text=text, title=draw(st.text(max_size=8)),
        source=draw(st.one_of(st.none(), st.just("/news/a b.txt"))), meta=meta,
        status=draw(st.sampled_from(["new", "in_progress", "done"])),
        entities=entities, relations=relations,
        sentences=((0, n),) if draw(st.booleans()) else ())


def _import_one(path: Path, **kwargs) -> DocumentRecord:
    (batch,) = list(read_path(path, schema=SCHEMA, **kwargs))
    assert batch.error is None, batch.error
    return batch.records


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), min_size=1, max_size=3))
def test_jsonl_export_import_export_is_identical(recs):
    """Export -> import gives the same records, and exporting those again gives the same bytes."""
    ads = [to_annotated_document(r, i + 1, first_entity_id=100 * i + 1,
                                 first_relation_id=100 * i + 1) for i, r in enumerate(recs)]
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp) / "one.jsonl"
        export_corpus("jsonl", ads, SCHEMA, first)
        imported = _import_one(first)
        assert list(imported) == [to_annotated_records(ad) for ad in ads]
        again = [to_annotated_document(r, i + 1, first_entity_id=100 * i + 1,
                                       first_relation_id=100 * i + 1)
                 for i, r in enumerate(imported)]
        second = Path(tmp) / "two.jsonl"
        export_corpus("jsonl", again, SCHEMA, second)
        assert first.read_bytes() == second.read_bytes()


def _doc(text: str = "Russia and Turkey signed a deal in Ankara.") -> DocumentRecord:
    return DocumentRecord(
        text=text, title="Deal",
        entities=(EntityRecord(0, 6, "GPE"), EntityRecord(11, 17, "GPE"),
                  EntityRecord(35, 41, "GPE", status="suggested")),
        relations=(RelationRecord(0, 1, "NEGOTIATES_WITH", directed=False, note="talks"),))


def test_prodigy_export_is_a_rel_manual_task(tmp_path):
    """The `prodigy` task carries Prodigy's fields with token indices of each span's last
    token; a suggestion is not an answer and is counted, not written."""
    out = tmp_path / "c.jsonl"
    report = export_corpus("prodigy", [to_annotated_document(_doc())], SCHEMA, out)
    assert report.files == [out]
    assert report.notes == ["1 suggested or rejected entities not written (not Prodigy answers)"]
    task = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert [t["text"] for t in task["tokens"][:3]] == ["Russia", "and", "Turkey"]
    assert [s["token_start"] for s in task["spans"]] == [0, 2]
    rel = task["relations"][0]
    assert (rel["head"], rel["child"], rel["label"]) == (0, 2, "NEGOTIATES_WITH")
    assert rel["head_span"] == {"start": 0, "end": 6, "token_start": 0, "token_end": 0,
                                "label": "GPE"}
    assert (task["answer"], task["_view_id"]) == ("accept", "relations")
    assert isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)


def test_jsonl_record_holds_no_tokens_and_names_its_schema_file(tmp_path):
    """Arcmark's own record: ids and statuses of every span, relations by id, no tokens."""
    out = tmp_path / "c.jsonl"
    report = export_corpus("jsonl", [to_annotated_document(_doc())], SCHEMA, out)
    assert report.files == [out, tmp_path / "c.schema.json"]
    rec = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert "tokens" not in rec and rec["spans"][2]["status"] == "suggested"
    assert (rec["relations"][0]["head_id"], rec["relations"][0]["child_id"]) == (1, 2)
    assert rec["meta"]["title"] == "Deal"
    side = json.loads((tmp_path / "c.schema.json").read_text(encoding="utf-8"))
    assert side["arcmark"] == "schema" and side["schema"] == SCHEMA.to_dict()


def test_span_inside_a_token_is_widened_to_the_tokens_that_hold_it(tmp_path):
    """A span edge inside a token: Prodigy holds whole tokens, so it is widened and counted."""
    rec = DocumentRecord(text="Pre-war Russia", entities=(EntityRecord(1, 12, "GPE"),))
    out = tmp_path / "c.jsonl"
    report = export_corpus("prodigy", [to_annotated_document(rec)], SCHEMA, out)
    span = json.loads(out.read_text(encoding="utf-8"))["spans"][0]
    assert (span["token_start"], span["token_end"], span["start"], span["end"]) == (0, 3, 0, 14)
    assert report.notes == [
        "1 entities widened to token boundaries (Prodigy spans hold whole tokens)"]


def test_prodigy_task_without_our_fields_imports(tmp_path):
    """A plain Prodigy rel.manual task: spans, and relations matched by head_span/child_span."""
    task = {
        "text": "Erdogan leads Turkey.", "meta": {"source": "wire"},
        "tokens": [{"text": "Erdogan", "start": 0, "end": 7, "id": 0, "ws": True}],
        "spans": [{"start": 0, "end": 7, "token_start": 0, "token_end": 0, "label": "PERSON"},
                  {"start": 14, "end": 20, "token_start": 2, "token_end": 2, "label": "GPE"}],
        "relations": [{"head": 0, "child": 2, "label": "LEADS",
                       "head_span": {"start": 0, "end": 7, "token_start": 0, "token_end": 0,
                                     "label": "PERSON"},
                       "child_span": {"start": 14, "end": 20, "token_start": 2, "token_end": 2,
                                      "label": "GPE"}},
                      {"head": 2, "child": 0, "label": "SUPPORTS"}],  # token fallback
        "answer": "accept",
    }
    rejected = {**task, "answer": "reject"}
    path = tmp_path / "prodigy.jsonl"
    path.write_text(json.dumps(task) + "\n\n" + json.dumps(rejected) + "\n", encoding="utf-8")
    (batch,) = read_path(path, schema=SCHEMA)
    (rec,) = batch.records
    assert rec.title == "Erdogan leads Turkey." and rec.source == "wire"
    assert [(e.start, e.end, e.label) for e in rec.entities] == [(0, 7, "PERSON"), (14, 20, "GPE")]
    assert [(r.head, r.tail, r.label, r.directed) for r in rec.relations] == [
        (0, 1, "LEADS", True), (1, 0, "SUPPORTS", True)]
    assert batch.notes == ("1 Prodigy task answered 'reject'(s) not imported",)


@pytest.mark.parametrize("lines, message", [
    (['{"text": "ok"}', '{"text": "broken"'], "bad.jsonl:2: invalid JSON"),
    (['{"text": "short", "spans": [{"start": 0, "end": 50, "label": "GPE"}]}'],
     "bad.jsonl:1: offsets 0-50 beyond the text (length 5)"),
    (['{"text": "ok"}', '', '{"text": "Russia", "spans": [{"start": 0, "end": 6, "label": "GPE"}],'
      ' "relations": [{"head": 5, "child": 0, "label": "ALLY_OF"}]}'],
     "bad.jsonl:3: relation refers to a missing span"),
    (['{"text": "Russia", "spans": [{"start": 0, "end": 6, "label": "FOO"}]}'],
     "bad.jsonl:1: label 'FOO' is not in the schema"),
    (['[{"text": "a"}, 2]'], "bad.jsonl:2: not a JSON object"),
    (['"just a string"'], "bad.jsonl:1: not a JSON object"),
])
def test_bad_jsonl_names_file_and_line_and_imports_nothing(tmp_path, lines, message):
    """A bad record fails its whole file with one line naming the file and line number."""
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (batch,) = read_path(path, schema=SCHEMA, strict_labels=True)
    assert batch.records == ()
    assert batch.error.startswith(message), batch.error
    assert "\n" not in batch.error


def test_labels_declared_by_the_schema_side_file_are_valid(tmp_path):
    """A label missing from the store's schema is accepted when the file's schema declares it."""
    declared = {"arcmark": "schema", "version": 1, "schema": {
        "entity": [{"name": "SHIP", "colour": "#123456"}], "relation": []}}
    (tmp_path / "fleet.schema.json").write_text(json.dumps(declared), encoding="utf-8")
    (tmp_path / "fleet.jsonl").write_text(json.dumps(
        {"text": "Moskva sank.", "spans": [{"start": 0, "end": 6, "label": "SHIP"}]}) + "\n",
        encoding="utf-8")
    batches = list(read_path(tmp_path, schema=SCHEMA))
    assert len(batches) == 1 and batches[0].error is None
    assert batches[0].schema.entity_names == ("SHIP",)


def test_schema_header_line_is_understood(tmp_path):
    """A header line {"arcmark": "schema"} gives the batch's schema and is not a document."""
    header = {"arcmark": "schema", "version": 1, "schema": {"entity": [{"name": "SHIP"}]}}
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps(header) + "\n" + json.dumps(
        {"text": "Moskva", "spans": [{"start": 0, "end": 6, "label": "SHIP"}]}) + "\n")
    (batch,) = read_path(path, schema=SCHEMA)
    assert batch.error is None and len(batch.records) == 1
    assert batch.schema.entity_names == ("SHIP",)


def test_doccano_relation_and_old_forms(tmp_path):
    """doccano's entities/relations form and its older [start, end, label] form."""
    path = tmp_path / "doccano.jsonl"
    rows = [
        {"id": 7, "text": "Russia supplies Turkey.",
         "entities": [{"id": 1, "label": "GPE", "start_offset": 0, "end_offset": 6},
                      {"id": 2, "label": "GPE", "start_offset": 16, "end_offset": 22}],
         "relations": [{"id": 3, "from_id": 1, "to_id": 2, "type": "SUPPLIES"}]},
        {"text": "NATO met.", "label": [[0, 4, "ORG"]]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    (batch,) = read_path(path, schema=SCHEMA)
    first, second = batch.records
    assert [(r.head, r.tail, r.label) for r in first.relations] == [(0, 1, "SUPPLIES")]
    assert first.meta == {"id": 7}
    assert [(e.start, e.end, e.label) for e in second.entities] == [(0, 4, "ORG")]


def test_doccano_unknown_label_and_missing_entity(tmp_path):
    """doccano files carry no schema: an unknown label or a dangling relation is an error."""
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "x y", "entities": [
        {"id": 1, "label": "GPE", "start_offset": 0, "end_offset": 1}],
        "relations": [{"id": 1, "from_id": 1, "to_id": 9, "type": "ALLY_OF"}]}) + "\n")
    (batch,) = read_path(path, schema=SCHEMA, fmt="doccano")
    assert batch.error == "d.jsonl:1: relation refers to a missing span"
