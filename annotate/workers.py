"""Pre-annotation in worker processes that hand back plain data, not spaCy Docs.

spaCy's own `nlp.pipe(n_process=N)` sends every finished Doc back to the parent
as bytes, and the parent rebuilds it: on a two-core machine that parent competes
with its workers for a core. Here each worker runs `nlp.pipe` over a batch of
texts and returns only what pre-annotation keeps (entity and sentence offsets, a
few tuples per text), so the parent does almost nothing but store the results.

Workers are forked on Linux, sharing the parent's loaded model (no second load);
elsewhere they are spawned and load the model by name. Results come back in the
order the texts went in. A worker that dies or raises stops the run with an
ArcmarkError naming the cause; closing the generator early (a cancel) stops the
workers.
"""
from __future__ import annotations

import multiprocessing
import queue
import signal
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from annotate.model import ArcmarkError

POLL_S = 0.5  # how often a waiting parent checks that its workers are alive
JOBS_PER_WORKER = 3  # batches queued ahead per worker, so none waits for the parent

# the model a forked worker inherits (set in the parent just before forking)
_INHERITED: Any = None


def annotate_parallel(nlp: Any, model: str | None, texts: Iterable[str], *, batch_size: int,
                      processes: int, start_method: str | None = None
                      ) -> Iterator[tuple[Any, Any]]:
    """(entities, sentences) of each text, in order, computed by `processes` workers
    started by `start_method` (by default fork on Linux, else spawn)."""
    global _INHERITED
    # fork shares the loaded model; elsewhere than Linux it is unsafe (macOS) or missing
    context = multiprocessing.get_context(
        start_method or ("fork" if sys.platform.startswith("linux") else "spawn"))
    jobs: Any = context.Queue()
    results: Any = context.Queue()
    _INHERITED = nlp
    workers = [context.Process(target=_work, args=(jobs, results, model), daemon=True,
                               name=f"arcmark-ner-{n + 1}")
               for n in range(processes)]
    try:
        for worker in workers:
            worker.start()
    finally:
        _INHERITED = None
    batches = _batches(texts, batch_size)
    sent = done = 0
    waiting: dict[int, list[tuple[Any, Any]]] = {}
    finished = False
    try:
        for batch in islice(batches, processes * JOBS_PER_WORKER):
            jobs.put((sent, batch))
            sent += 1
        while done < sent:
            while done not in waiting:
                index, data, error = _next_result(results, workers)
                if error is not None:
                    raise ArcmarkError(f"pre-annotation worker failed: {error}")
                waiting[index] = data
                for batch in islice(batches, 1):  # one result in, one batch out
                    jobs.put((sent, batch))
                    sent += 1
            yield from waiting.pop(done)
            done += 1
        finished = True
    finally:
        _stop(workers, jobs, orderly=finished)


def _batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(texts)
    while batch := list(islice(it, size)):
        yield batch


def _next_result(results: Any, workers: list[Any]) -> tuple[int, Any, str | None]:
    while True:
        try:
            return results.get(timeout=POLL_S)
        except queue.Empty:
            dead = [w for w in workers if not w.is_alive()]
            if dead:
                raise ArcmarkError(f"pre-annotation worker stopped (exit code "
                                   f"{dead[0].exitcode})") from None


def _stop(workers: list[Any], jobs: Any, *, orderly: bool) -> None:
    """After the last result, let the workers finish; on a cancel or an error, stop
    them at once (they hold nothing but the batch in hand)."""
    if orderly:
        for _ in workers:
            jobs.put(None)
    for worker in workers:
        if orderly:
            worker.join(timeout=5)
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5)
    jobs.cancel_join_thread()


def annotate_batch(texts: list[str], model: str | None, nlp: Any = None
                   ) -> list[tuple[Any, Any]]:
    """(entities, sentences) of each text: what a worker sends back, plain offsets only.
    The model is loaded by name once per process unless given (a forked worker's)."""
    from annotate.nlp import doc_to_data, load_model

    nlp = nlp if nlp is not None else load_model(model)
    return [doc_to_data(doc) for doc in nlp.pipe(texts, batch_size=len(texts))]


def model_version(model: str | None) -> str:
    """The model id (`<lang>_<name>@<version>`) of `model` as this process loads it."""
    from annotate.nlp import load_model, model_id

    return model_id(load_model(model))


def _work(jobs: Any, results: Any, model: str | None) -> None:
    from annotate.nlp import load_model

    # Ctrl+C reaches the whole process group: the parent reports it in one line and
    # stops the workers; a worker's own traceback would only add noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    nlp = _INHERITED if _INHERITED is not None else load_model(model)
    while (job := jobs.get()) is not None:
        index, texts = job
        try:
            data = annotate_batch(texts, model, nlp)
        except Exception as exc:  # reported to the parent, which stops the run
            results.put((index, None, f"{type(exc).__name__}: {exc}"))
        else:
            results.put((index, data, None))
