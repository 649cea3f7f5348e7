"""SIGKILL at random moments loses at most the action in flight and never corrupts the store.

A worker process annotates through the Session and prints an acknowledgement after each
action returns; the test kills it at a random point (seeded), then checks that the store
passes `PRAGMA integrity_check`, opens, and holds exactly the acknowledged work plus at
most the one action that was in flight. The same for a bulk import (all or nothing per
file) and for `main.py ner` (all or nothing per document)."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


from annotate.model import DocumentRecord
from annotate.session import Session
from storage.store import Store
from tests.conftest import ROOT
from tests.helpers.session_worker import snapshot

WORKER = ROOT / "tests" / "helpers" / "session_worker.py"
WORDS = ("Russia Turkey Iran Erdogan Putin NATO Ankara Moscow Tehran signed a deal with and "
         "the talks in Astana on Syria").split()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        conn.close()


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


# --- a stream of annotation actions ---------------------------------------------------------


def replay(state: dict, history: list[dict]) -> dict:
    """`state` (a worker snapshot) with the rows of `history` written over it."""
    state = json.loads(json.dumps(state))
    for entry in history:
        table, key, after = entry["table_name"], str(entry["row_id"]), entry["after"]
        if table == "entities":
            value = after and [after["doc_id"], after["start"], after["end"], after["label"],
                               after["status"]]
        elif table == "relations":  # the fields `snapshot` keeps
            value = after and [after["head_id"], after["tail_id"], after["label"], after["note"]]
        else:
            value = after and after["status"]
        if value is None:
            state[table].pop(key, None)
        else:
            state[table][key] = value
    return state


def with_sentences(sentences: list[str]) -> DocumentRecord:
    bounds, at = [], 0
    for text in sentences:
        bounds.append((at, at + len(text)))
        at += len(text) + 1
    return DocumentRecord(text=" ".join(sentences), sentences=tuple(bounds))


def check_after_kill(db: Path, start: tuple[int, dict], acked_history: int) -> int:
    """The store is sound; it holds every history row acknowledged and at most one action
    more; its rows are exactly `start` with the history since then written over it.
    Returns how many history rows the action in flight left (0 if none)."""
    assert integrity(db) == "ok"
    first_history, state = start
    with Store(db) as store:
        history = list(reversed(store.history(limit=1_000_000)))
        assert [h["id"] for h in history] == list(range(1, len(history) + 1))
        assert len(history) >= acked_history, "an acknowledged action is missing"
        extra = history[acked_history:]
        assert len({(h["at"], h["action"]) for h in extra}) <= 1, "more than the action in flight"
        assert snapshot(store) == replay(state, history[first_history:])
        return len(extra)


def test_killing_an_annotating_process_loses_at_most_the_action_in_flight(tmp_path):
    """Eight kills at random moments of a stream of adds, relabels, relations, deletes,
    undos and redos: each acknowledged action survives, nothing half-done remains."""
    db = tmp_path / "s.db"
    rng = random.Random(20171)
    with Store(db) as store:  # with sentences, so relation evidence needs no spaCy
        Session(store).import_records([with_sentences([sentence(rng, 12) for _ in range(8)])
                                       for _ in range(3)])
        start = (len(store.history(limit=1_000_000)), snapshot(store))
    acknowledged = in_flight = 0
    for round_ in range(8):
        proc = subprocess.Popen([sys.executable, str(WORKER), "stream", str(db), str(round_),
                                 "100000", f"w{round_}"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        assert first.startswith("done 0 "), proc.stderr.read()
        time.sleep(rng.uniform(0.05, 1.2))
        kill(proc)
        output = first + proc.stdout.read()
        lines = output[:output.rfind("\n") + 1].splitlines()  # whole lines only
        *_, (_, n, history_id) = (line.split() for line in lines if len(line.split()) == 3)
        acknowledged += int(n)
        in_flight += check_after_kill(db, start, int(history_id)) > 0
        assert "Traceback" not in proc.stderr.read()
    assert acknowledged > 40, "the worker should have done real work between kills"
    with Store(db) as store:
        tables = {h["table_name"] for h in store.history(limit=1_000_000)}
    assert {"entities", "relations", "documents"} <= tables


# --- a bulk import --------------------------------------------------------------------------


def jsonl_folder(root: Path, files: int, per_file: int, seed: int) -> dict[str, list[str]]:
    """JSONL files of documents with entities; returns each file's texts."""
    rng = random.Random(seed)
    folder = root / "bulk"
    folder.mkdir()
    texts: dict[str, list[str]] = {}
    for f in range(files):
        name = f"part {f:03d}.jsonl"
        records = []
        for d in range(per_file):
            text = f"{name} #{d}: " + sentence(rng, 40)
            spans = []
            for word in ("Russia", "Turkey", "Iran"):
                at = text.find(word)
                if at >= 0:
                    spans.append({"start": at, "end": at + len(word), "label": "GPE"})
            records.append({"text": text, "spans": spans, "meta": {"file": name}})
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        texts[name] = [r["text"] for r in records]
    return texts


