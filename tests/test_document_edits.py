"""Edits of a document's fields touch only those fields: in the store, the history,
undo's conflict check. Deleting a document keeps the whole row, so undo restores it."""
from __future__ import annotations

from collections import Counter

import pytest

from annotate.model import DocumentRecord, EntityRecord, RelationRecord, ValidationError
from annotate.session import Session
from storage.search import search_documents
from storage.statistics import daily_progress
from storage.store import RowChange, Store, StoreConflictError

TEXT = ("Russia and Turkey launched a joint operation near al-Bab. "
        "Tayyip Erdogan said Turkey would buy the S-400 from Russia.") * 40


@pytest.fixture
def doc(session) -> int:
    record = DocumentRecord(
        text=TEXT, title="Ops", sentences=((0, 57), (58, 118)),
        entities=(EntityRecord(0, 6, "GPE"), EntityRecord(11, 17, "GPE")),
        relations=(RelationRecord(0, 1, "ALLY_OF", directed=False),))
    return session.import_records([record]).documents_added[0]


def statements(store: Store, action) -> list[str]:  # type: ignore[no-untyped-def]
    """The SQL statements `action()` runs on the store's connection."""
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        store.db.conn.set_trace_callback(None)
    return seen


def test_a_status_change_neither_reads_nor_writes_the_text(session, doc):
    """Marking a document done (and undoing, redoing it) costs the same in a long document
    as in a short one: no statement reads or writes the text or the whole row."""
    for action in (lambda: session.set_document_status(doc, "done"), session.undo,
                   session.redo):
        for sql in statements(session.store, action):
            assert '"text"' not in sql and "SELECT *" not in sql, sql


def test_the_history_of_a_status_change_holds_the_changed_columns(session, doc):
    """A reader of the history sees the status before and after (and the time), and no
    copy of the text; undo and redo are recorded the same way."""
    session.set_document_status(doc, "done")
    session.undo()
    session.redo()
    entries = session.store.history(doc)[:3]
    assert [h["action"] for h in entries] == [
        "redo: Mark document done", "undo: Mark document done", "Mark document done"]
    for h in entries:
        assert h["table_name"] == "documents" and h["row_id"] == doc
        assert set(h["before"]) == set(h["after"]) == {"id", "status", "updated_at"}
    assert (entries[2]["before"]["status"], entries[2]["after"]["status"]) == ("new", "done")
    assert (entries[1]["before"]["status"], entries[1]["after"]["status"]) == ("done", "new")
    # redo writes the state the edit made, time included
    assert entries[0]["after"] == entries[2]["after"]
    assert entries[0]["after"]["updated_at"] == session.document(doc).updated_at
    raw = session.store.db.execute("SELECT before || after FROM history WHERE action LIKE"
                                   " '%Mark%'").fetchall()
    assert all(len(r[0]) < 200 and TEXT[:40] not in r[0] for r in raw)
    # the statistics read statuses from the history: one document marked done today
    assert [day["documents_done"] for day in daily_progress(session.store)] == [2]


def test_status_undo_and_redo_restore_the_status_and_nothing_else(session, doc):
    """Undo puts back the status and the time of the last change; the text, sentences,
    annotations and search index are as they were."""
    before = session.annotated(doc)
    session.set_document_status(doc, "in_progress")
    assert session.document(doc).status == "in_progress"
    assert session.documents()[0].status == "in_progress"
    session.undo()
    assert session.annotated(doc) == before
    assert session.document(doc).updated_at == before.document.updated_at
    session.redo()
    after = session.annotated(doc)
    assert after.document.status == "in_progress"
    assert (after.document.text, after.document.sentences, after.entities, after.relations) == (
        before.document.text, before.document.sentences, before.entities, before.relations)
    assert [r["id"] for r in search_documents(session.store, "Erdogan")] == [doc]


def test_status_undo_refuses_to_clobber_a_status_set_elsewhere(db_path, session, doc):
    """Another window changed the status since: undo refuses and leaves its status."""
    session.set_document_status(doc, "done")
    with Store(db_path) as other_store:
        Session(other_store, annotator="other").set_document_status(doc, "in_progress")
    with pytest.raises(StoreConflictError, match="changed since"):
        session.undo()
    assert session.document(doc).status == "in_progress"
    assert session.can_undo  # the command stays to undo once the conflict is resolved


def test_status_undo_refuses_when_the_document_was_deleted_elsewhere(db_path, session, doc):
    session.set_document_status(doc, "done")
    with Store(db_path) as other_store:
        Session(other_store, annotator="other").delete_document(doc)
    with pytest.raises(StoreConflictError, match="changed since"):
        session.undo()
    assert session.documents() == []


