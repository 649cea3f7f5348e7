"""Unicode in documents: astral characters, combining accents, right-to-left text, zero-width
and line-separator characters. Whatever the text, the store, the JSONL, Prodigy, brat, CSV
and spaCy exports (and a JSONL round trip) agree that `text[start:end]` is the entity's
text, in code points (the view's UTF-16 positions are tested with the view)."""
from __future__ import annotations

import csv
import functools
import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.corpus_io import export_path, import_path
from annotate.model import DocumentRecord
from annotate.record_checks import NOT_TEXT
from annotate.session import Session
from storage.store import Store

PIECES = [
    "Turkey", "Россия", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "é", "e\u0301", "a\u0308\u0301",
    "🇹🇷", "👩\u200d👩\u200d👧", "😀", "👍🏽", "𝔘𝔫𝔦", "𠜎", "שלום", "مرحبا", "\u200f", "\u200e",
    "\u202e", "\u2066", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2028", "\u2029", "\u0085",
    "︎", "İ", "ß", "ﬁ", "<b>", "&amp;", "\U0001f1fa", "\x0c", "\x1b",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES),
                          st.text(st.characters(blacklist_categories=("Cs",)), max_size=4)),
                min_size=1, max_size=40).map("".join).map(
    lambda t: NOT_TEXT.sub("", t)).filter(lambda t: t.strip())  # files may not hold those


@st.composite
def documents(draw):
    text = draw(TEXT)
    cuts = st.integers(0, len(text))
    spans = set()
    for _ in range(draw(st.integers(1, 8))):
        a, b = sorted((draw(cuts), draw(cuts)))
        if a < b and text[a:b].strip():
            spans.add((a, b))
    return text, sorted(spans)


def brat_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    runs = [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\r\n]+", text[start:end])]
    return runs or [(start, end)]


def read_brat(folder: Path) -> tuple[str, list[tuple[list[tuple[int, int]], str]]]:
    (ann,) = folder.glob("*.ann")
    with (folder / f"{ann.stem}.txt").open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    entries = []
    with ann.open(encoding="utf-8", newline="") as handle:
        for line in handle.read().split("\n"):
            if line.startswith("T"):
                _, spec, covered = line.split("\t", 2)
                pieces = [tuple(map(int, part.split())) for part in spec.split(" ", 1)[1].split(";")]
                entries.append((pieces, covered))
    return text, entries


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_store_and_every_export_agree_on_entity_offsets(case):
    text, spans = case
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        with Store(out / "s.db") as store:
            session = Session(store, annotator="tester")
            (doc,) = session.import_records([DocumentRecord(text=text)]).documents_added
            for start, end in spans:
                session.add_entity(doc, start, end, "GPE")
            stored = session.document(doc).text
            assert stored == text
            entities = session.entities(doc)
            assert [(e.start, e.end) for e in entities] == spans
            assert all(e.text == text[e.start:e.end] for e in entities)
            by_id = {e.id: e for e in entities}

            export_path(session, "jsonl", out / "x.jsonl")
            lines = (out / "x.jsonl").read_text("utf-8").split("\n")  # not at U+2028
            (record,) = [json.loads(x) for x in lines if x]
            assert record["text"] == text
            assert sorted((s["start"], s["end"]) for s in record["spans"]) == spans

            export_path(session, "prodigy", out / "p.jsonl")  # the tokens are Prodigy's
            lines = (out / "p.jsonl").read_text("utf-8").split("\n")
            (task,) = [json.loads(x) for x in lines if x]
            assert task["text"] == text
            for token in task["tokens"]:
                assert text[token["start"]:token["end"]] == token["text"]

            export_path(session, "csv-raw", out / "csv")  # values as stored
            with (out / "csv" / "entities.csv").open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
            assert [(int(r["start"]), int(r["end"])) for r in rows] == spans
            assert all(r["text"] == text[int(r["start"]):int(r["end"])] for r in rows)

            export_path(session, "brat", out / "brat")
            brat_text, entries = read_brat(out / "brat")
            assert brat_text == text
            # brat splits a span at line breaks (a break at its edge is left out)
            assert sorted(pieces for pieces, _ in entries) == sorted(
                brat_fragments(text, s, e) for s, e in spans)
            for pieces, covered in entries:
                assert covered == " ".join(text[s:e] for s, e in pieces)

            export_path(session, "spacy", out / "x.spacy")
            check_docbin(out / "x.spacy", text, by_id)

        with Store(out / "again.db") as store:
            again = Session(store, annotator="reader")
            assert import_path(again, out / "x.jsonl").errors == []
            (copy,) = store.document_ids()
            assert again.document(copy).text == text
            assert [(e.start, e.end, e.text) for e in again.entities(copy)] == [
                (e.start, e.end, e.text) for e in entities]


@functools.cache
def vocab():  # type: ignore[no-untyped-def]
    import spacy

    return spacy.blank("en").vocab


def check_docbin(path: Path, text: str, by_id: dict) -> None:
    from spacy.tokens import DocBin

    (doc,) = DocBin().from_disk(path).get_docs(vocab())
    assert doc.text == text
    group = doc.spans["arcmark"]
    for i, span in enumerate(group):
        entity = by_id[group.attrs["ids"][i]]
        assert list(group.attrs["char_offsets"][i]) == [entity.start, entity.end]
        # widened to whole tokens; only a token's trailing whitespace can stay outside
        outside = text[entity.start:span.start_char] + text[span.end_char:entity.end]
        assert not outside.strip(), (entity, span.start_char, span.end_char)
