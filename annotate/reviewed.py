"""The analyst's reviewed documents as plain training data, and their fixed split.

A document is reviewed when its status is `done` (or `curated`, where the store has
that status). Its accepted entities are the gold; its rejected entities are negative
evidence; its accepted relations are positives, its rejected relations negatives.
Offsets are code points, relations name entities by their index in `accepted`.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from annotate.model import ArcmarkError
from annotate.session import Session

REVIEWED_STATUSES = ("done", "curated")
Span = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class ReviewedDoc:
    doc_id: int
    content_hash: str
    text: str
    accepted: tuple[Span, ...]
    rejected: tuple[Span, ...]
    # (head index, tail index, label) into `accepted`
    relations: tuple[tuple[int, int, str], ...]
    rejected_relations: tuple[tuple[int, int, str], ...]


def reviewed_documents(session: Session, ids: Sequence[int] | None = None) -> list[ReviewedDoc]:
    """The store's reviewed documents (or those of `ids` that are reviewed), in id order."""
    out: list[ReviewedDoc] = []
    for status in REVIEWED_STATUSES:
        for item in session.corpus(status=status, ids=ids):
            out.append(_reviewed(item))
    return sorted(out, key=lambda d: d.doc_id)


def _reviewed(item) -> ReviewedDoc:  # type: ignore[no-untyped-def]
    accepted = [e for e in item.entities if e.status == "accepted"]
    index = {e.id: i for i, e in enumerate(accepted)}

    def rels(status: str) -> tuple[tuple[int, int, str], ...]:
        return tuple((index[r.head_id], index[r.tail_id], r.label) for r in item.relations
                     if r.status == status and r.head_id in index and r.tail_id in index)

    doc = item.document
    return ReviewedDoc(
        doc_id=doc.id, content_hash=doc.content_hash or _hash(doc.text), text=doc.text,
        accepted=tuple((e.start, e.end, e.label) for e in accepted),
        rejected=tuple((e.start, e.end, e.label) for e in item.entities if e.status == "rejected"),
        relations=rels("accepted"), rejected_relations=rels("rejected"))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def split_held_out(docs: Sequence[ReviewedDoc], fraction: float
                   ) -> tuple[list[ReviewedDoc], list[ReviewedDoc]]:
    """(training, held-out): the held-out documents are the ceil(fraction * n) whose
    content hash sorts first, a split that does not depend on ids or import order."""
    if not 0 < fraction < 1:
        raise ArcmarkError(f"--held-out must be between 0 and 1 (got {fraction:g})")
    if len(docs) < 2:
        raise ArcmarkError(f"training needs at least 2 reviewed documents (status done); the "
                           f"store has {len(docs)}")
    n = min(len(docs) - 1, max(1, math.ceil(fraction * len(docs))))
    ordered = sorted(docs, key=lambda d: d.content_hash)
    held = {d.doc_id for d in ordered[:n]}
    return [d for d in docs if d.doc_id not in held], [d for d in docs if d.doc_id in held]