def test_status_undo_keeps_other_columns_written_elsewhere(db_path, session, doc):
    """Undo writes only what the edit changed: sentences stored meanwhile (by a model
    run, which does not touch the status) stay."""
    session.set_document_status(doc, "done")
    with Store(db_path) as other_store, other_store.write() as db:
        other_store.set_sentences(db, doc, [(0, 118)])
    session.undo()
    assert session.document(doc).status == "new"
    assert session.document(doc).sentences == ((0, 118),)
    assert tuple(session.store.document_sentences(doc)) == ((0, 118),)


def test_setting_the_status_a_document_has_is_refused(session, doc):
    with pytest.raises(ValidationError, match="already new"):
        session.set_document_status(doc, "new")
    with pytest.raises(ValidationError, match="no document"):
        session.set_document_status(doc + 1, "done")
    assert not session.can_undo


def test_a_partial_update_of_the_sentences_refreshes_the_document_index(session, doc):
    """The store rebuilds a document's index from the stored text when an update carries
    new sentences but not the text."""
    store = session.store
    old = store.row("documents", doc, ("id", "sentences", "updated_at"))
    new = {**old, "sentences": [[0, 57]], "updated_at": "2030-01-01T00:00:00.000Z"}
    store.apply([RowChange("documents", doc, old, new)], action="test", annotator=None,
                check=True)
    assert tuple(store.document_sentences(doc)) == ((0, 57),)
    assert session.document(doc).text == TEXT


def test_deleting_a_document_records_the_whole_row_and_undo_restores_it(session, doc):
    """A deleted document's history keeps its text, so undo brings back the text, its
    annotations and its search index."""
    before = session.annotated(doc)
    session.delete_document(doc)
    deleted = session.store.history(doc)[0]
    assert deleted["table_name"] == "documents" and deleted["after"] is None
    assert deleted["before"]["text"] == TEXT
    assert search_documents(session.store, "Erdogan") == []
    session.undo()
    assert session.annotated(doc) == before
    assert [r["id"] for r in search_documents(session.store, "Erdogan")] == [doc]
    session.redo()
    assert session.documents() == []



def fts_sound(store: Store) -> bool:
    """Every full-text index agrees with its table."""
    for table in ("documents", "entities", "relations"):
        store.db.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('integrity-check')")
    return True


def many_entities(session, n: int) -> int:
    """A document with `n` one-word entities (suggestions) and relations between pairs."""
    words = [f"Word{i}" for i in range(n)]
    text = " ".join(words)
    starts, at = [], 0
    for w in words:
        starts.append(at)
        at += len(w) + 1
    record = DocumentRecord(
        text=text, entities=tuple(EntityRecord(s, s + len(w), "ORG", origin="model:test@1",
                                               status="suggested")
                                  for s, w in zip(starts, words, strict=True)),
        relations=tuple(RelationRecord(2 * k, 2 * k + 1, "ALLY_OF", directed=False)
                        for k in range(n // 10)))
    return session.import_records([record]).documents_added[0]


def test_deleting_a_document_with_many_entities_and_undo_restore_every_row(session):
    """Rows are deleted and restored many per statement: every entity and relation comes
    back as it was, and the full-text indexes stay sound."""
    doc = many_entities(session, 1234)
    before = session.annotated(doc)
    session.delete_document(doc)
    assert session.store.rows("entities") == [] and session.store.rows("relations") == []
    assert fts_sound(session.store)
    session.undo()
    assert session.annotated(doc) == before
    assert fts_sound(session.store)
    actions = Counter(h["action"].split(":")[0] for h in session.store.history(doc, limit=9999))
    assert actions["Delete document “Word0 Word1 Word2 Word3 Word4 Word5 Wor…”"] == 1234 + 123 + 1
    assert actions["undo"] == 1234 + 123 + 1
    session.redo()
    assert session.documents() == [] and fts_sound(session.store)


def test_undo_of_many_rows_refuses_if_any_one_was_changed_elsewhere(db_path, session):
    """One entity of an 'accept all' changed since by another window: undo changes nothing."""
    doc = many_entities(session, 700)
    session.accept_all(doc)
    ids = [e.id for e in session.entities(doc)]
    with Store(db_path) as other_store:
        Session(other_store, annotator="other").reject_entity(ids[650])
    with pytest.raises(StoreConflictError, match=f"entity {ids[650]} was changed since"):
        session.undo()
    statuses = [e.status for e in session.entities(doc)]
    assert statuses == ["accepted"] * 650 + ["rejected"] + ["accepted"] * 49
