"""Stores from someone else: only a store whose schema is exactly Arcmark's is opened;
foreign databases are never written; queries are bounded; read-only folders open.

Every refusal is one line (StoreError, or `arcmark: ...` and exit 1) naming what differs,
and the file is left byte for byte as it was."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.model import DocumentRecord
from annotate.session import Session
from storage import trust
from storage.migrations import migrations
from storage.store import Store, StoreError
from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def one_line(result: subprocess.CompletedProcess, *words: str) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1 and lines[0].startswith("arcmark: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def digest(path: Path) -> str:
    """The bytes of the store and its log files."""
    h = hashlib.sha256()
    for name in ("", "-wal", "-shm"):
        file = Path(f"{path}{name}")
        h.update(file.read_bytes() if file.exists() else b"-")
    return h.hexdigest()


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clean") / "clean.db"
    with Store(path) as store:
        Session(store, annotator="owner").import_records(
            [DocumentRecord(text="Russia and Turkey met in Astana."),
             DocumentRecord(text="Iran joined the talks in Sochi.")])
    return path


def tampered(clean: Path, tmp_path: Path, *sql: str) -> Path:
    path = tmp_path / "theirs.db"
    shutil.copy(clean, path)
    conn = sqlite3.connect(path)
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


HOSTILE = {
    "trigger deleting on import": (
        "CREATE TRIGGER x AFTER INSERT ON documents BEGIN DELETE FROM documents "
        "WHERE id = 1; END", "unknown trigger 'x'"),
    "trigger leaking the store path": (
        "CREATE TRIGGER leak AFTER INSERT ON documents BEGIN UPDATE documents SET title = "
        "(SELECT file FROM pragma_database_list) WHERE id = new.id; END",
        "unknown trigger 'leak'"),
    "endless view": (
        "CREATE VIEW forever AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
        " SELECT x FROM c", "unknown view 'forever'"),
    "extra index": ("CREATE INDEX spy ON documents(title)", "unknown index 'spy'"),
    "dropped search table": ("DROP TABLE entities_fts", "lacks the table 'entities_fts'"),
    "dropped column": ("ALTER TABLE relations DROP COLUMN confidence", "changed table 'relations'"),
    "replaced trigger": ("DROP TRIGGER history_no_delete", "lacks the trigger 'history_no_delete'"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_store_with_a_foreign_schema_object_is_refused_naming_it(clean_store, tmp_path, name):
    """Every open (API, import, search, stats, export) refuses the store with one line
    naming the object; the file is unchanged and no import happened."""
    sql, words = HOSTILE[name]
    path = tampered(clean_store, tmp_path, sql)
    before = digest(path)
    with pytest.raises(StoreError, match=words):
        Store(path)
    news = tmp_path / "news.txt"
    news.write_text("Iran met Turkey in Astana.\n", encoding="utf-8")
    for args in (["import", str(news)], ["search", "Turkey"], ["stats"],
                 ["export", "--format", "jsonl", "--out", str(tmp_path / "out.jsonl")]):
        line = one_line(run(args[0], "--db", str(path), *args[1:]), words, "not opened")
        assert len(line) < 300
    assert digest(path) == before
    assert not (tmp_path / "out.jsonl").exists()


def test_a_view_in_place_of_a_table_is_refused_not_read(clean_store, tmp_path):
    """A view named like one of our tables (which made `stats` hang) is named and refused."""
    path = tampered(clean_store, tmp_path, "DROP TABLE model_runs",
                    "CREATE VIEW model_runs AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                    "SELECT x + 1 FROM c) SELECT x AS doc_id, '' AS model, '' AS at, "
                    "0 AS entities FROM c")
    one_line(run("stats", "--db", str(path)), "changed view in place of the table 'model_runs'")


def test_a_database_of_another_program_is_never_written(tmp_path):
    """A SQLite file holding only a view is not an empty store: nothing is written to it."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIEW answer AS SELECT 42")
    conn.close()
    before = digest(path)
    with pytest.raises(StoreError, match="not an Arcmark store"):
        Store(path)
    news = tmp_path / "news.txt"
    news.write_text("Iran met Turkey.\n", encoding="utf-8")
    one_line(run("import", "--db", str(path), str(news)), "not an Arcmark store")
    assert digest(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("answer",)]
    conn.close()


