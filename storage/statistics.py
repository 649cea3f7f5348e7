"""Counts for the statistics panel and `main.py stats`, beyond `Store.counts()`."""
from __future__ import annotations

from typing import Any

from storage.store import Store

# edits that a person made (imports and model runs write history rows too)
_BY_A_PERSON = ("action != 'import' AND action NOT LIKE 'pre-annotate%'"
                " AND action NOT LIKE 'migrate:%'")  # m012's rows are nobody's edits


def label_status_counts(store: Store, table: str) -> dict[str, dict[str, int]]:
    """{label: {status: n}} for `entities` or `relations`."""
    if table not in ("entities", "relations"):
        raise ValueError(table)
    out: dict[str, dict[str, int]] = {}
    for label, status, n in store.db.execute(
            f"SELECT label, status, count(*) FROM {table} GROUP BY label, status").fetchall():
        out.setdefault(label, {})[status] = n
    return out


def dismissed_by_label(store: Store) -> dict[str, int]:
    """Model suggestions a person moved, relabelled or deleted, per suggested label."""
    return {label: n for label, n in store.db.execute(
        "SELECT label, count(*) FROM dismissed_suggestions GROUP BY label").fetchall()}


def daily_progress(store: Store) -> list[dict[str, Any]]:
    """Per day (UTC) of the edit history: documents marked done, entity and relation
    edits made by a person."""
    sql = f"""
        SELECT substr(at, 1, 10) AS day,
          sum(table_name = 'documents' AND json_extract(after, '$.status') = 'done'
              AND coalesce(json_extract(before, '$.status'), '') != 'done') AS documents_done,
          sum(table_name = 'entities' AND {_BY_A_PERSON}) AS entity_edits,
          sum(table_name = 'relations' AND {_BY_A_PERSON}) AS relation_edits
        FROM history GROUP BY day ORDER BY day"""
    cursor = store.db.execute(sql)
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]
