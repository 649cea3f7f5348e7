"""The stores bench_scale measures: 100,000 (and 1,000) news documents of ~3 kB with 20
entities and 2 relations each, built once with the store's own bulk import and kept
in bench/out/ (git-ignored), so a second run of the benchmarks starts at once.

    python -m bench.scale_store [COUNT]

A cached store is reused while its name (count, layout version) matches; a store
left half-built by an interrupted run is never reused: it is written under a
temporary name and renamed when complete.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from bench._util import RELATION_LABELS, ROOT, entity_spans, news_documents, say, sentence_spans

OUT = ROOT / "bench" / "out"
LAYOUT = 1  # bump when what the store holds changes
ENTITIES_PER_DOC = 20
RELATIONS_PER_DOC = 2
CHUNK = 2_000  # documents per import transaction
STATUSES = ("new",) * 12 + ("in_progress",) * 5 + ("done",) * 3


def scale_store(count: int) -> Path:
    """The cached store of `count` documents, built now if missing."""
    path = OUT / f"scale-{count}-v{LAYOUT}.db"
    if path.exists():
        _upgrade(path)
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    _build(partial, count)
    if Path(f"{partial}-wal").exists():  # closing the store checkpoints and removes it
        raise RuntimeError(f"{partial}-wal is left after closing the store")
    partial.rename(path)
    say(f"scale: built {path.name} ({count:,} documents) in {time.perf_counter() - started:.0f} s")
    return path


def _upgrade(path: Path) -> None:
    """Bring a cached store to the current schema (without the copy a user's store gets
    before an upgrade: this one can be built again)."""
    sys.path.insert(0, str(ROOT))
    from storage.store import Store

    Store(path, backup_before_upgrade=False).close()


def _build(path: Path, count: int) -> None:
    sys.path.insert(0, str(ROOT))
    from annotate.model import DocumentRecord, EntityRecord, RelationRecord
    from annotate.session import Session
    from storage.store import Store

    rng = random.Random(count)
    with Store(path) as store:
        session = Session(store, annotator="bench")
        for first in range(0, count, CHUNK):
            docs = news_documents(count=min(CHUNK, count - first), seed=first,
                                  min_chars=2_400, max_chars=3_600)
            records = []
            for n, (title, text) in enumerate(docs):
                ents = tuple(EntityRecord(s, e, label)
                             for s, e, label in entity_spans(text, ENTITIES_PER_DOC))
                rels = tuple(RelationRecord(2 * k, 2 * k + 1, RELATION_LABELS[(first + n + k) % 5])
                             for k in range(RELATIONS_PER_DOC))
                records.append(DocumentRecord(
                    text=f"{text}\n[{first + n}]\n", title=f"{title} ({first + n})",
                    entities=ents, relations=rels, sentences=sentence_spans(text),
                    status=rng.choice(STATUSES)))
            session.import_records(records, source="bench")
            if (first // CHUNK) % 10 == 9:
                say(f"scale: {first + len(docs):,} of {count:,} documents stored")


if __name__ == "__main__":
    print(scale_store(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