def test_an_older_store_is_compared_with_the_migrations_it_has(tmp_path):
    """A store made before the document index opens (and is upgraded); the same store
    with a foreign trigger is refused before anything is upgraded or backed up."""
    path = tmp_path / "old.db"
    from sqlite_utils import Database

    db = Database(path)
    migrations.apply(db, stop_before="m005_document_index")
    db.close()
    spoiled = tmp_path / "spoiled.db"
    shutil.copy(path, spoiled)
    conn = sqlite3.connect(spoiled)
    conn.execute("CREATE TRIGGER t AFTER INSERT ON entities BEGIN SELECT 1; END")
    conn.commit()
    conn.close()
    before = digest(spoiled)
    with pytest.raises(StoreError, match="unknown trigger 't'"):
        Store(spoiled)
    assert digest(spoiled) == before
    assert not list(tmp_path.glob("spoiled.db.*.bak"))
    with Store(path) as store:
        assert store.upgraded_from and "m005_document_index" in store.schema_version


def test_a_new_migration_is_accepted_without_listing_its_objects(tmp_path):
    """The expected schema comes from running the migrations: a migration added later
    (as other features add theirs) is accepted on the next open with no list to update."""
    path = tmp_path / "grown.db"
    Store(path).close()

    def m999_test_notes(db) -> None:
        db.execute("CREATE TABLE test_notes (id INTEGER PRIMARY KEY, body TEXT)")
        db.execute("CREATE INDEX idx_test_notes_body ON test_notes(body)")

    migrations(name="m999_test_notes")(m999_test_notes)
    trust.expected_objects.cache_clear()
    try:
        with Store(path) as store:
            assert "m999_test_notes" in store.schema_version
        with Store(path) as store:  # reopened: its new objects are Arcmark's own
            assert store.document_ids() == []
    finally:
        migrations._migrations.pop()
        trust.expected_objects.cache_clear()


def test_a_long_object_name_is_cut_in_the_message(clean_store, tmp_path):
    """A megabyte-long trigger name gives a short line."""
    name = "t" * 100_000
    path = tampered(clean_store, tmp_path,
                    f"CREATE TRIGGER {name} AFTER INSERT ON documents BEGIN SELECT 1; END")
    line = one_line(run("stats", "--db", str(path)), "unknown trigger")
    assert len(line) < 300


def test_a_statement_over_its_time_bound_is_stopped():
    """The progress handler used while a store's schema is unchecked stops an endless query."""
    conn = sqlite3.connect(":memory:")
    with trust.bounded(conn, seconds=0.2), pytest.raises(sqlite3.OperationalError,
                                                         match="interrupted"):
        conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                     "SELECT count(*) FROM c").fetchone()
    assert conn.execute("SELECT 1").fetchone() == (1,)  # the handler is gone afterwards


def test_every_connection_caps_the_size_of_one_value(tmp_path):
    """A value larger than the cap (a hostile zeroblob, a text grown by a query) is an
    error from SQLite, not gigabytes of memory."""
    with Store(tmp_path / "a.db") as store:
        conn = store.db.conn
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) == trust.MAX_VALUE_BYTES
        assert conn.execute("PRAGMA cell_size_check").fetchone() == (1,)
        with pytest.raises(sqlite3.DataError):
            conn.execute("SELECT zeroblob(?)", [trust.MAX_VALUE_BYTES + 1]).fetchone()


NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to run the check as an unprivileged user")
def test_a_store_in_a_read_only_folder_opens_for_reading(clean_store):
    """As a user who cannot write the store's folder (so SQLite cannot make its -shm file),
    the store opens read-only and every document is read; edits are refused in one line."""
    folder = Path(tempfile.mkdtemp(prefix="arcmark-ro-"))
    try:
        os.chmod(folder, 0o755)
        path = folder / "shared.db"
        shutil.copy(clean_store, path)
        os.chmod(path, 0o644)
        before = digest(path)
        script = (
            "import sys; sys.path.insert(0, sys.argv[1]);"
            "from storage.store import Store;"
            "s = Store(sys.argv[2]); print(s.read_only, len(s.document_ids()))")
        done = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                               "--clear-groups", sys.executable, "-c", script, str(ROOT),
                               str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["True", "2"]
        news = folder / "news.txt"
        stats = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                                "--clear-groups", sys.executable, str(ROOT / "main.py"),
                                "stats", "--db", str(path)], capture_output=True, text=True,
                               cwd=ROOT, timeout=60)
        assert stats.returncode == 0 and "documents: 2" in stats.stdout, stats.stderr
        assert digest(path) == before
        assert not news.exists()
    finally:
        shutil.rmtree(folder)


