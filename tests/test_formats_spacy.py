"""spaCy DocBin export: loads with DocBin().from_disk and keeps entities and relations."""
from __future__ import annotations

import spacy
from spacy.tokens import DocBin

from annotate.formats import export_corpus, to_annotated_document
from annotate.formats.spacy_docbin import ensure_rel_extension
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema

SCHEMA = load_schema()
TEXT = "Erdogan said Turkey buys the S-400 from Russia. Moscow 🎉 agreed."


def _record() -> DocumentRecord:
    return DocumentRecord(
        text=TEXT, title="S-400",
        entities=(
            EntityRecord(0, 7, "PERSON"),                       # 0 Erdogan
            EntityRecord(13, 19, "GPE"),                        # 1 Turkey
            EntityRecord(29, 34, "PRODUCT"),                    # 2 S-400
            EntityRecord(40, 46, "GPE"),                        # 3 Russia
            EntityRecord(48, 54, "GPE", status="suggested"),    # 4 Moscow (not in ents)
            EntityRecord(13, 24, "ORG"),                        # 5 "Turkey buys": longest wins
            EntityRecord(41, 44, "NORP"),                       # 6 inside "Russia": dropped
        ),
        relations=(
            RelationRecord(5, 3, "BUYS_FROM"),
            RelationRecord(3, 5, "ALLY_OF", directed=False),
            RelationRecord(0, 1, "LEADS"),                      # Turkey lost the overlap
            RelationRecord(3, 4, "SAME_AS", directed=False),    # Moscow is only suggested
        ))


def _load(path):
    nlp = spacy.blank("en")
    ensure_rel_extension()
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def test_docbin_loads_with_entities_spans_and_relations(tmp_path):
    """doc.ents holds accepted non-overlapping entities, doc._.rel the relations between them."""
    out = tmp_path / "train.spacy"
    report = export_corpus("spacy", [to_annotated_document(_record(), 3)], SCHEMA, out)
    (doc,) = _load(out)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Erdogan", "PERSON"), ("Turkey buys", "ORG"), ("S-400", "PRODUCT"), ("Russia", "GPE")]
    group = doc.spans["arcmark"]
    assert len(group) == 7
    assert group.attrs["status"][4] == "suggested"
    assert group.attrs["char_offsets"][6] == [41, 44]
    turkey, russia = doc.ents[1].start, doc.ents[3].start
    assert doc._.rel[(turkey, russia)]["BUYS_FROM"] == 1.0
    assert doc._.rel[(russia, turkey)]["ALLY_OF"] == 1.0
    assert doc._.rel[(turkey, russia)]["ALLY_OF"] == 1.0  # symmetric: both directions
    assert doc._.rel[(russia, turkey)]["BUYS_FROM"] == 0.0
    positives = {(k, label) for k, scores in doc._.rel.items()
                 for label, v in scores.items() if v == 1.0}
    assert len(positives) == 3
    assert set(doc._.rel[(doc.ents[0].start, turkey)]) == set(SCHEMA.relation_names)
    assert doc.user_data["arcmark_document"]["id"] == 3
    assert (report.entities, report.relations) == (4, 2)
    assert report.notes == [
        "2 accepted entities left out of doc.ents (overlaps)",
        "1 entities widened to token boundaries (spaCy spans hold whole tokens; doc.spans "
        "attrs char_offsets keep the exact ones)",
        "2 accepted relations left out of doc._.rel (an entity not in doc.ents)"]


def test_entity_boundaries_inside_tokens_expand_to_whole_tokens(tmp_path):
    rec = DocumentRecord(text="Pre-war Russia rearmed.", entities=(EntityRecord(8, 12, "GPE"),))
    out = tmp_path / "x.spacy"
    export_corpus("spacy", [to_annotated_document(rec)], SCHEMA, out)
    (doc,) = _load(out)
    assert [(e.text, e.start_char, e.end_char) for e in doc.ents] == [("Russia", 8, 14)]


def test_entities_widened_to_tokens_are_counted(tmp_path):
    """CD4 inside "CD4(+)" becomes the whole token in spaCy: the report counts it."""
    text = "CD4(+) T cells and Russia."
    rec = DocumentRecord(text=text, entities=(EntityRecord(0, 3, "PRODUCT"),
                                              EntityRecord(19, 25, "GPE")))
    report = export_corpus("spacy", [to_annotated_document(rec)], SCHEMA, tmp_path / "x.spacy")
    (doc,) = _load(tmp_path / "x.spacy")
    assert doc.ents[0].text != "CD4"
    assert report.notes == ["1 entities widened to token boundaries (spaCy spans hold whole "
                            "tokens; doc.spans attrs char_offsets keep the exact ones)"]
