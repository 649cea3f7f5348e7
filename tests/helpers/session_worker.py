"""A process that annotates a store through the Session and acknowledges each action.

    python tests/helpers/session_worker.py stream DB SEED COUNT [ANNOTATOR]
        random annotation actions (add, relabel, accept, reject, add/edit/delete relation,
        delete entity, document status, undo, redo) on the store's documents
    python tests/helpers/session_worker.py add DB DOC_ID COUNT OFFSET [ANNOTATOR]
        COUNT new entities on document DOC_ID, the n-th at characters [OFFSET+n, OFFSET+n+1)

After each action has returned (so it is committed) the worker prints one line and
flushes: "done N H" where H is the newest history row id. Tests kill the worker at random
moments and check the store against the last line seen: every history row up to H is
there, and the rows (`snapshot`) are exactly what the history says.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotate.model import ArcmarkError  # noqa: E402
from annotate.session import Session  # noqa: E402
from storage.store import Store  # noqa: E402

LABELS = ("GPE", "ORG", "PERSON", "NORP")
RELATIONS = ("ALLY_OF", "OPPOSES", "SUPPORTS", "MEETS_WITH", "SUPPLIES")


def snapshot(store: Store) -> dict[str, dict[str, list]]:
    """What a test compares: every entity and relation and each document's status."""
    return {
        "entities": {str(r["id"]): [r["doc_id"], r["start"], r["end"], r["label"], r["status"]]
                     for r in store.rows("entities")},
        "relations": {str(r["id"]): [r["head_id"], r["tail_id"], r["label"], r["note"]]
                      for r in store.rows("relations")},
        "documents": {str(r["id"]): r["status"] for r in store.rows("documents")},
    }


def last_history_id(store: Store) -> int:
    return store.db.execute("SELECT max(id) FROM history").fetchone()[0] or 0


def acknowledge(n: int, store: Store) -> None:
    print(f"done {n} {last_history_id(store)}", flush=True)


def random_action(session: Session, rng: random.Random) -> None:
    """One action picked at random; raises ArcmarkError when it does not apply."""
    doc_ids = session.store.document_ids()
    doc_id = rng.choice(doc_ids)
    entities = session.entities(doc_id)
    relations = session.relations(doc_id)
    kind = rng.choices(
        ["add", "relabel", "accept", "reject", "relation", "note", "delete_relation",
         "delete_entity", "status", "undo", "redo"],
        weights=[8, 2, 1, 1, 4, 2, 1, 2, 1, 3, 2])[0]
    if kind == "add" or (not entities and kind not in ("undo", "redo")):
        text = session.document(doc_id).text
        start = rng.randrange(0, len(text) - 12)
        session.add_entity(doc_id, start, start + rng.randint(1, 12), rng.choice(LABELS),
                           snap=True)
    elif kind == "relabel":
        entity = rng.choice(entities)
        session.relabel_entity(entity.id, rng.choice([x for x in LABELS if x != entity.label]))
    elif kind == "accept":
        session.accept_entity(rng.choice(entities).id)
    elif kind == "reject":
        session.reject_entity(rng.choice(entities).id)
    elif kind == "relation":
        if len(entities) < 2:
            raise ArcmarkError("too few entities")
        head, tail = rng.sample(entities, 2)
        session.add_relation(head.id, tail.id, rng.choice(RELATIONS), note=f"n{rng.random()}")
    elif kind == "note" and relations:
        session.edit_relation(rng.choice(relations).id, note=f"edited {rng.random()}")
    elif kind == "delete_relation" and relations:
        session.delete_relation(rng.choice(relations).id)
    elif kind == "delete_entity":
        session.delete_entity(rng.choice(entities).id)
    elif kind == "status":
        status = rng.choice(["new", "in_progress", "done"])
        session.set_document_status(doc_id, status)
    elif kind == "undo":
        if session.undo() is None:
            raise ArcmarkError("nothing to undo")
    elif kind == "redo":
        if session.redo() is None:
            raise ArcmarkError("nothing to redo")
    else:
        raise ArcmarkError("not applicable")


def stream(db: str, seed: int, count: int, annotator: str) -> None:
    rng = random.Random(seed)
    with Store(db) as store:
        session = Session(store, annotator=annotator)
        acknowledge(0, store)
        done = 0
        while done < count:
            try:
                random_action(session, rng)
            except ArcmarkError:
                continue  # the action did not apply (e.g. a duplicate); nothing was written
            done += 1
            acknowledge(done, store)


def add(db: str, doc_id: int, count: int, offset: int, annotator: str) -> None:
    with Store(db) as store:
        session = Session(store, annotator=annotator)
        for n in range(count):
            session.add_entity(doc_id, offset + n, offset + n + 1, "GPE")
            print(f"done {n + 1}", flush=True)


if __name__ == "__main__":
    mode, db, *rest = sys.argv[1:]
    if mode == "stream":
        stream(db, int(rest[0]), int(rest[1]), rest[2] if len(rest) > 2 else "worker")
    elif mode == "add":
        add(db, int(rest[0]), int(rest[1]), int(rest[2]), rest[3] if len(rest) > 3 else "worker")
    else:
        raise SystemExit(f"unknown mode {mode}")
