"""Pre-annotation on a Dask cluster of two worker processes: the same store as one process,
nothing lost with a worker, one line when the scheduler is out of reach."""
from __future__ import annotations

import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import main
from annotate import cluster
from annotate.model import ArcmarkError, DocumentRecord
from annotate.preannotate import preannotate
from annotate.session import Session
from storage.store import Store

distributed = pytest.importorskip("distributed")

# what pre-annotation writes; history rows follow the write batches, which depend on timing
TABLES = ("documents", "entities", "model_runs", "document_index")


def _corpus(seed_text: str) -> list[DocumentRecord]:
    paragraphs = [p for p in seed_text.split("\n\n") if p.strip()]
    docs = [DocumentRecord(text="\n\n".join(paragraphs[i:i + 2]), title=f"part {i}")
            for i in range(0, len(paragraphs), 2)]
    docs.append(DocumentRecord(text=(seed_text + "\n\n") * 9, title="long"))  # chunked
    return docs


def _new_store(path: Path, seed_text: str) -> Path:
    with Store(path) as store:
        Session(store, annotator="tester").import_records(_corpus(seed_text))
    return path


def _content(db: Path) -> dict[str, list[tuple]]:
    """Every row of the tables pre-annotation writes, without the times of writing."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table in TABLES:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                    if r[1] != "at" and not r[1].endswith("_at")]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def one_process(tmp_path_factory, seed_text):
    """The store after `ner` in one process, the reference."""
    db = _new_store(tmp_path_factory.mktemp("one") / "one.db", seed_text)
    result = CliRunner().invoke(main.cli, ["ner", "--db", str(db), "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    return _content(db)


def test_ner_on_a_local_cluster_stores_what_one_process_stores(tmp_path, seed_text, one_process):
    """`ner --dask local:2` leaves the store exactly as `ner` in one process does, long
    (chunked) document included, and a second run finds nothing left to do."""
    db = _new_store(tmp_path / "dask.db", seed_text)
    runner = CliRunner()
    result = runner.invoke(main.cli, ["ner", "--db", str(db), "--dask", "local:2",
                                      "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    content = _content(db)
    assert content == one_process
    long_doc = max(d[0] for d in content["documents"])
    assert sum(e[1] == long_doc for e in content["entities"]) > 9 * 80  # every chunk annotated
    again = runner.invoke(main.cli, ["ner", "--db", str(db), "--dask", "local:2"])
    assert again.exit_code == 0 and "0 suggestions added" in again.output


def _model_cache() -> tuple[int, int]:
    """(hits, misses) of the model cache in the process that runs this."""
    from annotate.nlp import load_model

    info = load_model.cache_info()
    return info.hits, info.misses


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_local_workers_start_with_the_model_the_command_loaded():
    """On Linux a local cluster's workers are forked after the command loaded the model,
    as `--processes` workers are: each one's plugin finds it in its cache instead of
    loading it again, and so does a worker that replaces a killed one."""
    from annotate.nlp import load_model

    with cluster.dask_client("local:2", prepare=cluster.LoadOnce(load_model, None)) as client:
        before = client.run(_model_cache)
        assert len(before) == 2
        assert all(hits >= 1 and misses == 1 for hits, misses in before.values()), before
        victim = next(iter(client.run(os.getpid).values()))
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:
            pids = set(client.run(os.getpid, on_error="ignore").values())
            if len(pids) == 2 and victim not in pids:
                break
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            time.sleep(0.2)
        after = client.run(_model_cache)
        assert all(hits >= 1 and misses == 1 for hits, misses in after.values()), after


@pytest.fixture
def two_workers():
    """A running scheduler with two worker processes (each restarted by its nanny)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def test_a_worker_killed_mid_run_loses_nothing(tmp_path, seed_text, one_process, two_workers):
    """A worker killed while it holds batches: Dask runs them again, and the store ends
    up exactly as after one process."""
    db = _new_store(tmp_path / "killed.db", seed_text)
    with distributed.Client(two_workers, set_as_default=False) as client:
        pids = list(client.run(os.getpid).values())
    killed: list[int] = []

    def kill_once(done: int, total: int) -> None:
        if not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(done)

    with Store(db) as store:
        result = preannotate(Session(store, annotator="tester"),
                             dask=two_workers.scheduler_address, batch_size=1,
                             progress=kill_once)
    assert killed and killed[0] < result.documents == len(_corpus(seed_text))
    assert _content(db) == one_process


