"""Every session verb: what it stores, its history, its undo and redo."""
from __future__ import annotations

import pytest

from annotate.model import DocumentRecord, EntityRecord, RelationRecord, ValidationError
from annotate.session import Session
from storage.store import Store

TEXT = ("Russia and Turkey launched a joint operation near al-Bab. "
        "Tayyip Erdogan said Turkey would buy the S-400 from Russia.")


@pytest.fixture
def doc(session) -> int:
    return session.import_records([DocumentRecord(text=TEXT, title="Ops")]).documents_added[0]


def span(word: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return start, start + len(word)


def state(session, doc):
    return ([(e.start, e.end, e.label, e.status) for e in session.entities(doc)],
            [(r.head_id, r.tail_id, r.label, r.directed, r.confidence, r.note)
             for r in session.relations(doc)])


def check_undo_redo(session, doc, before, after):
    """Undo returns the store to `before`, redo to `after`."""
    assert state(session, doc) == after
    session.undo()
    assert state(session, doc) == before
    session.redo()
    assert state(session, doc) == after


def test_add_entity_stores_offsets_text_and_annotator(session, doc):
    change = session.add_entity(doc, *span("Russia"), "GPE")
    e = session.entity(change.entities[0])
    assert (e.start, e.end, e.text, e.label, e.origin, e.status, e.annotator) == (
        0, 6, "Russia", "GPE", "human", "accepted", "tester")
    assert change.documents == {doc}
    assert session.undo_text == "Add GPE “Russia”"
    check_undo_redo(session, doc, ([], []), state(session, doc))


def test_add_entity_validates(session, doc):
    with pytest.raises(ValidationError, match="outside"):
        session.add_entity(doc, 5, 500, "GPE")
    with pytest.raises(ValidationError, match="not in the schema"):
        session.add_entity(doc, 0, 6, "NOPE")
    with pytest.raises(ValidationError, match="whitespace"):
        session.add_entity(doc, 6, 7, "GPE")
    session.add_entity(doc, 0, 6, "GPE")
    with pytest.raises(ValidationError, match="already"):
        session.add_entity(doc, 0, 6, "GPE")
    assert len(session.entities(doc)) == 1


def test_snap_widens_to_whole_words(session, doc):
    change = session.add_entity(doc, 2, 4, "GPE", snap=True)
    assert session.entity(change.entities[0]).text == "Russia"
    change = session.add_entity(doc, span("Tayyip")[0] - 1, span("Erdogan")[1] - 2, "PERSON", snap=True)
    assert session.entity(change.entities[0]).text == "Tayyip Erdogan"


@pytest.mark.parametrize("verb, args, expect", [
    ("relabel_entity", ("ORG",), ("ORG", "accepted")),
    ("accept_entity", (), ("GPE", "accepted")),
    ("reject_entity", (), ("GPE", "rejected")),
])
def test_entity_verbs_with_undo_and_redo(session, doc, verb, args, expect):
    eid = session.add_entity(doc, *span("Russia"), "GPE", status="suggested").entities[0]
    before = state(session, doc)
    getattr(session, verb)(eid, *args)
    e = session.entity(eid)
    assert (e.label, e.status) == expect
    check_undo_redo(session, doc, before, state(session, doc))


def test_resize_entity(session, doc):
    eid = session.add_entity(doc, *span("Erdogan"), "PERSON").entities[0]
    before = state(session, doc)
    session.resize_entity(eid, span("Tayyip")[0], span("Erdogan")[1])
    assert session.entity(eid).text == "Tayyip Erdogan"
    check_undo_redo(session, doc, before, state(session, doc))


def test_accept_all_suggestions_of_a_document_or_a_label(session, doc):
    session.add_entity(doc, *span("Russia"), "GPE", status="suggested")
    session.add_entity(doc, *span("Turkey"), "GPE", status="suggested")
    session.add_entity(doc, *span("Tayyip Erdogan"), "PERSON", status="suggested")
    before = state(session, doc)
    session.accept_all(doc, "GPE")
    assert [e.status for e in session.entities(doc)] == ["accepted", "accepted", "suggested"]
    check_undo_redo(session, doc, before, state(session, doc))
    session.accept_all(doc)
    assert {e.status for e in session.entities(doc)} == {"accepted"}
    with pytest.raises(ValidationError):
        session.accept_all(doc)


def test_delete_entity_removes_its_relations_and_undo_restores_them(session, doc):
    ru = session.add_entity(doc, *span("Russia"), "GPE").entities[0]
    tr = session.add_entity(doc, *span("Turkey"), "GPE").entities[0]
    pe = session.add_entity(doc, *span("Tayyip Erdogan"), "PERSON").entities[0]
    session.add_relation(ru, tr, "ALLY_OF")
    session.add_relation(pe, tr, "LEADS")
    before = state(session, doc)
    change = session.delete_entity(tr)
    assert set(change.entities) == {tr} and len(change.relations) == 2
    assert session.relations(doc) == []
    assert session.undo_text == "Delete GPE “Turkey” and 2 relations"
    check_undo_redo(session, doc, before, state(session, doc))
    session.undo()
    assert sorted(r.label for r in session.relations(doc)) == ["ALLY_OF", "LEADS"]
    assert session.entity(tr).text == "Turkey"  # same id back


def test_add_relation_fills_evidence_and_respects_the_schema(session, doc):
    pe = session.add_entity(doc, *span("Tayyip Erdogan"), "PERSON").entities[0]
    tr2 = session.add_entity(doc, *span("Turkey", 1), "GPE").entities[0]
    ru2 = session.add_entity(doc, *span("Russia", 1), "GPE").entities[0]
    rel = session.relation(session.add_relation(pe, tr2, "LEADS").relations[0])
    assert TEXT[rel.evidence_start:rel.evidence_end].startswith("Tayyip Erdogan said")
    assert rel.directed and (rel.head_id, rel.tail_id) == (pe, tr2)
    with pytest.raises(ValidationError, match="LEADS cannot link GPE to PERSON"):
        session.add_relation(tr2, pe, "LEADS")
    assert session.allowed_relations(tr2, ru2)[:2] == ["ALLY_OF", "OPPOSES"]
    assert "LEADS" not in session.allowed_relations(tr2, pe)
    before = state(session, doc)
    session.add_relation(tr2, ru2, "BUYS_FROM", confidence="high", note="S-400 deal")
    check_undo_redo(session, doc, before, state(session, doc))


def test_evidence_spans_two_sentences_when_the_entities_do(session, doc):
    ru = session.add_entity(doc, *span("Russia"), "GPE").entities[0]
    pe = session.add_entity(doc, *span("Tayyip Erdogan"), "PERSON").entities[0]
    rel = session.relation(session.add_relation(pe, ru, "MEETS_WITH").relations[0])
    assert (rel.evidence_start, rel.evidence_end) == (0, len(TEXT))


def test_symmetric_relation_is_stored_once(session, doc):
    ru = session.add_entity(doc, *span("Russia"), "GPE").entities[0]
    tr = session.add_entity(doc, *span("Turkey"), "GPE").entities[0]
    rel = session.relation(session.add_relation(tr, ru, "ALLY_OF").relations[0])
    assert (rel.head_id, rel.tail_id, rel.directed) == (ru, tr, False)  # text order
    with pytest.raises(ValidationError, match="already exists"):
        session.add_relation(ru, tr, "ALLY_OF")
    assert len(session.relations(doc)) == 1


def test_edit_swap_and_delete_relation(session, doc):
    tr = session.add_entity(doc, *span("Turkey", 1), "GPE").entities[0]
    ru = session.add_entity(doc, *span("Russia", 1), "GPE").entities[0]
    rid = session.add_relation(ru, tr, "SUPPLIES").relations[0]
    before = state(session, doc)
    session.edit_relation(rid, confidence="moderate", note="“S-400” deal; 'quoted'\ttab")
    assert session.relation(rid).note == "“S-400” deal; 'quoted'\ttab"
    check_undo_redo(session, doc, before, state(session, doc))
    before = state(session, doc)
    session.edit_relation(rid, label="ALLY_OF")
    assert session.relation(rid).directed is False
    check_undo_redo(session, doc, before, state(session, doc))
    session.undo()
    before = state(session, doc)
    session.swap_relation(rid)
    assert (session.relation(rid).head_id, session.relation(rid).tail_id) == (tr, ru)
    check_undo_redo(session, doc, before, state(session, doc))
    before = state(session, doc)
    session.delete_relation(rid)
    check_undo_redo(session, doc, before, ([e for e in before[0]], []))
    with pytest.raises(ValidationError):
        session.edit_relation(session.add_relation(ru, tr, "ALLY_OF").relations[0], label="MEMBER_OF")


def test_document_status_with_undo(session, doc):
    session.set_document_status(doc, "done")
    assert session.document(doc).status == "done"
    assert session.documents()[0].status == "done"
    session.undo()
    assert session.document(doc).status == "new"
    session.redo()
    assert session.document(doc).status == "done"
    with pytest.raises(ValidationError):
        session.set_document_status(doc, "finished")


def test_same_as_groups_entities_into_one_actor(session, doc):
    ru = session.add_entity(doc, *span("Russia"), "GPE").entities[0]
    ru2 = session.add_entity(doc, *span("Russia", 1), "GPE").entities[0]
    tr = session.add_entity(doc, *span("Turkey"), "GPE").entities[0]
    session.add_relation(ru2, ru, "SAME_AS")
    assert [e.id for e in session.same_as_group(ru2)] == [ru, ru2]
    assert [e.id for e in session.same_as_group(tr)] == [tr]


def test_undo_refuses_to_clobber_a_change_made_elsewhere(db_path, session, doc):
    eid = session.add_entity(doc, *span("Russia"), "GPE").entities[0]
    other = Session(Store(db_path), annotator="other")
    other.relabel_entity(eid, "ORG")
    with pytest.raises(Exception, match="changed since"):
        session.undo()
    assert session.entity(eid).label == "ORG"


def test_every_action_is_in_the_history(session, doc):
    eid = session.add_entity(doc, *span("Russia"), "GPE").entities[0]
    session.relabel_entity(eid, "ORG")
    session.undo()
    actions = [h["action"] for h in session.store.history(doc)]
    assert actions[:3] == ["undo: Relabel “Russia” as ORG", "Relabel “Russia” as ORG",
                           "Add GPE “Russia”"]
    last = session.store.history(doc)[0]
    assert last["before"]["label"] == "ORG" and last["after"]["label"] == "GPE"
    assert last["annotator"] == "tester"


def test_import_merges_without_duplicates(session):
    rec = DocumentRecord(text=TEXT, entities=(EntityRecord(0, 6, "GPE"), EntityRecord(11, 17, "GPE")),
                         relations=(RelationRecord(0, 1, "ALLY_OF", directed=False),))
    first = session.import_records([rec])
    again = session.import_records([rec, DocumentRecord(text=TEXT)])
    assert len(session.documents()) == 1
    assert again.documents_merged == first.documents_added * 2
    assert again.entities_added == 0 and again.relations_added == 0 and again.skipped == 3
    doc = first.documents_added[0]
    assert len(session.entities(doc)) == 2 and len(session.relations(doc)) == 1


def test_import_merges_a_text_repeated_in_the_same_call(session):
    """Documents are written in batches; a text seen twice in one import is still one document."""
    other = [DocumentRecord(text=f"Report {i} on Russia.") for i in range(250)]
    first = DocumentRecord(text=TEXT, entities=(EntityRecord(0, 6, "GPE"),))
    second = DocumentRecord(text=TEXT, entities=(EntityRecord(0, 6, "GPE"), EntityRecord(11, 17, "GPE")),
                            relations=(RelationRecord(0, 1, "ALLY_OF", directed=False),))
    result = session.import_records([first, *other[:3], second, *other[3:], second])
    doc = result.documents_added[0]
    assert result.documents_merged == [doc, doc] and len(session.documents()) == 251
    assert [(e.start, e.end) for e in session.entities(doc)] == [(0, 6), (11, 17)]
    (rel,) = session.relations(doc)
    assert {rel.head_id, rel.tail_id} == {e.id for e in session.entities(doc)}


def test_import_is_all_or_nothing(session):
    good = DocumentRecord(text="Good text about Russia.")
    bad = DocumentRecord(text="Short.", entities=(EntityRecord(0, 60, "GPE"),))
    with pytest.raises(ValidationError, match="outside the text"):
        session.import_records([good, bad], source="mixed.jsonl")
    assert session.documents() == []


def test_a_single_layer_document_reads_each_table_once(session, doc, monkeypatch):
    """Outside a team store the document view's entities and relations are each one read
    of their own table: a long document's 30,000 entities are not read a second time to
    answer for its relations (that doubled the memory the window peaked at)."""
    a = session.add_entity(doc, *span("Russia"), "GPE").entities[0]
    b = session.add_entity(doc, *span("Turkey"), "GPE").entities[0]
    session.add_relation(a, b, "ALLY_OF")
    reads: list[str] = []
    for name in ("all_entities", "all_relations"):
        real = getattr(session, name)
        monkeypatch.setattr(session, name,
                            lambda doc_id, real=real, name=name: reads.append(name) or real(doc_id))
    assert [e.id for e in session.entities(doc)] == [a, b]
    assert [(r.head_id, r.tail_id) for r in session.relations(doc)] == [(a, b)]
    assert reads == ["all_entities", "all_relations"]