# --- fuzz: random extra schema objects ------------------------------------------------------

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda n: not n.startswith("sqlite"))
TABLES = st.sampled_from(["documents", "entities", "relations", "history", "entity_labels"])
OBJECTS = st.one_of(
    st.builds(lambda n, t: f"CREATE TRIGGER {n} AFTER INSERT ON {t} BEGIN SELECT 1; END",
              NAMES, TABLES),
    st.builds(lambda n, t, w: f"CREATE TRIGGER {n} BEFORE {w} ON {t} BEGIN "
                              f"DELETE FROM documents; END",
              NAMES, TABLES, st.sampled_from(["UPDATE", "DELETE", "INSERT"])),
    st.builds(lambda n, t: f"CREATE VIEW {n} AS SELECT * FROM {t}", NAMES, TABLES),
    st.builds(lambda n, t: f"CREATE INDEX {n} ON {t}(id)", NAMES, TABLES),
    st.builds(lambda n: f"CREATE TABLE {n} (x)", NAMES),
    st.builds(lambda n: f"CREATE VIRTUAL TABLE {n} USING fts5(x)", NAMES),
    st.builds(lambda t: f"DROP TABLE {t}", st.sampled_from(["model_runs", "document_index",
                                                            "relations_fts"])),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements=st.lists(OBJECTS, min_size=1, max_size=3))
