"""Two processes on one store: no corruption, no lost write; the loser waits or is told."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotate.corpus_io import import_path
from annotate.model import DocumentRecord
from annotate.session import Session
from storage.store import Store, StoreBusyError
from tests.conftest import ROOT

WORKER = ROOT / "tests" / "helpers" / "session_worker.py"
CLI_BUSY = ROOT / "tests" / "helpers" / "cli_busy.py"


def make_store(path: Path, texts: list[str]) -> list[int]:
    with Store(path) as store:
        result = Session(store).import_records([DocumentRecord(text=t) for t in texts])
    return result.documents_added


def adder(db: Path, doc_id: int, count: int, offset: int, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), "add", str(db), str(doc_id), str(count),
                             str(offset), name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("same_document", [True, False], ids=["same-doc", "other-docs"])
def test_two_processes_adding_200_entities_each_lose_nothing(tmp_path, same_document):
    """400 acknowledged adds from two processes at once are all stored, with distinct ids."""
    db = tmp_path / "shared.db"
    first, second = make_store(db, ["Ankara" * 100, "Moscow" * 100])
    target = first if same_document else second
    procs = [adder(db, first, 200, 0, "one"), adder(db, target, 200, 200, "two")]
    outputs = [p.communicate(timeout=180) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert out.split()[-1] == "200"
    with Store(db) as store:
        rows = store.rows("entities")
        assert len(rows) == 400 and len({r["id"] for r in rows}) == 400
        assert {r["annotator"] for r in rows} == {"one", "two"}
        assert all(r["text"] == store.document_text(r["doc_id"])[r["start"]:r["end"]] for r in rows)
        adds = [h for h in store.history(limit=10_000) if h["action"].startswith("Add GPE")]
        assert len(adds) == 400
    assert integrity(db) == "ok"


def test_the_second_writer_waits_for_the_lock_then_writes(tmp_path):
    """While another connection holds the write lock, an action waits (busy timeout), then lands."""
    db = tmp_path / "s.db"
    (doc,) = make_store(db, ["Russia and Turkey."])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    proc = adder(db, doc, 1, 0, "waiter")
    try:
        time.sleep(2.0)
        assert proc.poll() is None, "the writer should still be waiting for the lock"
    finally:
        holder.execute("COMMIT")
        holder.close()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip() == "done 1"
    with Store(db) as store:
        assert [r["annotator"] for r in store.rows("entities")] == ["waiter"]


def test_a_lock_held_past_the_busy_timeout_is_a_clear_error_and_changes_nothing(tmp_path):
    """StoreBusyError names the problem; the action is not half-done and works once free."""
    db = tmp_path / "s.db"
    (doc,) = make_store(db, ["Russia and Turkey."])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    store = Store(db, busy_timeout=0.2)
    session = Session(store, annotator="tester")
    try:
        with pytest.raises(StoreBusyError, match="busy.*another window, program") as err:
            session.add_entity(doc, 0, 6, "GPE")
        assert "\n" not in str(err.value)
        assert not session.can_undo
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert session.entities(doc) == []
    session.add_entity(doc, 0, 6, "GPE")
    assert [e.text for e in session.entities(doc)] == ["Russia"]
    store.close()


def test_import_into_a_busy_store_from_the_window_path_is_a_clear_error(tmp_path):
    """import_path (what the window calls) raises one StoreBusyError, never sqlite3's."""
    db = tmp_path / "s.db"
    make_store(db, ["Russia and Turkey."])
    text = tmp_path / "news.txt"
    text.write_text("Iran met Turkey in Astana.\n", encoding="utf-8")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store(db, busy_timeout=0.2) as store:
            with pytest.raises(StoreBusyError):
                import_path(Session(store), text)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Store(db) as store:
        assert len(store.document_ids()) == 1


def test_readers_are_not_blocked_by_a_writer(tmp_path):
    """WAL: stats and export run while another process holds the write lock."""
    db = tmp_path / "s.db"
    make_store(db, ["Russia and Turkey."])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE documents SET title = 'uncommitted'")
    try:
        stats = subprocess.run([sys.executable, str(CLI_BUSY), "0.2", "stats", "--db", str(db)],
                               capture_output=True, text=True, cwd=ROOT, timeout=120)
        out = tmp_path / "x.jsonl"
        export = subprocess.run([sys.executable, str(CLI_BUSY), "0.2", "export", "--db", str(db),
                                 "--format", "jsonl", "--out", str(out)],
                                capture_output=True, text=True, cwd=ROOT, timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert stats.returncode == 0 and "documents: 1" in stats.stdout, stats.stderr
    assert export.returncode == 0, export.stderr
    assert "uncommitted" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["import", "ner"])
def test_cli_on_a_store_locked_too_long_prints_one_line_and_exits_1(tmp_path, command):
    """The command line gives up after the busy timeout with one line, no traceback."""
    db = tmp_path / "s.db"
    make_store(db, ["Russia and Turkey met in Ankara."])
    text = tmp_path / "news.txt"
    text.write_text("Iran met Turkey in Astana.\n", encoding="utf-8")
    args = (["import", "--db", str(db), str(text)] if command == "import"
            else ["ner", "--db", str(db)])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = subprocess.run([sys.executable, str(CLI_BUSY), "0.3", *args], capture_output=True,
                                text=True, cwd=ROOT, timeout=300)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1 and lines[0].startswith("arcmark: ") and "busy" in lines[0]
    assert "Traceback" not in result.stderr
    with Store(db) as store:
        assert len(store.document_ids()) == 1 and store.rows("entities") == []
    assert integrity(db) == "ok"
