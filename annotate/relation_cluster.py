"""Relation suggestion on a Dask cluster: the client reads each document's accepted
entities, the workers parse the texts and score the pairs
(`annotate.relation_worker.suggest_batch`, the pipeline loaded once per worker), and
the client stores what comes back exactly as `suggest_in_store` does in one process.

Results are stored in batches of whole documents, one transaction each; a pair that
has a relation by the time its result arrives (a person's, a suggestion, a rejected
one) is skipped, so nothing a person decided is changed and a run that was stopped can
simply be run again. A lost worker's batches are run again by Dask (`annotate.cluster`).
"""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence

from annotate.model import Entity
from annotate.relation_suggest import (
    BATCH_DOCS, SuggestResult, documents_to_suggest, relation_tasks, suggester_origin,
    suggester_plan, write_suggestions,
)
from annotate.relation_worker import Span, Suggestion, load_pipeline, pipeline_version, suggest_batch
from annotate.session import Session

WRITE_EVERY_S = 0.5


def suggest_on_cluster(session: Session, dask: str, *, doc_ids: Sequence[int] | None = None,
                       min_score: float = 0.3,
                       progress: Callable[[int, int], object] | None = None,
                       cancelled: Callable[[], bool] | None = None) -> SuggestResult:
    """Suggest relations in the given documents (default: those not yet reviewed) on the
    Dask cluster `dask` (a scheduler address or `local[:N]`, see `annotate.cluster`)."""
    from annotate.cluster import LoadOnce, dask_client, run_batches, run_once

    ids = documents_to_suggest(session, doc_ids)
    pipeline, model, trained = suggester_plan(session, min_score)
    with dask_client(dask, prepare=LoadOnce(load_pipeline, pipeline)) as client:
        origin = suggester_origin(run_once(client, pipeline_version, pipeline), trained=trained)
        sent: deque[tuple[int, tuple[int, list[Entity]]]] = deque()
        found = run_batches(client, suggest_batch, _tasks(session, ids, sent),
                            args=(pipeline, model), batch_size=BATCH_DOCS)
        return _store(session, ids, sent, found, SuggestResult(origin=origin), progress,
                      cancelled)


def _tasks(session: Session, ids: list[int], sent: deque[tuple[int, tuple[int, list[Entity]]]]
           ) -> Iterator[tuple[str, list[Span]]]:
    """The worker tasks of the documents with two accepted entities or more, read as the
    workers need them; `sent` keeps (position in `ids`, the document's entities) of each."""
    for position, doc_id in enumerate(ids):
        accepted, tasks = relation_tasks(session, [doc_id])
        if tasks:
            sent.append((position, accepted[0]))
            yield tasks[0]


def _store(session: Session, ids: list[int], sent: deque[tuple[int, tuple[int, list[Entity]]]],
           found: Generator[list[Suggestion], None, None], result: SuggestResult,
           progress: Callable[[int, int], object] | None,
           cancelled: Callable[[], bool] | None) -> SuggestResult:
    pending: list[tuple[tuple[int, list[Entity]], list[Suggestion]]] = []
    last_write = time.monotonic()

    def flush() -> None:
        nonlocal pending, last_write
        if pending:
            accepted, suggestions = zip(*pending, strict=True)
            result.relations += write_suggestions(session, accepted, suggestions, result.origin)
            pending = []
        last_write = time.monotonic()

    try:
        for suggestions in found:
            position, accepted = sent.popleft()
            pending.append((accepted, suggestions))
            if len(pending) >= BATCH_DOCS or time.monotonic() - last_write > WRITE_EVERY_S:
                flush()
            result.documents = position + 1
            if progress:
                progress(result.documents, len(ids))
            if cancelled and cancelled() and result.documents < len(ids):
                result.cancelled = True
                break
        else:
            result.documents = len(ids)
    finally:
        found.close()  # a cancel or an error: the queued batches are cancelled
    flush()
    if progress and not result.cancelled:
        progress(result.documents, len(ids))
    return result
