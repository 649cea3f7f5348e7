"""The store's schema, as an ordered set of migrations (sqlite-utils `Migrations`).

Each migration is applied once, in its own transaction, and recorded in
`_sqlite_migrations`; opening an older store applies what it lacks. Never edit a
migration that has shipped: add a new one.
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "arcmark"
migrations = Migrations(MIGRATION_SET)


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


def migration_names() -> list[str]:
    return [m.name for m in migrations._migrations]