def stored(db: Path) -> dict[str, int]:
    """text -> number of entities, for every stored document."""
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT d.text, (SELECT count(*) FROM entities e"
                                 " WHERE e.doc_id = d.id) FROM documents d").fetchall())
    finally:
        conn.close()


def expected_entities(text: str) -> int:
    return sum(word in text for word in ("Russia", "Turkey", "Iran"))


def test_killing_a_folder_import_keeps_each_file_whole(tmp_path):
    """Each file is in with all its documents and entities, or not at all; importing again
    after the kill completes the job without duplicates."""
    texts = jsonl_folder(tmp_path, files=60, per_file=25, seed=7)
    db = tmp_path / "s.db"
    rng = random.Random(99)
    cmd = [sys.executable, str(ROOT / "main.py"), "import", "--db", str(db),
           str(tmp_path / "bulk")]
    partial_rounds = 0
    for _ in range(3):
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        target = count(db, "SELECT count(*) FROM documents") + rng.randint(1, 400)
        deadline = time.monotonic() + 120
        while (proc.poll() is None and time.monotonic() < deadline
               and count(db, "SELECT count(*) FROM documents") < target):
            time.sleep(0.005)
        kill(proc)
        assert integrity(db) == "ok"
        have = stored(db)
        whole = 0
        for name, file_texts in texts.items():
            present = [t in have for t in file_texts]
            assert all(present) or not any(present), f"{name} is half imported"
            if all(present):
                whole += 1
                assert all(have[t] == expected_entities(t) for t in file_texts), name
        partial_rounds += 0 < whole < len(texts)
        with Store(db) as store:
            Session(store).documents()
    assert partial_rounds >= 1, "no kill landed in the middle of the import"
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    have = stored(db)
    assert len(have) == 60 * 25
    assert all(have[t] == expected_entities(t) for ts in texts.values() for t in ts)


def test_killing_the_import_of_one_big_jsonl_is_all_or_nothing(tmp_path):
    """One file is one transaction: a kill leaves none of its 3,000 documents or all."""
    texts = jsonl_folder(tmp_path, files=1, per_file=3000, seed=3)
    (path,) = (tmp_path / "bulk").iterdir()
    db, timed = tmp_path / "s.db", tmp_path / "timed.db"
    with Store(db) as store:
        Session(store).import_records([DocumentRecord(text="Already here: Russia.")])
    shutil.copyfile(db, timed)
    began = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "import", "--db", str(timed),
                           str(path)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    duration = time.monotonic() - began
    assert done.returncode == 0 and count(timed, "SELECT count(*) FROM documents") == 3001
    rng = random.Random(5)
    for _ in range(2):  # killed late in the run: while parsing, storing or committing
        proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "import", "--db", str(db),
                                 str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=ROOT)
        time.sleep(duration * rng.uniform(0.5, 0.97))
        kill(proc)
        assert integrity(db) == "ok"
        assert count(db, "SELECT count(*) FROM documents") in (1, 3001)
        if count(db, "SELECT count(*) FROM documents") == 3001:
            break
    have = stored(db)
    if len(have) == 3001:
        assert all(have[t] == expected_entities(t) for t in texts[path.name])


# --- pre-annotation --------------------------------------------------------------------------


DOCS = 100  # enough for several of ner's timed commits (one per 0.5 s) in one run


def ner_store(path: Path, documents: int) -> None:
    rng = random.Random(11)
    with Store(path) as store:
        Session(store).import_records([
            DocumentRecord(text=f"Report {n}. Russia and Turkey met in Ankara. "
                           + " ".join(sentence(rng, 15) for _ in range(6)))
            for n in range(documents)])


