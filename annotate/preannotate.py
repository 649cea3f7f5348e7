"""Batch pre-annotation: stream documents through `nlp.pipe`, store suggestions in batches.

Long documents are cut into pieces at paragraph (else line, else space) boundaries
so spaCy's length limit and memory never bite; offsets are shifted back. Each
document's suggestions are committed together (all or nothing per document).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from annotate.model_registry import is_store_model, resolve_model
from annotate.nlp import annotate_texts, load_model, model_id
from annotate.reviewed import REVIEWED_STATUSES
from annotate.session import Session
from annotate.suggestions import Annotated
from annotate.workers import annotate_batch, annotate_parallel, model_version

CHUNK_CHARS = 50_000
WRITE_EVERY_DOCS = 64
WRITE_EVERY_S = 0.5


@dataclass
class PreannotateResult:
    model: str
    documents: int = 0
    entities: int = 0
    words: int = 0
    cancelled: bool = False


def chunk_text(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering `text`, cut at natural boundaries."""
    if len(text) <= limit:
        return [(0, text)]
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            for sep in ("\n\n", "\n", ". ", " "):
                cut = text.rfind(sep, start + limit // 2, end)
                if cut != -1:
                    end = cut + len(sep)
                    break
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def preannotate(session: Session, *, model: str | None = None, doc_ids: list[int] | None = None,
                processes: int = 1, dask: str | None = None, batch_size: int = 16,
                progress: Callable[[int, int], object] | None = None,
                cancelled: Callable[[], bool] | None = None) -> PreannotateResult:
    """Pre-annotate the documents that this model has not annotated yet: here, in
    `processes` worker processes, or on the Dask cluster `dask` (a scheduler address
    or `local[:N]`, see `annotate.cluster`).

    `progress(done, total)` is called after each document; `cancelled()` is polled
    between documents, and what was finished stays stored. `model` may name a version
    trained on this store (latest, vN): by default it pre-annotates only the documents
    not yet reviewed."""
    if doc_ids is None and is_store_model(model):
        # a model trained on the reviewed documents leaves them (and any finished work) be
        doc_ids = [d.id for d in session.documents() if d.status not in REVIEWED_STATUSES]
    model = resolve_model(session.store, model)
    if dask is not None:
        from annotate.cluster import LoadOnce, dask_client, run_batches, run_once

        with dask_client(dask, prepare=LoadOnce(load_model, model)) as client:
            def on_cluster(texts: Iterator[str]) -> Iterator[tuple]:
                return run_batches(client, annotate_batch, texts, args=(model,),
                                   batch_size=batch_size)

            return _preannotate(session, run_once(client, model_version, model), on_cluster,
                                doc_ids, progress, cancelled)
    nlp = load_model(model)

    def here(texts: Iterator[str]) -> Iterator[tuple]:
        if processes > 1:
            return annotate_parallel(nlp, model, texts, batch_size=batch_size,
                                     processes=processes)
        return annotate_texts(nlp, texts, batch_size=batch_size)

    return _preannotate(session, model_id(nlp), here, doc_ids, progress, cancelled)


def _preannotate(session: Session, name: str, run: Callable[[Iterator[str]], Iterator[tuple]],
                 doc_ids: list[int] | None, progress: Callable[[int, int], object] | None,
                 cancelled: Callable[[], bool] | None) -> PreannotateResult:
    """Annotate what model `name` has not done yet, the texts run through `run`, the
    results stored one transaction per batch of whole documents."""
    todo = session.documents_to_annotate(name, doc_ids)
    result = PreannotateResult(model=name)
    if not todo:
        return result
    writer = session.suggestion_writer(name)
    texts = {doc_id: session.store.document_text(doc_id) or "" for doc_id in todo}
    pending: list[Annotated] = []
    last_write = time.monotonic()

    def flush() -> None:
        nonlocal pending, last_write
        if pending:
            result.entities += writer.write(pending)
            result.documents += len(pending)
            pending = []
        last_write = time.monotonic()

    pieces = ((doc_id, offset, piece) for doc_id in todo for offset, piece in chunk_text(texts[doc_id]))
    merged = _merge_pieces(run, pieces)
    try:
        for doc_id, ents, sents in merged:
            pending.append(Annotated(doc_id, ents, sents))
            result.words += len(texts.pop(doc_id).split())
            if len(pending) >= WRITE_EVERY_DOCS or time.monotonic() - last_write > WRITE_EVERY_S:
                flush()
            if progress:
                progress(result.documents + len(pending), len(todo))
            if cancelled and cancelled():
                result.cancelled = True
                break
    finally:
        merged.close()  # stops the worker processes at once on a cancel
    flush()
    return result


def _merge_pieces(run: Callable[[Iterator[str]], Iterator[tuple]],
                  pieces: Iterator[tuple[int, int, str]]) -> Iterator[tuple]:
    """Run the pieces' texts through `run` and yield whole documents, in order."""
    keys: list[tuple[int, int]] = []

    def texts() -> Iterator[str]:
        for doc_id, offset, piece in pieces:
            keys.append((doc_id, offset))
            yield piece

    results = run(texts())
    try:
        yield from _whole_documents(keys, results)
    finally:
        results.close()


def _whole_documents(keys: list[tuple[int, int]], results: Iterator[tuple]) -> Iterator[tuple]:  # type: ignore[type-arg]
    current: int | None = None
    ents: list = []
    sents: list = []
    for i, (p_ents, p_sents) in enumerate(results):
        doc_id, offset = keys[i]
        if current is not None and doc_id != current:
            yield current, tuple(ents), tuple(sents)
            ents, sents = [], []
        current = doc_id
        ents += [(s + offset, e + offset, label) for s, e, label in p_ents]
        sents += [(s + offset, e + offset) for s, e in p_sents]
    if current is not None:
        yield current, tuple(ents), tuple(sents)
