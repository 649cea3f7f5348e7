"""The worked example in seeds/: importable, reviewed, with the relations an analyst marks."""
from __future__ import annotations

from collections import Counter

from annotate.corpus_io import import_path
from tests.conftest import ROOT

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"


def test_worked_example_imports_with_reviewed_entities_and_relations(session):
    report = import_path(session, EXAMPLE)
    assert report.errors == [] and len(report.result.documents_added) == 1
    doc = report.result.documents_added[0]
    document = session.document(doc)
    assert document.title.startswith("Turkey fights alongside Russia and Iran")
    assert document.status == "done"
    entities = session.entities(doc)
    assert all(document.text[e.start:e.end] == e.text for e in entities)
    assert not [e for e in entities if e.status == "suggested"]
    by_id = {e.id: e for e in entities}
    relations = session.relations(doc)
    assert len(relations) >= 15
    labels = Counter(r.label for r in relations)
    assert {"ALLY_OF", "LEADS", "SUPPLIES", "BUYS_FROM", "SAME_AS", "MEMBER_OF"} <= set(labels)
    triples = {(by_id[r.head_id].text, r.label, by_id[r.tail_id].text) for r in relations}
    assert ("Tayyip Erdogan", "LEADS", "Turkey") in triples
    assert ("Russia", "ALLY_OF", "Turkey") in triples
    assert all(by_id[r.head_id].status == by_id[r.tail_id].status == "accepted" for r in relations)
    assert all(r.evidence_start <= min(by_id[r.head_id].start, by_id[r.tail_id].start)
               and r.evidence_end >= max(by_id[r.head_id].end, by_id[r.tail_id].end)
               for r in relations)
