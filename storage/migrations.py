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

from storage.tables import now
from storage.text_index import index_row

MIGRATION_SET = "arcmark"
migrations = Migrations(MIGRATION_SET)
# migrations that only add data derived from what the store holds: a read-only store
# without them still opens, and its readers do without (see StoreReads._indexed)
DERIVED = frozenset({"m005_document_index"})
# migrations whose tables and values the reads of an older store do without: an analyst's
# store made by an older Arcmark can be merged (read-only) into a team store (m009's
# register of trained models is looked for before it is read; its relation score is
# written, never read back, by suggestion)
READABLE_WITHOUT = frozenset({"m008_team_layers", "m009_trained_models"})


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


CURATED_STATUS_CHECK = ("CHECK (status IN ('new', 'in_progress', 'done'))",
                        "CHECK (status IN ('new', 'in_progress', 'done', 'curated'))")


@migrations(transactional=False)
def m008_team_layers(db: Database) -> None:
    """Teams: a document may be *curated*, and a merged store remembers which stores it
    merged and which of its rows came from each (so merging again brings only changes).

    SQLite cannot change a CHECK constraint in place: the documents table is rebuilt by
    the "generalized ALTER TABLE" procedure of SQLite's documentation, with foreign keys
    off (so dropping the old table cascades nowhere) and one transaction around the
    rebuild; its indexes and triggers, and the other triggers and views that name it,
    are re-created from their stored definitions, so the result is the same on every
    store whatever migrations came before. sqlite-utils records the migration after it
    returns: if that record is lost to a crash, running it again changes nothing."""
    conn = db.conn
    if conn.in_transaction:
        conn.execute("COMMIT")
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _rebuild_documents_with_curated(db)
            _create_merge_tables(db)
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"the rebuilt documents table breaks {len(problems)} references")
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
    finally:
        conn.execute("PRAGMA foreign_keys=ON")


def _rebuild_documents_with_curated(db: Database) -> None:
    conn = db.conn
    (table_sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'documents'").fetchone()
    old_check, new_check = CURATED_STATUS_CHECK
    if new_check in table_sql:
        return  # rebuilt already, by a run whose record was lost
    if old_check not in table_sql:
        raise RuntimeError("the documents table is not as the earlier migrations made it")
    # the indexes and triggers of the table, and the triggers and views elsewhere that
    # read it, in creation order
    dependants = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        " AND type IN ('index', 'trigger', 'view')"
        " AND (tbl_name = 'documents' OR (type != 'index' AND sql LIKE '%documents%'"
        "      AND name NOT LIKE 'documents_fts%'))"
        " ORDER BY rowid").fetchall()
    for kind, name, tbl_name, _ in dependants:
        if tbl_name != "documents":
            conn.execute(f'DROP {kind.upper()} "{name}"')
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA table_info(documents)"))
    conn.execute(table_sql.replace("CREATE TABLE documents", "CREATE TABLE documents_rebuilt", 1)
                 .replace(old_check, new_check, 1))
    conn.execute(f"INSERT INTO documents_rebuilt ({columns}) SELECT {columns} FROM documents")
    conn.execute("DROP TABLE documents")
    conn.execute("ALTER TABLE documents_rebuilt RENAME TO documents")
    for _, _, _, sql in dependants:
        conn.execute(sql)


def _create_merge_tables(db: Database) -> None:
    """`merge_sources`: each store merged in (by its resolved path) and when; `merged_rows`:
    which entity and relation rows a merge wrote, from which source (row ids are never
    reused here, so a row deleted since leaves a harmless entry)."""
    if db["merge_sources"].exists():
        return
    db.execute(
        """
        CREATE TABLE merge_sources (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            first_merged_at TEXT NOT NULL,
            last_merged_at TEXT NOT NULL,
            annotators TEXT NOT NULL DEFAULT '[]'
        )"""
    )
    db.execute(
        """
        CREATE TABLE merged_rows (
            table_name TEXT NOT NULL CHECK (table_name IN ('entities', 'relations')),
            row_id INTEGER NOT NULL,
            source_id INTEGER NOT NULL REFERENCES merge_sources(id) ON DELETE CASCADE,
            merged_at TEXT NOT NULL,
            PRIMARY KEY (table_name, row_id)
        )"""
    )
    db.execute("CREATE INDEX idx_merged_rows_source ON merged_rows(source_id)")


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


@migrations()
def m010_scale_indexes(db: Database) -> None:
    """Indexes that keep a corpus of 100,000 documents quick: the document list's counts
    per document and status, and the documents (and statistics) by entity label, are
    read from the indexes alone, never from the entity rows."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_entities_doc_status ON entities(doc_id, status)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_entities_label_status"
               " ON entities(label, status, doc_id)")


# indexes only: a read-only store without them reads the same rows, more slowly
DERIVED = DERIVED | {"m010_scale_indexes"}


MIGRATE_REJECTED = "migrate: reject the relations of rejected entities"


@migrations()
def m012_relations_of_rejected_entities(db: Database) -> None:
    """A relation stands only on entities that stand: rejecting an entity rejects its
    relations (annotate.edits.reject_entity), but a store written before that rule may
    hold accepted or suggested relations on a rejected entity, which tables, statistics,
    the graph and exports would show. They are rejected here, each with a history row
    (no annotator; before and after its status) so the change can be audited.

    Data only, no schema object: a read-only store without it still opens and shows
    such relations as they are stored."""
    at = now()
    stale = db.execute(
        "SELECT r.id, r.doc_id, r.status, r.updated_at FROM relations r"
        " WHERE r.status IN ('accepted', 'suggested') AND EXISTS (SELECT 1 FROM entities e"
        " WHERE e.id IN (r.head_id, r.tail_id) AND e.status = 'rejected') ORDER BY r.id"
    ).fetchall()
    db.conn.executemany("UPDATE relations SET status = 'rejected', updated_at = ? WHERE id = ?",
                        [(at, rid) for rid, *_ in stale])
    db.conn.executemany(
        "INSERT INTO history (at, annotator, action, table_name, row_id, doc_id, before, after)"
        " VALUES (?, NULL, ?, 'relations', ?, ?, ?, ?)",
        [(at, MIGRATE_REJECTED, rid, doc_id,
          json.dumps({"id": rid, "status": status, "updated_at": updated}, separators=(",", ":")),
          json.dumps({"id": rid, "status": "rejected", "updated_at": at}, separators=(",", ":")))
         for rid, doc_id, status, updated in stale])


# data only: a read-only store without it shows what it holds, as it was stored
READABLE_WITHOUT = READABLE_WITHOUT | {"m012_relations_of_rejected_entities"}


@migrations()
def m010b_filter_indexes(db: Database) -> None:
    """Indexes the document list's filters read instead of the rows: the documents by
    relation label (and the SAME_AS relations the entity filter follows), and by
    annotator of an entity, a relation or an edit."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_relations_label_status"
               " ON relations(label, status, doc_id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_entities_annotator ON entities(annotator, doc_id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_relations_annotator"
               " ON relations(annotator, doc_id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_history_annotator ON history(annotator, doc_id)")


# indexes only: a read-only store without them reads the same rows, more slowly
DERIVED = DERIVED | {"m010b_filter_indexes"}
