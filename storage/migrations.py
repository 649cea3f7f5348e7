"""The store's schema, as an ordered set of migrations (sqlite-utils `Migrations`).

Each migration is applied once, in its own transaction, and recorded in
`_sqlite_migrations`; opening an older store applies what it lacks. Never edit a
migration that has shipped: add a new one.
"""
from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.text_index import index_row

MIGRATION_SET = "arcmark"
migrations = Migrations(MIGRATION_SET)
# migrations that only add data derived from what the store holds, or records its readers
# do without (no trained models, no suggestion scores): a read-only store without them
# still opens (see StoreReads._indexed, storage.trained_models)
DERIVED = frozenset({"m005_document_index", "m009_trained_models"})


@migrations()
def m001_initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            source TEXT,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            meta TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'in_progress', 'done')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE entities (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'human',
            status TEXT NOT NULL DEFAULT 'accepted'
                CHECK (status IN ('suggested', 'accepted', 'rejected')),
            annotator TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        )"""
    )
    db.execute("CREATE INDEX idx_entities_doc ON entities(doc_id, start)")
    # A relation cannot outlive either of its entities: deleting an entity deletes its
    # relations (the session deletes them explicitly first so undo can restore them).
    db.execute(
        """
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            head_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            tail_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            directed INTEGER NOT NULL DEFAULT 1,
            confidence TEXT CHECK (confidence IN ('low', 'moderate', 'high')),
            note TEXT NOT NULL DEFAULT '',
            evidence_start INTEGER,
            evidence_end INTEGER,
            origin TEXT NOT NULL DEFAULT 'human',
            status TEXT NOT NULL DEFAULT 'accepted'
                CHECK (status IN ('suggested', 'accepted', 'rejected')),
            annotator TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (head_id != tail_id)
        )"""
    )
    db.execute("CREATE INDEX idx_relations_doc ON relations(doc_id)")
    db.execute("CREATE INDEX idx_relations_head ON relations(head_id)")
    db.execute("CREATE INDEX idx_relations_tail ON relations(tail_id)")
    db.execute(
        """
        CREATE TABLE entity_labels (
            name TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            colour TEXT NOT NULL,
            key TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute(
        """
        CREATE TABLE relation_labels (
            name TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL
                CHECK (kind IN ('directed', 'symmetric', 'symmetric_transitive')),
            heads TEXT NOT NULL DEFAULT '["*"]',
            tails TEXT NOT NULL DEFAULT '["*"]',
            colour TEXT NOT NULL,
            key TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute(
        """
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            annotator TEXT,
            action TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id INTEGER NOT NULL,
            doc_id INTEGER,
            before TEXT,
            after TEXT
        )"""
    )
    db.execute("CREATE INDEX idx_history_doc ON history(doc_id)")


@migrations()
def m002_model_runs(db: Database) -> None:
    """Remember which documents a model has pre-annotated, and the model suggestions a
    human removed or moved, so re-running the model never brings them back."""
    db.execute(
        """
        CREATE TABLE model_runs (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            at TEXT NOT NULL,
            entities INTEGER NOT NULL,
            PRIMARY KEY (doc_id, model)
        )"""
    )
    db.execute(
        """
        CREATE TABLE dismissed_suggestions (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            PRIMARY KEY (doc_id, start, "end", label)
        )"""
    )
    db.execute("ALTER TABLE documents ADD COLUMN sentences TEXT NOT NULL DEFAULT '[]'")


@migrations()
def m003_append_only_history(db: Database) -> None:
    """The audit trail can be appended to, never rewritten."""
    for verb in ("UPDATE", "DELETE"):
        db.execute(
            f"""
            CREATE TRIGGER history_no_{verb.lower()} BEFORE {verb} ON history
            BEGIN SELECT RAISE(ABORT, 'the edit history is append-only'); END"""
        )


# what m004 indexes; a later change to these needs a new migration
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
FTS_COLUMNS = {"documents": ("title", "text"), "entities": ("text", "label"),
               "relations": ("label", "note")}


@migrations()
def m004_full_text_search(db: Database) -> None:
    """Full-text indexes (FTS5) over document titles and text, entity texts and labels,
    relation labels and notes, kept current by triggers in the same transaction as
    every write (so a rolled-back edit leaves the index as it was).

    The triggers fire only when an indexed column changes: marking a document done
    must not re-index its text."""
    for table, columns in FTS_COLUMNS.items():
        db[table].enable_fts(columns, tokenize=FTS_TOKENIZER)
        _create_fts_triggers(db, table, columns)
    # titles weigh more than body text in the ranking
    db.execute("INSERT INTO documents_fts (documents_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)')")


def _create_fts_triggers(db: Database, table: str, columns: tuple[str, ...]) -> None:
    """The triggers sqlite-utils' `enable_fts(create_triggers=True)` makes (same names),
    with the update trigger narrowed to real changes of the indexed columns (the store
    rewrites whole rows)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    old = ", ".join(f'old."{c}"' for c in columns)
    new = ", ".join(f'new."{c}"' for c in columns)
    fts = f"{table}_fts"
    db.execute(f"""
        CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN
          INSERT INTO {fts} (rowid, {cols}) VALUES (new.rowid, {new});
        END""")
    db.execute(f"""
        CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN
          INSERT INTO {fts} ({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old});
        END""")
    changed = " OR ".join(f'old."{c}" IS NOT new."{c}"' for c in columns)
    db.execute(f"""
        CREATE TRIGGER {table}_au AFTER UPDATE OF {cols} ON {table} WHEN {changed} BEGIN
          INSERT INTO {fts} ({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old});
          INSERT INTO {fts} (rowid, {cols}) VALUES (new.rowid, {new});
        END""")


@migrations()
def m005_document_index(db: Database) -> None:
    """Each document's text length, the byte offsets of every stride-th code point and
    its sentence offsets, packed (see `storage.text_index`): an action in a long
    document reads the few characters and the one sentence it needs."""
    db.execute(
        """
        CREATE TABLE document_index (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            length INTEGER NOT NULL,
            stride INTEGER NOT NULL,
            offsets BLOB NOT NULL,
            sentences BLOB
        )"""
    )
    ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY id").fetchall()]
    for doc_id in ids:  # one text in memory at a time
        text, sentences = db.execute("SELECT text, sentences FROM documents WHERE id = ?",
                                     [doc_id]).fetchone()
        db.execute("INSERT INTO document_index (doc_id, length, stride, offsets, sentences)"
                   " VALUES (?, ?, ?, ?, ?)", index_row(doc_id, text, _json_list(sentences)))


def _json_list(value: str | None) -> Any:
    try:
        return json.loads(value or "[]")
    except ValueError:
        return None  # not packable: readers decode the stored JSON themselves


def migration_names() -> list[str]:
    return [m.name for m in migrations._migrations]


@migrations()
def m009_trained_models(db: Database) -> None:
    """Models trained on the store's reviewed documents (kept in a folder beside the store:
    the row records where, from which base, on how much data and how well they scored),
    and the score of each suggested relation (NULL for a person's)."""
    db.execute(
        """
        CREATE TABLE trained_models (
            version INTEGER PRIMARY KEY,
            base TEXT NOT NULL,
            folder TEXT NOT NULL,
            created_at TEXT NOT NULL,
            train_documents INTEGER NOT NULL,
            held_out TEXT NOT NULL DEFAULT '[]',
            counts TEXT NOT NULL DEFAULT '{}',
            scores TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    db.execute("ALTER TABLE relations ADD COLUMN score REAL")
