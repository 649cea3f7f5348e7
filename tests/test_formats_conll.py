"""CoNLL-2003 IOB2 export: tokens, tags and sentence breaks."""
from __future__ import annotations

from annotate.formats import export_corpus, to_annotated_document
from annotate.model import DocumentRecord, EntityRecord
from annotate.schema import load_schema

SCHEMA = load_schema()


def test_conll_tokens_tags_and_sentences(tmp_path):
    """Stored sentences split the output; B-/I- tags; suggestions and spaces are left out."""
    text = "Recep Tayyip Erdogan visited  Moscow.\nPutin met him."
    rec = DocumentRecord(
        text=text, sentences=((0, 37), (38, len(text))),
        entities=(EntityRecord(0, 20, "PERSON"), EntityRecord(30, 36, "GPE"),
                  EntityRecord(38, 43, "PERSON", status="suggested")))
    other = DocumentRecord(text="NATO grew.", entities=(EntityRecord(0, 4, "ORG"),))
    out = tmp_path / "c.conll"
    report = export_corpus("conll", [to_annotated_document(rec, 1),
                                     to_annotated_document(other, 2)], SCHEMA, out)
    assert out.read_text(encoding="utf-8") == (
        "-DOCSTART- -X- -X- O\n\n"
        "Recep -X- _ B-PERSON\nTayyip -X- _ I-PERSON\nErdogan -X- _ I-PERSON\n"
        "visited -X- _ O\nMoscow -X- _ B-GPE\n. -X- _ O\n\n"
        "Putin -X- _ O\nmet -X- _ O\nhim -X- _ O\n. -X- _ O\n\n"
        "-DOCSTART- -X- -X- O\n\n"
        "NATO -X- _ B-ORG\ngrew -X- _ O\n. -X- _ O\n\n")
    assert (report.documents, report.entities) == (2, 3)


def test_conll_without_stored_sentences_uses_the_sentencizer(tmp_path):
    rec = DocumentRecord(text="Ankara agreed. Moscow did too.",
                         entities=(EntityRecord(15, 21, "GPE"),))
    out = tmp_path / "c.conll"
    export_corpus("conll", [to_annotated_document(rec)], SCHEMA, out)
    blocks = out.read_text(encoding="utf-8").split("\n\n")
    assert blocks[1].splitlines()[0] == "Ankara -X- _ O"
    assert blocks[2].splitlines()[0] == "Moscow -X- _ B-GPE"


def test_conll_entity_across_a_sentence_break_restarts_with_B(tmp_path):
    rec = DocumentRecord(text="Go. Now", sentences=((0, 3), (4, 7)),
                         entities=(EntityRecord(0, 7, "EVENT"),))
    out = tmp_path / "c.conll"
    export_corpus("conll", [to_annotated_document(rec)], SCHEMA, out)
    assert out.read_text(encoding="utf-8").endswith(
        "Go -X- _ B-EVENT\n. -X- _ I-EVENT\n\nNow -X- _ B-EVENT\n\n")