def test_fuzz_stores_with_random_extra_schema_objects_are_refused_unchanged(
        clean_store, tmp_path_factory, statements):
    """Whatever objects are added to (or taken from) a real store, opening it is one
    StoreError naming an object, and the file is unchanged."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "theirs.db"
    shutil.copy(clean_store, path)
    conn = sqlite3.connect(path)
    applied = 0
    for sql in statements:
        try:
            conn.execute(sql)
            applied += 1
        except sqlite3.Error:
            pass  # a name already taken: the next object still counts
    conn.commit()
    conn.close()
    if not applied:
        return
    before = digest(path)
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert "\n" not in message and "not opened" in message
    assert digest(path) == before


def test_fuzz_store_on_the_command_line_is_one_line(clean_store, tmp_path):
    """The command line answers the same refusal as one line for import and search."""
    path = tampered(clean_store, tmp_path, "CREATE VIEW v AS SELECT 1",
                    "CREATE TRIGGER t BEFORE INSERT ON documents BEGIN SELECT 1; END")
    before = digest(path)
    one_line(run("search", "--db", str(path), "Russia"), "not opened")
    assert digest(path) == before


# --- values another program wrote into a store of the right schema ------------------------


@pytest.mark.parametrize(("sql", "where"), [
    ("UPDATE documents SET meta = '{'", "documents.meta"),
    ("UPDATE documents SET meta = '[1, 2]'", "documents.meta"),
    ("UPDATE documents SET sentences = 'nope'", "documents.sentences"),
    ("UPDATE relation_labels SET heads = '{\"a\": 1}'", "relation_labels.heads"),
])
def test_json_columns_that_are_not_our_json_are_one_line(clean_store, tmp_path, sql, where):
    """A JSON column holding something else is a StoreDamagedError naming the column, on
    every command, not a traceback."""
    path = tampered(clean_store, tmp_path, sql)
    before = digest(path)
    for args in (["export", "--format", "jsonl", "--out", str(tmp_path / "o.jsonl")],
                 ["stats"]):
        result = run(args[0], "--db", str(path), *args[1:])
        if result.returncode:
            one_line(result, where)
    assert digest(path) == before


VALUES = st.sampled_from([None, -1, 0, 10**12, 3.5, "", "x", "{", "[1,2]", '{"a": NaN}',
                          b"\x00\xff", "[[5,2]]", '"s"'])
COLUMNS = st.sampled_from([
    ("documents", c) for c in ("title", "source", "meta", "sentences", "status", "created_at")
] + [("entities", c) for c in ("start", "end", "label", "text", "origin", "annotator")] + [
    ("relations", c) for c in ("label", "directed", "note", "evidence_start", "head_id")
] + [("relation_labels", c) for c in ("heads", "kind")] + [("entity_labels", "colour")])


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=COLUMNS, value=VALUES)
def test_fuzz_values_written_by_another_program_never_give_a_traceback(
        rich_store, tmp_path_factory, column, value):
    """Any value put into any column of a real store (constraints switched off, as another
    program may): `export` either works or answers one line, and the store is unchanged."""
    folder = tmp_path_factory.mktemp("values")
    path = folder / "theirs.db"
    shutil.copy(rich_store, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        conn.execute(f'UPDATE {column[0]} SET "{column[1]}" = ?', [value])
        conn.commit()
    except sqlite3.Error:
        return  # NOT NULL or UNIQUE kept it out
    finally:
        conn.close()
    before = digest(path)
    result = run("export", "--db", str(path), "--format", "jsonl", "--out",
                 str(folder / "out.jsonl"))
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode:
        one_line(result)
    assert digest(path) == before


@pytest.fixture(scope="module")
def rich_store(tmp_path_factory) -> Path:
    """A store with entities and a relation with evidence."""
    path = tmp_path_factory.mktemp("rich") / "rich.db"
    with Store(path) as store:
        session = Session(store, annotator="owner")
        session.import_records([DocumentRecord(text="Russia and Turkey met in Astana.",
                                               sentences=((0, 32),))])
        a = session.add_entity(1, 0, 6, "GPE").entities[0]
        b = session.add_entity(1, 11, 17, "GPE").entities[0]
        session.add_relation(a, b, "ALLY_OF", note="seen")
        store.db.execute("UPDATE relations SET evidence_start = 0, evidence_end = 32")
        store.db.conn.commit()
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def test_read_only_commands_never_change_a_store_they_open(clean_store, tmp_path):
    """`stats`, `search` and `export` with --read-only read a store from someone else
    without changing its file (no upgrade, no journal change; SQLite may leave an empty
    log beside it); the README's advice works."""
    path = tmp_path / "theirs.db"
    shutil.copy(clean_store, path)
    before = path.read_bytes()
    assert "documents: 2" in run("stats", "--read-only", "--db", str(path)).stdout
    found = run("search", "--read-only", "--db", str(path), "Astana")
    assert found.returncode == 0 and "1 document found" in found.stdout
    out = tmp_path / "out.jsonl"
    assert run("export", "--read-only", "--db", str(path), "--format", "jsonl", "--out",
               str(out)).returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert path.read_bytes() == before
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to run the check as an unprivileged user")
def test_a_read_only_folder_with_unsaved_log_is_one_line_or_read_whole(tmp_path):
    """In a read-only folder a store whose last commits are still in its -wal file is read
    with them when the -shm file is there too, and refused in one line when it is not
    (the file alone would silently lack those commits)."""
    source = tmp_path / "live.db"
    store = Store(source)
    Session(store, annotator="owner").import_records([DocumentRecord(text="Iran met Turkey.")])
    assert Path(f"{source}-wal").stat().st_size > 0  # still open: the commit is in the log
    folder = Path(tempfile.mkdtemp(prefix="arcmark-ro-"))
    try:
        os.chmod(folder, 0o755)
        for name in ("live.db", "live.db-wal", "live.db-shm"):
            shutil.copy(tmp_path / name, folder / name)
            os.chmod(folder / name, 0o644)
        store.close()
        args = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                sys.executable, str(ROOT / "main.py"), "stats", "--db", str(folder / "live.db")]
        with_shm = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert with_shm.returncode == 0 and "documents: 1" in with_shm.stdout, with_shm.stderr
        (folder / "live.db-shm").unlink()
        without = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=60)
        one_line(without, "-wal file")
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize(("sql", "words"), [
    ("UPDATE relations SET head_id = 999", "refers to an entity that is not in its document"),
    ("UPDATE entities SET start = 'x' WHERE id = 1", "entity 1 has offsets 'x'-6"),
    ("UPDATE entities SET \"end\" = 5000 WHERE id = 2", "outside its text"),
    ("UPDATE documents SET title = x'00ff'", "not text"),
])
def test_an_export_of_rows_another_program_broke_is_one_line(rich_store, tmp_path, sql, words):
    """Rows that break what Arcmark writes (constraints and foreign keys switched off)
    make every export format answer one line naming the document and what is wrong."""
    path = tmp_path / "theirs.db"
    shutil.copy(rich_store, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute(sql)
    conn.commit()
    conn.close()
    for fmt in ("jsonl", "csv", "brat", "spacy", "conll", "graphml"):
        result = run("export", "--db", str(path), "--format", fmt, "--out",
                     str(tmp_path / f"out-{fmt}"))
        one_line(result, "document 1 cannot be read", words)
        assert not (tmp_path / f"out-{fmt}").exists()


def test_evidence_outside_the_text_in_an_older_store_is_dropped_not_fatal(rich_store, tmp_path):
    """Evidence stored before it was checked on import (500-100 in a 32-character text) is
    left out of the export; the relation and everything else are exported."""
    path = tmp_path / "older.db"
    shutil.copy(rich_store, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE relations SET evidence_start = 500, evidence_end = 100")
    conn.commit()
    conn.close()
    out = tmp_path / "out.jsonl"
    assert run("export", "--db", str(path), "--format", "jsonl", "--out", str(out)).returncode == 0
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    (relation,) = record["relations"]
    assert (relation["evidence_start"], relation["evidence_end"]) == (None, None)
    assert relation["label"] == "ALLY_OF"
