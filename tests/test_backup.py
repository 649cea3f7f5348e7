"""`main.py backup`: a consistent copy while another process writes, one line on errors."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

import main
from annotate.model import DocumentRecord, EntityRecord
from annotate.session import Session
from storage.store import Store
from tests.conftest import ROOT

ENTITIES = 5

# another process adds documents, each with ENTITIES entities in its own transaction,
# until the stop file appears
WRITER = """
import sys, pathlib
sys.path.insert(0, sys.argv[1])
from annotate.model import DocumentRecord, EntityRecord
from annotate.session import Session
from storage.store import Store
stop = pathlib.Path(sys.argv[3])
with Store(sys.argv[2]) as store:
    session = Session(store, annotator="writer")
    n = 0
    while not stop.exists():
        text = f"Writer document {n}. " + "Lorem ipsum dolor sit amet. " * 200
        ents = tuple(EntityRecord(i * 6, i * 6 + 5, "ORG") for i in range(%d))
        session.import_records([DocumentRecord(text=text, title=f"w{n}", entities=ents)])
        n += 1
""" % ENTITIES


def _record(n: int) -> DocumentRecord:
    text = f"Seed document {n}. " + "Consectetur adipiscing elit. " * 400
    return DocumentRecord(text=text, title=f"s{n}",
                          entities=tuple(EntityRecord(i * 6, i * 6 + 5, "GPE")
                                         for i in range(ENTITIES)))


def _whole(copy: Path) -> tuple[int, int]:
    """(documents, entities) of a copy, which must open, pass SQLite's check and hold
    no document without all of its entities."""
    with Store(copy, create=False) as store:
        assert store.integrity_check() == "ok"
        session = Session(store, annotator="tester")
        docs = session.documents()
        counts = [len(session.entities(d.id)) for d in docs]
    assert all(c == ENTITIES for c in counts)
    return len(docs), sum(counts)


def test_backup_while_another_process_writes_is_a_consistent_copy(tmp_path):
    """Copies taken while a writer commits document after document each hold whole
    transactions only, and the writer is never blocked."""
    db = tmp_path / "live.db"
    with Store(db) as store:
        Session(store, annotator="tester").import_records([_record(n) for n in range(300)])
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(ROOT), str(db), str(stop)],
                              stderr=subprocess.PIPE, text=True)
    try:
        with Store(db, create=False) as store:
            deadline = time.monotonic() + 60
            while len(store.document_ids()) < 310 and time.monotonic() < deadline:
                time.sleep(0.05)
        counts = []
        for i in range(4):
            result = CliRunner().invoke(main.cli, ["backup", "--db", str(db),
                                                   "--out", str(tmp_path / f"copy{i}.db")])
            assert result.exit_code == 0, result.output
            counts.append(_whole(tmp_path / f"copy{i}.db")[0])
        stop.touch()
        assert writer.wait(timeout=60) == 0, writer.stderr.read()
    finally:
        stop.touch()
        writer.kill()
        writer.wait()
    with Store(db, create=False) as store:
        final = len(store.document_ids())
    assert 310 <= counts[0] <= counts[-1] <= final
    assert counts[-1] > counts[0]  # the writer went on while the copies were taken
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_refuses_to_overwrite_and_names_what_is_wrong(tmp_path):
    """An existing target, a missing store and a file that is no store: one line, exit 1,
    nothing written."""
    db = tmp_path / "s.db"
    with Store(db) as store:
        Session(store, annotator="tester").import_records([_record(0)])
    other = tmp_path / "notes.txt"
    other.write_text("not a store", encoding="utf-8")
    existing = tmp_path / "kept.db"
    existing.write_bytes(b"keep me")
    cases = [(db, existing, "already exists"), (tmp_path / "none.db", tmp_path / "a.db", "no such"),
             (other, tmp_path / "b.db", "not an Arcmark store"),
             (db, tmp_path / "no" / "c.db", "no such folder")]
    for source, out, message in cases:
        result = CliRunner().invoke(main.cli, ["backup", "--db", str(source), "--out", str(out)])
        assert result.exit_code == 1
        assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert existing.read_bytes() == b"keep me"
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()
