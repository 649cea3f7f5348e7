"""The document list's filters answered by indexed queries give what the corpus graph and
the plain per-part reads give: the entity filter with SAME_AS groups, case, names that
contain the text, rejected and suggested entities; the label and annotator parts together."""
from __future__ import annotations

import pytest

from annotate.corpus_graph import load_graph
from annotate.entity_filter import documents_with_entity
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.search import DocumentFilter, fts_query, matching_documents
from annotate.suggestions import Annotated
from storage import search as store_search

TEXTS = [
    ("Russia and Moscow", "Russia sent troops; Moscow denied it.", [(0, 6), (20, 26)], True),
    ("Moskva", "MOSCOW and Moskva are one city.", [(0, 6), (11, 17)], True),
    ("Moskva alone", "Moskva was quiet.", [(0, 6)], False),
    ("Russian Federation", "The Russian Federation voted.", [(4, 22)], False),
    ("Korea", "North Korea and South Korea talked.", [(0, 11), (16, 27)], False),
    ("Belarus", "Belarus abstained.", [(0, 7)], False),
    ("rejected", "Russia was named by mistake here.", [(0, 6)], False),
]


@pytest.fixture
def corpus(session):
    """Russia ~ Moscow (first document) ~ MOSCOW ~ Moskva (second): one actor across
    documents; the last document's Russia entity is rejected, Belarus's only suggested."""
    records = [DocumentRecord(title=title, text=text,
                              entities=tuple(EntityRecord(s, e, "GPE") for s, e in spans),
                              relations=(RelationRecord(0, 1, "SAME_AS", False),) if joined else ())
               for title, text, spans, joined in TEXTS]
    ids = session.import_records(records).documents_added
    rejected = session.entities(ids[6])[0]
    session.reject_entity(rejected.id)
    session.delete_entity(session.entities(ids[5])[0].id)  # a model's suggestion instead
    session.suggestion_writer("model:test@1").write(
        [Annotated(ids[5], ((0, 7, "GPE"),), ((0, 18),))])
    return session, ids


def _by_graph(session, text: str) -> set[int]:
    """What the filter answered before: the full-text matches and the graph's actors."""
    found: set[int] = set()
    if fts := fts_query(text):
        found |= store_search.documents_with_entity_text(session.store, fts)
    for node in load_graph(session).find(text):
        found.update(node.documents)
    return found


@pytest.mark.parametrize("text", ["Russia", "moscow", "MOSKVA", "  moskva ", "Korea",
                                  "north korea", "oskv", "ussian fed", "Russian", "Russ", "Belarus", "Paris",
                                  "-", ""])
def test_the_entity_filter_finds_what_the_corpus_graph_finds(corpus, text):
    """Each query (exact in any case, a joined name, a word of a name, a part of a word, a
    suggested-only name, nothing) gives the documents the graph-based filter gave."""
    session, _ = corpus
    assert documents_with_entity(session, text) == _by_graph(session, text)


def test_a_same_as_group_reaches_documents_by_any_of_its_names(corpus):
    """Russia's actor is Moscow, MOSCOW and Moskva too: their documents pass, the one whose
    Russia was rejected does not, and neither does the Russian Federation (another actor)."""
    session, ids = corpus
    assert documents_with_entity(session, "russia") == {ids[0], ids[1], ids[2]}
    assert documents_with_entity(session, "Belarus") == {ids[5]}  # suggested counts


def test_label_relation_and_annotator_parts_are_one_query_intersected(corpus):
    """The parts set together pass only the documents that pass each part alone, and the
    annotator part counts edits (not imports) of documents that still exist."""
    session, ids = corpus
    alone = [matching_documents(session, DocumentFilter(**{k: v}))
             for k, v in (("entity_label", "GPE"), ("relation_label", "SAME_AS"),
                          ("annotator", "tester"))]
    both = matching_documents(session, DocumentFilter(entity_label="GPE",
                                                      relation_label="SAME_AS",
                                                      annotator="tester"))
    assert both == set.intersection(*alone) == {ids[0], ids[1]}
    assert matching_documents(session, DocumentFilter(entity="Korea",
                                                      relation_label="SAME_AS")) == set()
    session.set_document_status(ids[3], "done")  # an edit by tester, no entity of theirs
    session.delete_document(ids[6])
    by_tester = matching_documents(session, DocumentFilter(annotator="tester"))
    assert ids[3] in by_tester and ids[6] not in by_tester

