"""The store's register of trained models, scores of suggested relations, and the few
bulk writes the model loop needs (relation suggestions, reviewed marks).

A trained model's files live in a folder beside the store (`<store>.models/vN/`); the
store keeps one row per version: its base, the folder, when, on how much data and its
held-out scores. The row is written after the folder is complete, so a cancelled or
failed training leaves the store as it was.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from storage.errors import translated
from storage.store import Store, now

_JSON = ("held_out", "counts", "scores")


def models_folder(store: Store) -> Path:
    """Where the store's trained models are kept: `<store file>.models/`."""
    return store.path.with_name(store.path.name + ".models")


@translated
def trained_models(store: Store) -> list[dict[str, Any]]:
    """Every trained model's row, oldest first, JSON columns decoded."""
    if "trained_models" not in store.db.table_names():
        return []
    rows = list(store.db.query("SELECT * FROM trained_models ORDER BY version"))
    for r in rows:
        for col in _JSON:
            r[col] = json.loads(r[col] or "null")
    return rows


@translated
def next_model_version(store: Store) -> int:
    row = store.db.execute("SELECT max(version) FROM trained_models").fetchone()
    return (row[0] or 0) + 1


def record_trained_model(store: Store, row: dict[str, Any]) -> None:
    """Register a trained model (its folder is complete); one transaction."""
    values = {**row, "created_at": row.get("created_at") or now()}
    for col in _JSON:
        values[col] = json.dumps(values.get(col, {}), ensure_ascii=False)
    cols = list(values)
    with store.write() as db:
        db.conn.execute(
            f"INSERT INTO trained_models ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [values[c] for c in cols])


@translated
def relation_scores(store: Store, doc_id: int) -> dict[int, float]:
    """{relation id: score} of the document's relations that carry a model's score (none
    in a read-only store made before scores were kept)."""
    if "score" not in store.db["relations"].columns_dict:
        return {}
    return {i: s for i, s in store.db.execute(
        "SELECT id, score FROM relations WHERE doc_id = ? AND score IS NOT NULL", [doc_id])}


@translated
def relation_pairs(store: Store, doc_id: int) -> set[frozenset[int]]:
    """The entity pairs of the document already joined by a relation, whatever its
    label, status or direction, or whose model suggestion a person deleted (read from
    the append-only history): a suggestion never goes where a decision (or another
    suggestion) is."""
    pairs = {frozenset(p) for p in store.db.execute(
        "SELECT head_id, tail_id FROM relations WHERE doc_id = ?", [doc_id])}
    deleted = store.db.execute(
        "SELECT json_extract(before, '$.head_id'), json_extract(before, '$.tail_id')"
        " FROM history WHERE doc_id = ? AND table_name = 'relations' AND after IS NULL"
        " AND json_extract(before, '$.origin') LIKE 'model:%'", [doc_id])
    return pairs | {frozenset(p) for p in deleted if None not in p}


def insert_relation_suggestions(store: Store, rows: Sequence[dict[str, Any]], action: str) -> int:
    """Store suggested relations (whole rows with their `score`), re-checking in the same
    transaction that their pair is still free and both entities still accepted."""
    with store.write() as db:
        kept: list[dict[str, Any]] = []
        next_id = store.next_id("relations")
        taken: dict[int, set[frozenset[int]]] = {}
        for r in rows:
            pairs = taken.setdefault(r["doc_id"], relation_pairs(store, r["doc_id"]))
            pair = frozenset((r["head_id"], r["tail_id"]))
            if pair in pairs or not _both_accepted(store, r["head_id"], r["tail_id"]):
                continue
            pairs.add(pair)
            kept.append({**r, "id": next_id + len(kept)})
        store.insert_many(db, "relations", kept)
        store.append_history(db, action, None, [
            ("relations", r["id"], r["doc_id"], None, {"label": r["label"], "origin": r["origin"]})
            for r in kept])
    return len(kept)


def _both_accepted(store: Store, head_id: int, tail_id: int) -> bool:
    n = store.db.execute("SELECT count(*) FROM entities WHERE id IN (?, ?) AND status = 'accepted'",
                         [head_id, tail_id]).fetchone()[0]
    return n == 2


def mark_reviewed(store: Store, doc_ids: Iterable[int], status: str) -> int:
    """Set the status of these documents (an imported corpus that was reviewed elsewhere)."""
    ids = sorted(set(doc_ids))
    at = now()
    with store.write() as db:
        changed = [i for i, s in db.execute(
            f"SELECT id, status FROM documents WHERE id IN ({', '.join('?' * len(ids))})", ids)
            if s != status] if ids else []
        for doc_id in changed:
            db.conn.execute("UPDATE documents SET status = ?, updated_at = ? WHERE id = ?",
                            [status, at, doc_id])
        store.append_history(db, f"mark imported documents {status}", None, [
            ("documents", i, i, None, {"status": status}) for i in changed])
    return len(changed)
