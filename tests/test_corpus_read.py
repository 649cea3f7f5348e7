"""Session.corpus: the batched corpus read that exports use agrees with the per-document reads."""
from __future__ import annotations

from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.session import CORPUS_BATCH, Session

DOCUMENTS = CORPUS_BATCH * 2 + 7  # three batches, the last one short


def _records() -> list[DocumentRecord]:
    records = []
    for i in range(DOCUMENTS):
        text = f"Document {i}: Russia and Turkey met Iran in Ankara on day {i}."
        # entities given out of text order, two of them starting at the same offset
        spans = [(text.index("Iran"), text.index("Iran") + 4, "GPE"),
                 (text.index("Russia"), text.index("Russia") + 6, "GPE"),
                 (text.index("Turkey"), text.index("Turkey") + 6, "GPE"),
                 (text.index("Turkey"), text.index("Turkey") + 3, "ORG")][: 1 + i % 4]
        entities = tuple(EntityRecord(s, e, label) for s, e, label in spans)
        relations = tuple(RelationRecord(0, k, "ALLY_OF") for k in range(1, len(entities)))
        records.append(DocumentRecord(text=text, title=f"d{i}", entities=entities,
                                      relations=relations, meta={"n": i},
                                      status=("done", "new")[i % 2]))
    return records


def test_corpus_is_every_document_as_the_single_reads_give_it(session):
    """Three batches of documents read together equal the per-document reads."""
    ids = session.import_records(_records()).documents_added
    read = list(session.corpus())
    assert [ad.document.id for ad in read] == sorted(ids)
    assert read == [session.annotated(i) for i in sorted(ids)]
    assert sum(len(ad.entities) for ad in read) == sum(1 + i % 4 for i in range(DOCUMENTS))
    assert all(ad.relations for ad in read if len(ad.entities) > 1)


def test_corpus_by_status_and_by_ids(session):
    """Only the documents with the status, or with the ids (unknown ids ignored)."""
    ids = sorted(session.import_records(_records()).documents_added)
    done = [ad.document.id for ad in session.corpus(status="done")]
    assert done == ids[::2]
    some = {ids[3], ids[CORPUS_BATCH + 1], ids[-1], 10**9}
    assert [ad.document.id for ad in session.corpus(ids=some)] == sorted(some - {10**9})


def test_corpus_follows_edits_and_deletions(session):
    """A relabel, an entity deletion and a document deletion show in the next read."""
    ids = sorted(session.import_records(_records()[:3]).documents_added)
    first = session.entities(ids[1])[0]
    session.relabel_entity(first.id, "LOC")
    session.delete_entity(session.entities(ids[2])[0].id)
    session.delete_document(ids[0])
    read = {ad.document.id: ad for ad in session.corpus()}
    assert read[ids[1]].entities[0].label == "LOC"
    assert read == {i: session.annotated(i) for i in ids[1:]}


def test_a_snapshot_does_not_see_a_write_made_meanwhile(session, db_path):
    """The corpus reads a batch's documents, entities and relations in one snapshot."""
    from storage.store import Store

    (doc,) = session.import_records(_records()[1:2]).documents_added
    with Store(db_path) as other:
        other_session = Session(other, annotator="elsewhere")
        with session.store.snapshot():
            before = session.all_entities(doc)  # every layer: the other's is its own
            other_session.add_entity(doc, 0, 8, "ORG")  # committed by another connection
            assert session.all_entities(doc) == before
        assert len(session.all_entities(doc)) == len(before) + 1