def test_an_unreachable_scheduler_is_one_line(tmp_path, seed_text, monkeypatch):
    """No scheduler at the address: one line, exit 1, the store unchanged."""
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1)
    db = _new_store(tmp_path / "c.db", seed_text)
    before = _content(db)
    result = CliRunner().invoke(main.cli, ["ner", "--db", str(db), "--dask", "127.0.0.1:1"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "arcmark: cannot reach the Dask scheduler at tcp://127.0.0.1:1"), lines
    assert _content(db) == before


@pytest.mark.parametrize("command", ["ner", "suggest"])
@pytest.mark.parametrize("spec", ["local:0", "local:x", "", "tcp://a b"])
def test_a_malformed_cluster_address_is_one_line(tmp_path, spec, command):
    """A malformed --dask value is refused before anything starts (ner and suggest)."""
    result = CliRunner().invoke(main.cli, [command, "--db", str(tmp_path / "d.db"),
                                           "--dask", spec])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "--dask" in result.stderr


def test_without_dask_the_command_says_how_to_install_it(session, monkeypatch):
    """Where dask.distributed is missing, pre-annotation on Dask names the extra to install."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ArcmarkError, match=r"pip install \.\[dask\]"):
        preannotate(session, dask="local:2")


def _relations(db: Path) -> list[tuple]:
    """The relations rows without ids and times, in a stable order (entities by offsets)."""
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute(
            "SELECT r.doc_id, h.start, h.end, t.start, t.end, r.label, r.directed, r.status,"
            " r.origin, r.score, r.evidence_start, r.evidence_end, r.annotator, r.note"
            " FROM relations r JOIN entities h ON h.id = r.head_id"
            " JOIN entities t ON t.id = r.tail_id").fetchall())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def accepted_store(tmp_path_factory, seed_text):
    """A store whose documents' entities are pre-annotated and accepted, one relation
    decided by a person and one rejected suggestion among them."""
    db = _new_store(tmp_path_factory.mktemp("rel") / "accepted.db", seed_text)
    with Store(db) as store:
        session = Session(store, annotator="tester")
        preannotate(session)
        for doc in session.documents():
            if any(e.status == "suggested" for e in session.entities(doc.id)):
                session.accept_all(doc.id)
        first = session.documents()[0].id
        ents = session.entities(first)
        session.add_relation(ents[0].id, ents[1].id, session.allowed_relations(
            ents[0].id, ents[1].id)[0])
    return db


def test_suggest_on_a_local_cluster_stores_what_one_process_stores(tmp_path, accepted_store):
    """`suggest --dask local:2` leaves the relations exactly as `suggest` in one process
    does, the person's relation untouched, and a second run adds nothing."""
    import shutil

    here, there = tmp_path / "here.db", tmp_path / "there.db"
    shutil.copy(accepted_store, here)
    shutil.copy(accepted_store, there)
    runner = CliRunner()
    one = runner.invoke(main.cli, ["suggest", "--db", str(here)])
    assert one.exit_code == 0, one.output
    result = runner.invoke(main.cli, ["suggest", "--db", str(there), "--dask", "local:2"])
    assert result.exit_code == 0, result.output
    rows = _relations(there)
    assert rows == _relations(here)
    assert sum(r[7] == "suggested" for r in rows) >= 3
    assert [r[7:9] for r in rows if r[8] == "human"] == [("accepted", "human")]
    assert result.output.splitlines()[-1] == one.output.splitlines()[-1]
    again = runner.invoke(main.cli, ["suggest", "--db", str(there), "--dask", "local:2"])
    assert again.exit_code == 0 and again.output.startswith("0 relation suggestions added")
    assert _relations(there) == rows


def test_suggest_with_an_unreachable_scheduler_is_one_line(tmp_path, accepted_store, monkeypatch):
    """`suggest --dask` with no scheduler at the address: one line, exit 1, nothing written."""
    import shutil

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1)
    db = shutil.copy(accepted_store, tmp_path / "c.db")
    before = _relations(db)
    result = CliRunner().invoke(main.cli, ["suggest", "--db", str(db), "--dask", "127.0.0.1:1"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "arcmark: cannot reach the Dask scheduler at tcp://127.0.0.1:1"), lines
    assert _relations(db) == before


def test_suggest_without_dask_says_how_to_install_it(session, monkeypatch):
    """Where dask.distributed is missing, relation suggestion on Dask names the extra."""
    from annotate.relation_cluster import suggest_on_cluster

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ArcmarkError, match=r"pip install \.\[dask\]"):
        suggest_on_cluster(session, "local:2")
