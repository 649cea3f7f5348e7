"""m012: relations left standing on rejected entities by an older store are rejected on
upgrade, each with a history row."""
from __future__ import annotations

import json

from sqlite_utils import Database

from storage.migrations import MIGRATE_REJECTED, migrations
from storage.statistics import daily_progress
from storage.store import Store
from storage.trust import check_schema

M012 = "m012_relations_of_rejected_entities"
TEXT = "Iran backs Hezbollah and Russia arms Syria."
AT = "2026-01-01T00:00:00.000Z"
# id, start, end, label, status
ENTITIES = [(10, 0, 4, "GPE", "rejected"), (11, 11, 20, "ORG", "accepted"),
            (12, 25, 31, "GPE", "accepted"), (13, 37, 42, "GPE", "accepted")]
# id, head, tail, label, status
RELATIONS = [(1, 10, 11, "SUPPORTS", "accepted"), (2, 11, 10, "OPPOSES", "suggested"),
             (3, 12, 13, "SUPPLIES", "accepted"), (4, 10, 12, "ALLY_OF", "rejected")]


def older_store(path) -> None:  # type: ignore[no-untyped-def]
    """A store as the Arcmark before m012 left it, with a rejected entity whose relations
    were left accepted and suggested."""
    db = Database(path)
    migrations.apply(db, stop_before=M012)
    with db.conn:
        db.execute("INSERT INTO documents (id, title, text, content_hash, status, created_at,"
                   " updated_at) VALUES (1, 'Doc', ?, 'h1', 'new', ?, ?)", [TEXT, AT, AT])
        for eid, start, end, label, status in ENTITIES:
            db.execute('INSERT INTO entities (id, doc_id, start, "end", label, text, status,'
                       " annotator, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?,"
                       " 'alice', ?, ?)", [eid, start, end, label, TEXT[start:end], status, AT, AT])
        for rid, head, tail, label, status in RELATIONS:
            db.execute("INSERT INTO relations (id, doc_id, head_id, tail_id, label, status,"
                       " created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
                       [rid, head, tail, label, status, AT, AT])
    db.close()


def statuses(store: Store) -> dict[int, str]:
    return dict(store.db.execute("SELECT id, status FROM relations").fetchall())


def test_upgrade_rejects_relations_of_rejected_entities_with_history(tmp_path):
    """Opening an older store rejects the accepted and the suggested relation on the
    rejected entity (one history row each, before/after status), touches no other, and
    the upgraded schema is still one the trust check accepts."""
    path = tmp_path / "old.db"
    older_store(path)
    with Store(path) as store:
        assert M012 in store.schema_version
        assert statuses(store) == {1: "rejected", 2: "rejected", 3: "accepted", 4: "rejected"}
        rows = store.db.execute("SELECT table_name, row_id, doc_id, annotator, before, after"
                                " FROM history WHERE action = ? ORDER BY row_id",
                                [MIGRATE_REJECTED]).fetchall()
        assert [r[:4] for r in rows] == [("relations", 1, 1, None), ("relations", 2, 1, None)]
        assert [(json.loads(r[4])["status"], json.loads(r[5])["status"]) for r in rows] == [
            ("accepted", "rejected"), ("suggested", "rejected")]
        assert all(json.loads(r[4])["updated_at"] == AT for r in rows)
        assert sum(day["relation_edits"] for day in daily_progress(store)) == 0
        check_schema(store.db.conn, store.schema_version)
    with Store(path) as again:  # applied once: reopening adds nothing
        assert again.db.execute("SELECT count(*) FROM history WHERE action = ?",
                                [MIGRATE_REJECTED]).fetchone()[0] == 2


def test_an_older_store_opened_read_only_shows_its_relations_as_stored(tmp_path):
    """Without m012 a read-only store still opens, unchanged: its relations as stored."""
    path = tmp_path / "old.db"
    older_store(path)
    with Store(path, read_only=True, create=False) as store:
        assert M012 not in store.schema_version
        assert statuses(store) == {1: "accepted", 2: "suggested", 3: "accepted", 4: "rejected"}
    with Store(path) as store:
        assert statuses(store)[1] == "rejected"
