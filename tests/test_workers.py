"""Pre-annotation in worker processes: the same results as one process, clean stops."""
from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from annotate.model import ArcmarkError, DocumentRecord
from annotate.nlp import annotate_texts
from annotate.preannotate import preannotate
from annotate.session import Session
from annotate.workers import annotate_parallel
from storage.store import Store


def _corpus(seed_text: str) -> list[DocumentRecord]:
    paragraphs = [p for p in seed_text.split("\n\n") if p.strip()]
    docs = [DocumentRecord(text="\n\n".join(paragraphs[i:i + 3]), title=f"part {i}")
            for i in range(0, len(paragraphs), 3)]
    docs.append(DocumentRecord(text=(seed_text + "\n\n") * 9, title="long"))  # chunked
    return docs


def _annotated(session: Session) -> list[tuple]:
    return [(d.id, [(e.start, e.end, e.label, e.status, e.origin) for e in session.entities(d.id)],
             session.document(d.id).sentences) for d in session.documents()]


def test_two_processes_store_exactly_what_one_process_stores(tmp_path, seed_text, nlp):
    """Entities, sentences and counts are the same with two worker processes as with none."""
    results = []
    for processes in (1, 2):
        with Store(tmp_path / f"p{processes}.db") as store:
            session = Session(store, annotator="tester")
            session.import_records(_corpus(seed_text))
            result = preannotate(session, processes=processes, batch_size=2)
            assert result.documents == len(_corpus(seed_text)) and not result.cancelled
            results.append((result.entities, result.words, _annotated(session)))
    assert results[0] == results[1]
    assert results[0][0] > 9 * 80  # the long document's chunks were all annotated
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_results_come_back_in_order(seed_text, nlp, start_method):
    """Batches finish in any order; the texts' results come back in the order they went in,
    from forked workers (sharing the model) and spawned ones (loading it by name)."""
    texts = [p for p in seed_text.split("\n\n") if p.strip()]
    expected = list(annotate_texts(nlp, texts))
    assert list(annotate_parallel(nlp, None, texts, batch_size=3, processes=2,
                                  start_method=start_method)) == expected
    assert multiprocessing.active_children() == []


def test_cancel_stops_the_workers_and_keeps_what_was_done(session, seed_text, nlp):
    """A cancel keeps the finished documents, stops the workers, and the next run does the rest."""
    session.import_records(_corpus(seed_text))
    seen: list[int] = []
    result = preannotate(session, processes=2, batch_size=1,
                         progress=lambda done, total: seen.append(done),
                         cancelled=lambda: len(seen) >= 2)
    assert result.cancelled and result.documents == 2
    assert multiprocessing.active_children() == []
    annotated = [d for d in session.documents() if session.entities(d.id)]
    assert len(annotated) == 2
    # the rest is done by the next run, nothing twice
    again = preannotate(session, processes=2)
    assert again.documents == len(_corpus(seed_text)) - 2


def test_an_error_in_a_worker_is_one_line(nlp):
    """A spaCy error inside a worker stops the run with one ArcmarkError line."""
    too_long = "word " * (nlp.max_length // 5 + 10)  # spaCy refuses it (E088)
    with pytest.raises(ArcmarkError, match="pre-annotation worker failed: ValueError"):
        list(annotate_parallel(nlp, None, ["Russia and Turkey.", too_long], batch_size=1,
                               processes=2))
    assert multiprocessing.active_children() == []


def test_a_killed_worker_stops_the_run(seed_text, nlp):
    """A worker killed mid-run is noticed: one ArcmarkError line, no process left behind."""
    texts = [p for p in seed_text.split("\n\n") if p.strip()] * 60
    results = annotate_parallel(nlp, None, texts, batch_size=1, processes=2)
    next(results)
    # one of the run's own workers (other tests may leave children of their own about)
    worker = next(p for p in multiprocessing.active_children() if p.name == "arcmark-ner-1")
    os.kill(worker.pid, signal.SIGKILL)
    with pytest.raises(ArcmarkError, match="worker stopped"):
        list(results)
    assert multiprocessing.active_children() == []


def test_ctrl_c_during_ner_with_workers_is_one_line(tmp_path, seed_text):
    """Ctrl+C reaches the whole process group: one line from the parent, no worker traceback."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    db = tmp_path / "s.db"
    with Store(db) as store:
        Session(store, annotator="tester").import_records(
            [DocumentRecord(text=f"{i}. {seed_text}") for i in range(300)])  # still busy at 6 s
    main = Path(__file__).resolve().parent.parent / "main.py"
    proc = subprocess.Popen([sys.executable, str(main), "ner", "--db", str(db), "--processes",
                             "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    time.sleep(6)  # the model is loaded and the workers are busy
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [
        "arcmark: interrupted; everything finished before was saved"], err