def suggestions(db: Path) -> dict[int, set[tuple[int, int, str]]]:
    conn = sqlite3.connect(db)
    try:
        out: dict[int, set[tuple[int, int, str]]] = {}
        for doc_id, start, end, label in conn.execute(
                "SELECT doc_id, start, \"end\", label FROM entities WHERE origin LIKE 'model:%'"):
            out.setdefault(doc_id, set()).add((start, end, label))
        return out
    finally:
        conn.close()


def check_ner_whole_per_document(db: Path, reference: dict[int, set]) -> int:
    """Every document has its model run and all its suggestions, or neither; returns how many
    documents are done."""
    assert integrity(db) == "ok"
    conn = sqlite3.connect(db)
    try:
        runs = dict(conn.execute("SELECT doc_id, entities FROM model_runs").fetchall())
        sentences = dict(conn.execute("SELECT id, sentences FROM documents").fetchall())
    finally:
        conn.close()
    have = suggestions(db)
    for doc_id in sentences:
        if doc_id in runs:
            assert have.get(doc_id, set()) == reference[doc_id]
            assert runs[doc_id] == len(reference[doc_id])
            assert json.loads(sentences[doc_id])
        else:
            assert doc_id not in have and json.loads(sentences[doc_id]) == []
    return len(runs)


def test_killing_ner_keeps_each_document_whole(tmp_path):
    """The model's suggestions for a document, its sentences and its model-run row are
    committed together: after a kill each document has all of them or none, and running
    again finishes with exactly what an uninterrupted run stores."""
    reference_db, db = tmp_path / "reference.db", tmp_path / "s.db"
    ner_store(reference_db, DOCS)
    shutil.copyfile(reference_db, db)
    cmd = [sys.executable, str(ROOT / "main.py"), "ner", "--db"]
    done = subprocess.run(cmd + [str(reference_db)], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    reference = suggestions(reference_db)
    assert len(reference) == DOCS and all(reference.values())
    rng = random.Random(3)
    partial_rounds = 0
    for _ in range(2):
        proc = subprocess.Popen(cmd + [str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=ROOT)
        target = count(db, "SELECT count(*) FROM model_runs") + rng.randint(1, 15)
        deadline = time.monotonic() + 300
        while (proc.poll() is None and time.monotonic() < deadline
               and count(db, "SELECT count(*) FROM model_runs") < target):
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.3))
        kill(proc)
        finished = check_ner_whole_per_document(db, reference)
        partial_rounds += 0 < finished < DOCS
    assert partial_rounds >= 1, "no kill landed in the middle of pre-annotation"
    done = subprocess.run(cmd + [str(db)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    assert check_ner_whole_per_document(db, reference) == DOCS
    assert suggestions(db) == reference


# --- upgrading an older store ------------------------------------------------------------------


def old_big_store(path: Path, documents: int = 2000) -> None:
    from sqlite_utils import Database

    from storage.migrations import migrations

    db = Database(path)
    migrations.apply(db, stop_before="m002_model_runs")
    db.conn.executemany(
        "INSERT INTO documents (id, title, text, content_hash, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, 't', 't')",
        [(n, f"T{n}", "Russia and Turkey met in Ankara. " * 300 + str(n), f"h{n}")
         for n in range(1, documents + 1)])
    db.conn.commit()
    db.close()


def test_killing_an_upgrade_leaves_the_old_store_or_the_new_one_and_only_whole_backups(tmp_path):
    """Killed while backing up or migrating: the store opens (finishing the upgrade) with all
    its documents, and every file named as a backup is a complete copy of the old store."""
    original = tmp_path / "original.db"
    old_big_store(original)
    rng = random.Random(8)
    for round_ in range(4):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        db = folder / "old.db"
        shutil.copyfile(original, db)
        proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "stats", "--db", str(db)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        deadline = time.monotonic() + 60
        while proc.poll() is None and not list(folder.glob("*old.db.*")) \
                and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.4))
        kill(proc)
        assert integrity(db) == "ok"
        for backup in folder.glob("old.db.*.bak"):
            assert integrity(backup) == "ok", backup
            assert count(backup, "SELECT count(*) FROM documents") == 2000, backup
        with Store(db) as store:
            assert len(store.document_ids()) == 2000
        assert integrity(db) == "ok"
