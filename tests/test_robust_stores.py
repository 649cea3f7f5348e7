"""Bad stores: not SQLite, truncated, damaged, read-only, older or newer schema.

Each is a clear one-line error (StoreError in the API; one line on stderr and exit 1 on
the command line), never a traceback, and the file is left exactly as it was."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from annotate.corpus_io import export_path, import_path
from annotate.model import DocumentRecord
from annotate.session import Session
from storage.migrations import migration_names, migrations
from storage.store import Store, StoreDamagedError, StoreError, StoreReadOnlyError
from tests.conftest import ROOT

COMMANDS = {
    "import": lambda db, tmp: ["import", "--db", str(db), str(_news(tmp))],
    "ner": lambda db, tmp: ["ner", "--db", str(db)],
    "export": lambda db, tmp: ["export", "--db", str(db), "--format", "jsonl",
                               "--out", str(tmp / "out.jsonl")],
    "stats": lambda db, tmp: ["stats", "--db", str(db)],
}


def _news(tmp: Path) -> Path:
    path = tmp / "news.txt"
    path.write_text("Iran met Turkey in Astana.\n", encoding="utf-8")
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(lines) == 1 and lines[0].startswith("arcmark: "), result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


def real_store(path: Path, documents: int = 300) -> Path:
    """A store with many documents, each with two entities and a relation, checkpointed."""
    with Store(path) as store:
        session = Session(store, annotator="tester")
        session.import_records([DocumentRecord(text=f"Russia and Turkey signed deal {n}. " * 20)
                                for n in range(documents)])
        for doc_id in store.document_ids()[:20]:
            a = session.add_entity(doc_id, 0, 6, "GPE").entities[0]
            b = session.add_entity(doc_id, 11, 17, "GPE").entities[0]
            session.add_relation(a, b, "ALLY_OF", note="seen in the text")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def page_of(path: Path, table: str) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                            [table]).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    return root, size


@pytest.fixture(scope="module")
def good_store(tmp_path_factory) -> Path:
    return real_store(tmp_path_factory.mktemp("good") / "good.db")


def copy_of(good: Path, tmp: Path, name: str = "store.db") -> Path:
    target = tmp / name
    shutil.copyfile(good, target)
    return target


# --- not a store at all -------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_text_file_as_store_is_one_line_for_every_command(tmp_path, command):
    db = tmp_path / "notes.db"
    db.write_text("Meeting notes, not a database.\n" * 200, encoding="utf-8")
    before = db.read_bytes()
    assert_one_line_error(run(*COMMANDS[command](db, tmp_path)), "not an Arcmark store")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes")) == ["notes.db"]


def test_a_foreign_sqlite_database_is_refused_on_the_command_line(tmp_path):
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    assert_one_line_error(run(*COMMANDS["import"](db, tmp_path)), "other tables")
    assert Database(db).table_names() == ["contacts"]


def test_a_folder_given_as_the_store_is_refused(tmp_path):
    """A folder for --db is one line and exit 1, never a traceback."""
    result = run("stats", "--db", str(tmp_path))
    assert result.returncode == 1 and "is a folder, not a store file" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(StoreError, match="folder"):
        Store(tmp_path)


def test_an_empty_file_becomes_a_new_store(tmp_path):
    """A zero-byte file (e.g. made by `touch`) is an empty SQLite database: it becomes a store."""
    db = tmp_path / "new.db"
    db.touch()
    with Store(db) as store:
        assert store.schema_version == migration_names()


# --- truncated and damaged stores -----------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.1])
def test_a_truncated_store_is_refused_clearly(good_store, tmp_path, fraction):
    """A store cut short (a failed copy, a full disk) is refused, never half-read."""
    db = copy_of(good_store, tmp_path)
    with db.open("r+b") as handle:
        handle.truncate(int(db.stat().st_size * fraction))
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not an Arcmark store|damaged") as err:
        Session(Store(db))
    assert "\n" not in str(err.value)
    for command in ("stats", "import"):
        assert_one_line_error(run(*COMMANDS[command](db, tmp_path)), str(db))
    assert db.read_bytes() == before


def damage(db: Path, table: str) -> None:
    """Overwrite the root page of `table` (keeping the file's size)."""
    root, size = page_of(db, table)
    with db.open("r+b") as handle:
        handle.seek((root - 1) * size)
        handle.write(b"\xa5" * size)


def test_a_damaged_page_is_a_clear_error_on_reading(good_store, tmp_path):
    """A store that opens but has a damaged table: reads raise StoreDamagedError, not sqlite3's."""
    db = copy_of(good_store, tmp_path)
    damage(db, "documents")
    store = Store(db)
    session = Session(store)
    for read in (session.documents, session.stats, lambda: list(session.corpus())):
        with pytest.raises(StoreDamagedError, match="damaged.*recover") as err:
            read()
        assert "\n" not in str(err.value)
    with pytest.raises(StoreDamagedError):
        export_path(session, "jsonl", tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []
    store.close()


@pytest.mark.parametrize("command", ["stats", "export", "import"])
def test_a_damaged_store_is_one_line_on_the_command_line(good_store, tmp_path, command):
    db = copy_of(good_store, tmp_path)
    damage(db, "documents")
    assert_one_line_error(run(*COMMANDS[command](db, tmp_path)), "damaged")
    assert not (tmp_path / "out.jsonl").exists()


def test_a_damaged_entities_table_fails_the_edit_and_keeps_the_undo_stack(good_store, tmp_path):
    """An edit that meets a damaged page is rolled back whole and is not left on the undo stack."""
    db = copy_of(good_store, tmp_path)
    damage(db, "idx_entities_doc")
    store = Store(db)
    session = Session(store, annotator="tester")
    with pytest.raises(StoreDamagedError):
        session.add_entity(1, 0, 6, "ORG")
    assert not session.can_undo
    store.close()


# --- read-only --------------------------------------------------------------------------------


def test_a_read_only_store_reads_everything_and_refuses_every_edit(good_store, tmp_path):
    db = copy_of(good_store, tmp_path)
    before = db.read_bytes()
    store = Store(db, read_only=True)
    session = Session(store, annotator="tester")
    assert session.read_only and len(session.documents()) == 300
    entity = session.entities(1)[0]
    relation = session.relations(1)[0]
    edits = [
        lambda: session.add_entity(1, 30, 36, "GPE"),
        lambda: session.relabel_entity(entity.id, "ORG"),
        lambda: session.delete_entity(entity.id),
        lambda: session.edit_relation(relation.id, note="new"),
        lambda: session.delete_relation(relation.id),
        lambda: session.set_document_status(1, "done"),
        lambda: session.delete_document(1),
        lambda: session.import_records([DocumentRecord(text="Iran met Turkey.")]),
    ]
    for edit in edits:
        with pytest.raises(StoreReadOnlyError, match="read-only"):
            edit()
    with pytest.raises(StoreError, match="read-only"):
        import_path(session, _news(tmp_path))
    assert not session.can_undo
    report = export_path(session, "jsonl", tmp_path / "out.jsonl")
    assert report.documents == 300
    store.close()
    assert db.read_bytes() == before


def test_a_read_only_store_sees_what_is_still_in_the_write_ahead_log(tmp_path):
    """Committed work not yet checkpointed into the main file is visible read-only."""
    db = tmp_path / "s.db"
    writer = Store(db)
    Session(writer, annotator="a").import_records([DocumentRecord(text="Russia and Turkey.")])
    Session(writer, annotator="a").add_entity(1, 0, 6, "GPE")
    assert Path(f"{db}-wal").stat().st_size > 0
    with Store(db, read_only=True) as reader:
        assert [e.text for e in Session(reader).entities(1)] == ["Russia"]
    writer.close()


def test_an_old_store_opened_read_only_is_refused_not_upgraded(tmp_path):
    db = tmp_path / "old.db"
    migrations.apply(Database(db), stop_before="m002_model_runs")
    before = db.read_bytes()
    with pytest.raises(StoreError, match="needs an upgrade but is read-only"):
        Store(db, read_only=True)
    assert db.read_bytes() == before


# --- older and newer schema versions --------------------------------------------------------


def old_store(path: Path) -> Path:
    """A store at the first schema version holding a document, two entities and a relation."""
    db = Database(path)
    migrations.apply(db, stop_before="m002_model_runs")
    db.execute("INSERT INTO documents (id, title, text, content_hash, created_at, updated_at)"
               " VALUES (1, 'Old', 'Russia and Turkey.', 'h', 't', 't')")
    for n, (s, e, text) in enumerate([(0, 6, "Russia"), (11, 17, "Turkey")], 1):
        db.execute("INSERT INTO entities (id, doc_id, start, \"end\", label, text, created_at,"
                   " updated_at) VALUES (?, 1, ?, ?, 'GPE', ?, 't', 't')", [n, s, e, text])
    db.execute("INSERT INTO relations (id, doc_id, head_id, tail_id, label, created_at,"
               " updated_at) VALUES (1, 1, 1, 2, 'ALLY_OF', 't', 't')")
    db.conn.commit()
    db.close()
    return path


def test_an_old_store_is_upgraded_by_the_command_line_with_a_backup(tmp_path):
    db = old_store(tmp_path / "old.db")
    before = db.read_bytes()
    result = run("stats", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "upgraded the store" in result.stderr and "Traceback" not in result.stderr
    (backup,) = tmp_path.glob("old.db.m001_initial*.bak")
    assert [m.name for m in migrations.applied(Database(backup))] == ["m001_initial"]
    assert Database(backup).execute("SELECT count(*) FROM entities").fetchone()[0] == 2
    with Store(db) as store:
        assert store.schema_version == migration_names() and store.upgraded_from is None
        session = Session(store, annotator="tester")
        assert [e.text for e in session.entities(1)] == ["Russia", "Turkey"]
        assert [r.label for r in session.relations(1)] == ["ALLY_OF"]
        session.add_entity(1, 0, 17, "GPE")
    assert len(before) > 0


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_newer_store_is_refused_by_every_command_and_left_alone(tmp_path, command):
    db = tmp_path / "future.db"
    with Store(db) as store:
        Session(store).import_records([DocumentRecord(text="Russia and Turkey.")])
    future = Database(db)
    future["_sqlite_migrations"].insert({"migration_set": "arcmark", "name": "m999_future",
                                          "applied_at": "2030"})
    future.close()
    before = db.read_bytes()
    assert_one_line_error(run(*COMMANDS[command](db, tmp_path)), "newer Arcmark")
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))


# --- a full disk ------------------------------------------------------------------------------


def test_a_full_disk_is_a_clear_error_and_the_store_stays_usable(tmp_path):
    """SQLite's 'database or disk is full' (simulated with max_page_count) becomes one
    StoreError line; the import is rolled back whole and the store works once there is room."""
    store = Store(tmp_path / "s.db")
    session = Session(store, annotator="tester")
    session.import_records([DocumentRecord(text="Russia and Turkey.")])
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")
    big = [DocumentRecord(text=f"Document {n}: " + "Iran and Turkey met. " * 500)
           for n in range(20)]
    with pytest.raises(StoreError, match="disk is full") as err:
        session.import_records(big)
    assert "\n" not in str(err.value)
    news = tmp_path / "long news.txt"
    news.write_text("Tehran and Ankara talked. " * 2000, encoding="utf-8")
    with pytest.raises(StoreError, match="disk is full"):  # the window's path
        import_path(session, news)
    assert len(store.document_ids()) == 1 and store.integrity_check() == "ok"
    session.add_entity(1, 0, 6, "GPE")  # a small action still fits
    store.db.execute("PRAGMA max_page_count = 1073741823")
    session.import_records(big)
    assert len(store.document_ids()) == 21
    store.close()
