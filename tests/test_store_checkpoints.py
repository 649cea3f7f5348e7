"""The write-ahead log is copied into the store file in the background, at quiet moments."""
from __future__ import annotations

import shutil
import sqlite3
import threading
import time

from annotate.model import DocumentRecord
from annotate.session import Session
from storage.store import Store


def checkpoint_threads() -> int:
    return sum(t.name == "arcmark-checkpoint" for t in threading.enumerate())


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_quiet_store_has_its_edits_in_the_store_file_itself(tmp_path):
    """Shortly after the last action, the committed pages are in the main file: a copy of
    that file alone (no -wal) holds them, while the store stays open."""
    db = tmp_path / "s.db"
    store = Store(db)
    session = Session(store, annotator="a")
    doc = session.import_records([DocumentRecord(text="Russia and Turkey.")]).documents_added[0]
    session.add_entity(doc, 0, 6, "GPE")

    def in_the_file_alone() -> bool:
        shutil.copyfile(db, tmp_path / "alone.db")
        alone = sqlite3.connect(tmp_path / "alone.db")
        try:
            return alone.execute("SELECT text FROM entities").fetchall() == [("Russia",)]
        except sqlite3.DatabaseError:  # copied mid-checkpoint
            return False
        finally:
            alone.close()

    assert wait_for(in_the_file_alone)
    store.close()


def test_a_burst_of_actions_is_checkpointed_without_a_pause(tmp_path):
    """Actions with no pause between them still get their log copied in the background."""
    store = Store(tmp_path / "s.db")
    session = Session(store, annotator="a")
    text = " ".join(f"word{i}" for i in range(200))
    doc = session.import_records([DocumentRecord(text=text)]).documents_added[0]
    for i in range(100):
        start = text.index(f"word{i} ")
        session.add_entity(doc, start, start + len(f"word{i}"), "ORG")
    assert wait_for(lambda: store._checkpointer.checkpoints >= 2)
    store.close()


def test_closing_a_store_stops_its_thread_and_read_only_stores_have_none(tmp_path):
    """No thread outlives its store; read-only and in-memory stores never start one."""
    before = checkpoint_threads()
    store = Store(tmp_path / "s.db")
    assert checkpoint_threads() == before + 1
    store.close()
    assert checkpoint_threads() == before
    with Store(tmp_path / "s.db", read_only=True), Store(":memory:"):
        assert checkpoint_threads() == before


def test_a_store_dropped_without_close_stops_its_thread(tmp_path):
    before = checkpoint_threads()
    store = Store(tmp_path / "s.db")
    del store
    assert wait_for(lambda: checkpoint_threads() == before)
