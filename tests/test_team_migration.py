"""m008: the documents table rebuilt to allow the *curated* status, and the merge tables."""
from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from annotate.importing import content_hash
from storage.migrations import migrations
from storage.store import Store, StoreError
from storage.text_index import index_row

TEXTS = ["Turkey fights alongside Russia and Iran.", "Erdogan met Putin in Moscow on Friday.",
         "Ankara and Tehran signed a gas deal."]


def older_store(path) -> None:  # type: ignore[no-untyped-def]
    """A store as the Arcmark before m008 left it: documents with their index, entities,
    relations and history, written by SQL as that version wrote them."""
    db = Database(path)
    migrations.apply(db, stop_before="m008_team_layers")
    at = "2026-01-01T00:00:00.000Z"
    with db.conn:
        for n, text in enumerate(TEXTS, 1):
            db.execute("INSERT INTO documents (id, title, text, content_hash, status, created_at,"
                       " updated_at, sentences) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [n, f"Doc {n}", text, content_hash(text), "done" if n == 1 else "new",
                        at, at, f"[[0, {len(text)}]]"])
            db.execute("INSERT INTO document_index VALUES (?, ?, ?, ?, ?)",
                       index_row(n, text, [[0, len(text)]]))
            db.execute('INSERT INTO entities (id, doc_id, start, "end", label, text, annotator,'
                       " created_at, updated_at) VALUES (?, ?, 0, 6, 'GPE', ?, 'alice', ?, ?)",
                       [n * 10, n, text[:6], at, at])
            db.execute('INSERT INTO entities (id, doc_id, start, "end", label, text, annotator,'
                       " created_at, updated_at) VALUES (?, ?, 7, 12, 'ORG', ?, 'alice', ?, ?)",
                       [n * 10 + 1, n, text[7:12], at, at])
            db.execute("INSERT INTO relations (id, doc_id, head_id, tail_id, label, created_at,"
                       " updated_at) VALUES (?, ?, ?, ?, 'SUPPORTS', ?, ?)",
                       [n, n, n * 10, n * 10 + 1, at, at])
            db.execute("INSERT INTO history (at, annotator, action, table_name, row_id, doc_id)"
                       " VALUES (?, 'alice', 'import', 'documents', ?, ?)", [at, n, n])
    db.close()


WORK = ("documents", "entities", "relations", "history", "document_index")


def everything(store: Store, columns: dict[str, str] | None = None
               ) -> dict[str, list]:  # type: ignore[type-arg]
    """Every row of the tables a user's work is in (only `columns[table]` when given)."""
    return {t: store.db.execute(f"SELECT {(columns or {}).get(t, '*')} FROM {t} ORDER BY 1"
                                ).fetchall() for t in WORK}


def schema_objects(store: Store) -> set[tuple[str, str, str]]:
    return {(t, n, s) for t, n, s in store.db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name != '_sqlite_migrations'"
        " AND name NOT LIKE 'idx__sqlite_migrations%'").fetchall()}


def test_an_older_store_upgrades_with_all_its_data_search_and_indexes(tmp_path):
    """Upgrading keeps every row, the full-text index, the document index, the cascades
    and the schema objects a new store has; the curated status is then allowed."""
    path = tmp_path / "old.db"
    older_store(path)
    with sqlite3.connect(path) as conn:
        before = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in WORK}
        # the columns the older store had (a later migration may add one: m009's score)
        columns = {t: ", ".join(f'"{c[1]}"' for c in conn.execute(f"PRAGMA table_info({t})"))
                   for t in WORK}
    with Store(path) as store:
        assert store.upgraded_from is not None and "m008_team_layers" in store.schema_version
        assert everything(store, columns) == before
        assert store.integrity_check() == "ok"
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.db.execute("PRAGMA foreign_keys").fetchone() == (1,)
        hits = store.db.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'Putin'"
                                ).fetchall()
        assert hits == [(2,)]
        with Store(tmp_path / "new.db") as fresh:
            assert schema_objects(store) == schema_objects(fresh)
        with store.write() as db:
            db.execute("UPDATE documents SET status = 'curated' WHERE id = 3")
            db.execute("INSERT INTO documents (id, title, text, content_hash, created_at,"
                       " updated_at) VALUES (4, 'New', 'Fresh words here.', 'h4', 'x', 'x')")
            db.execute("DELETE FROM documents WHERE id = 1")
        # the rebuilt table's triggers keep the search current, its cascades still work
        assert store.db.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'fresh'"
                                ).fetchall() == [(4,)]
        assert store.db.execute("SELECT count(*) FROM entities WHERE doc_id = 1").fetchone() == (0,)
        assert store.db.execute("SELECT count(*) FROM relations WHERE doc_id = 1").fetchone() == (0,)
        assert store.db.execute("SELECT count(*) FROM document_index WHERE doc_id = 1"
                                ).fetchone() == (0,)
        assert store.db.execute("SELECT count(*) FROM entities").fetchone() == (4,)
        with pytest.raises(Exception), store.write() as db:
            db.execute("UPDATE documents SET status = 'finished' WHERE id = 2")


def test_running_the_rebuild_again_changes_nothing(tmp_path):
    """If the record of the migration is lost after it committed, running it again leaves
    the store as it is."""
    path = tmp_path / "old.db"
    older_store(path)
    with Store(path) as store:
        rows, objects = everything(store), schema_objects(store)
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_team_layers'")
        store.db.conn.commit()
    with Store(path) as store:
        assert everything(store) == rows
        assert schema_objects(store) == objects


def test_a_lost_record_lets_no_foreign_object_in(tmp_path):
    """A store whose m008 record is lost is still refused when it holds an object Arcmark
    does not make, and is left as it was."""
    path = tmp_path / "old.db"
    older_store(path)
    with Store(path) as store:
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_team_layers'")
        store.db.execute("CREATE VIEW sneaky AS SELECT 1")
        store.db.conn.commit()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not opened"):
        Store(path)
    assert path.read_bytes() == before


def test_an_older_store_opens_read_only_for_merging(tmp_path):
    """A store without m008 (an analyst's older Arcmark) opens read-only and is read whole."""
    path = tmp_path / "old.db"
    older_store(path)
    with Store(path, read_only=True, create=False) as store:
        assert store.document_ids() == [1, 2, 3]
        assert store.document_slice(2, 0, 7) == (len(TEXTS[1]), "Erdogan")
        assert "m008_team_layers" not in store.schema_version
