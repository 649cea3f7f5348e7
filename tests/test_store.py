"""The store: schema, migrations, transactions, history, bad stores."""
from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from annotate.model import DocumentRecord
from annotate.session import Session
from storage.migrations import migration_names, migrations
from storage.store import RowChange, Store, StoreError, default_store_path


def test_new_store_has_every_migration_wal_and_foreign_keys(store):
    """A new store is at the newest schema, in WAL mode, with foreign keys enforced."""
    assert store.schema_version == migration_names()
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert {"documents", "entities", "relations", "entity_labels", "relation_labels",
            "history", "model_runs", "dismissed_suggestions"} <= set(store.db.table_names())


def test_older_store_is_upgraded_in_place_after_a_backup(tmp_path):
    """A store created at the first schema version gains the later migrations and keeps its data."""
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m002_model_runs")
    db.execute("INSERT INTO documents (id, title, text, content_hash, created_at, updated_at)"
               " VALUES (1, 'Old', 'Old text', 'h', 'now', 'now')")
    db.conn.commit()
    db.close()

    store = Store(path)
    assert store.upgraded_from == ["m001_initial"]
    assert store.schema_version == migration_names()
    assert store.row("documents", 1)["sentences"] == []
    assert store.backup_path is not None and store.backup_path.exists()
    backup = Database(store.backup_path)
    assert [m.name for m in migrations.applied(backup)] == ["m001_initial"]
    assert backup.execute("SELECT title FROM documents").fetchone()[0] == "Old"
    store.close()


def test_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store(path).close()
    db = Database(path)
    db["_sqlite_migrations"].insert({"migration_set": "arcmark", "name": "m999_future",
                                      "applied_at": "2030"})
    db.close()
    with pytest.raises(StoreError, match="newer Arcmark"):
        Store(path)


def test_a_file_that_is_not_sqlite_is_refused_clearly(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is not a database " * 100)
    with pytest.raises(StoreError, match="not an Arcmark store"):
        Store(path)
    assert path.read_text().startswith("this is not a database")


def test_a_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="other tables"):
        Store(path)


def test_failing_action_rolls_back_completely(session):
    """If any row of an action fails, none of its rows (nor its history) is written."""
    doc = session.import_records([DocumentRecord(text="Russia and Turkey.")]).documents_added[0]
    history_before = len(session.store.history())
    good = RowChange("entities", 100, None, {
        "id": 100, "doc_id": doc, "start": 0, "end": 6, "label": "GPE", "text": "Russia",
        "origin": "human", "status": "accepted", "annotator": "t", "created_at": "x",
        "updated_at": "x"})
    bad = RowChange("entities", 101, None, {**good.after, "id": 101, "start": 5, "end": 2})
    with pytest.raises(sqlite3.IntegrityError):
        session.store.apply([good, bad], action="test", annotator="t")
    assert session.entities(doc) == []
    assert len(session.store.history()) == history_before


def test_history_is_append_only(session):
    doc = session.import_records([DocumentRecord(text="Russia and Turkey.")]).documents_added[0]
    session.add_entity(doc, 0, 6, "GPE")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        with session.store.write() as db:
            db.conn.execute("DELETE FROM history")
    assert session.store.history()[0]["action"] == "Add GPE “Russia”"


def test_deleting_a_document_cascades_to_its_annotations(session):
    """Foreign keys: no entity or relation outlives its document."""
    doc = session.import_records([DocumentRecord(text="Russia and Turkey.")]).documents_added[0]
    a = session.add_entity(doc, 0, 6, "GPE").entities[0]
    b = session.add_entity(doc, 11, 17, "GPE").entities[0]
    session.add_relation(a, b, "ALLY_OF")
    with session.store.write() as db:
        db.conn.execute("DELETE FROM documents WHERE id = ?", [doc])
    assert session.store.rows("entities") == [] and session.store.rows("relations") == []


def test_default_path_honours_env_and_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCMARK_DB", str(tmp_path / "x.db"))
    assert default_store_path() == tmp_path / "x.db"
    monkeypatch.delenv("ARCMARK_DB")
    assert default_store_path().parts[-2:] == ("arcmark", "arcmark.db")


def test_read_only_store_opens_and_refuses_writes(tmp_path):
    path = tmp_path / "ro.db"
    with Store(path) as s:
        Session(s).import_records([DocumentRecord(text="Russia and Turkey.")])
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        store = Store(path)
        if not store.read_only:  # root ignores permissions
            pytest.skip("running as root: file permissions are not enforced")
        session = Session(store)
        assert [d.title for d in session.documents()] == ["Russia and Turkey."]
        with pytest.raises(StoreError, match="read-only"):
            session.add_entity(1, 0, 6, "GPE")
    finally:
        tmp_path.chmod(0o755)
        path.chmod(0o644)


def test_store_opened_read_only_reads_but_never_writes(tmp_path):
    """A read-only store shows its documents; an edit fails with a clear message, nothing changes."""
    path = tmp_path / "ro.db"
    with Store(path) as s:
        Session(s).import_records([DocumentRecord(text="Russia and Turkey.")])
    store = Store(path, read_only=True)
    session = Session(store)
    assert store.read_only and [d.title for d in session.documents()] == ["Russia and Turkey."]
    with pytest.raises(StoreError, match="read-only"):
        session.add_entity(1, 0, 6, "GPE")
    store.close()
    with Store(path) as again:
        assert again.rows("entities") == []


def test_new_ids_skip_ids_another_connection_used_and_deleted(db_path):
    """Ids stay unique across connections even when the row is gone (its id is in the history)."""
    first, second = Session(Store(db_path), annotator="a"), Session(Store(db_path), annotator="b")
    doc = first.import_records([DocumentRecord(text="Russia and Turkey.")]).documents_added[0]
    kept = first.add_entity(doc, 0, 6, "GPE").entities[0]
    gone = second.add_entity(doc, 11, 17, "GPE").entities[0]
    second.delete_entity(gone)
    assert first.add_entity(doc, 0, 6, "NORP").entities[0] not in {kept, gone}


def test_new_ids_after_a_rolled_back_write_skip_the_history_written_since(db_path):
    """A rolled-back transaction's history entries, read meanwhile, do not hide later ones."""
    one, other = Store(db_path), Store(db_path)
    with pytest.raises(RuntimeError):
        with one.write() as db:
            one.append_history(db, "test", "t", [("entities", 5, None, None, {"x": 1})])
            assert one.next_id("entities") == 6
            raise RuntimeError("cancelled")
    with other.write() as db:
        other.append_history(db, "test", "t", [("entities", 50, None, None, {"x": 1})])
    with one.write():
        assert one.next_id("entities") == 51


def test_data_version_changes_for_other_connections_only(db_path):
    """Another connection's commit changes it, the store's own does not; closed, it is a
    StoreError (the window's poll stops quietly)."""
    store, other = Store(db_path), Store(db_path)
    try:
        seen = store.data_version()
        with store.write() as db:
            db.execute("INSERT INTO documents (title, text, content_hash, status, created_at, "
                       "updated_at) VALUES ('a', 'b', 'c', 'new', '', '')")
        assert store.data_version() == seen
        with other.write() as db:
            db.execute("UPDATE documents SET title = 'x'")
        assert store.data_version() != seen
    finally:
        other.close()
        store.close()
    with pytest.raises(StoreError):
        store.data_version()
