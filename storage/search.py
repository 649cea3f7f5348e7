"""Full-text search and corpus-wide look-ups over the indexes of migration m004.

Queries arrive here already in FTS5 syntax (`annotate.search` builds them from what
the user typed). Matches in snippets and highlighted text are wrapped in
`MARK_START` / `MARK_END`, control characters that news text does not contain.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from storage.store import Store, StoreError

MARK_START, MARK_END = "\x02", "\x03"
ELLIPSIS = "…"


class SearchQueryError(StoreError):
    """The full-text index cannot parse the query."""


def _rows(store: Store, sql: str, params: Sequence[Any] | dict[str, Any]) -> list[sqlite3.Row]:
    """Rows readable by column name (`row["title"]`), without building a dict each."""
    cursor = store.db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    try:
        return cursor.execute(sql, params if isinstance(params, dict) else list(params)).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc) or "no such column" in str(exc):
            raise SearchQueryError(f"cannot search for that: {exc}") from None
        raise


# the documents a `NOT` query leaves out: those whose title, text, entities or relations
# (not rejected) match it anywhere
_LEFT_OUT = """
    SELECT rowid FROM documents_fts WHERE documents_fts MATCH :left_out
    UNION SELECT e.doc_id FROM entities_fts JOIN entities e ON e.id = entities_fts.rowid
      WHERE entities_fts MATCH :left_out AND e.status != 'rejected'
    UNION SELECT r.doc_id FROM relations_fts JOIN relations r ON r.id = relations_fts.rowid
      WHERE relations_fts MATCH :left_out AND r.status != 'rejected'"""


def _without(column: str, left_out: str) -> str:
    return f"AND {column} NOT IN ({_LEFT_OUT})" if left_out else ""


def search_documents(store: Store, match: str, limit: int = 50,
                     snippet_tokens: int = 14, left_out: str = "") -> list[sqlite3.Row]:
    """Documents whose title or text match, best first: id, title, status, snippet, rank;
    none that `left_out` (an FTS query) matches anywhere."""
    sql = f"""
        SELECT d.id, d.title, d.status,
               snippet(documents_fts, -1, '{MARK_START}', '{MARK_END}', '{ELLIPSIS}',
                       :tokens) AS snippet,
               documents_fts.rank AS rank
        FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
        WHERE documents_fts MATCH :match {_without("d.id", left_out)}
        ORDER BY documents_fts.rank LIMIT :limit"""
    return _rows(store, sql, {"tokens": snippet_tokens, "match": match, "limit": limit,
                              "left_out": left_out})


def search_entities(store: Store, match: str, limit: int = 500, left_out: str = ""
                    ) -> list[sqlite3.Row]:
    """Entities (not rejected) whose text or label match, one row per document, label and
    text with its number of mentions; `id`, `start` and `end` are those of the first.
    None of a document that `left_out` matches anywhere."""
    sql = f"""
        SELECT e.doc_id, e.label, e.text, e.id, min(e.start) AS start, e."end", e.status,
               count(*) AS mentions
        FROM entities_fts JOIN entities e ON e.id = entities_fts.rowid
        WHERE entities_fts MATCH :match AND e.status != 'rejected'
          {_without("e.doc_id", left_out)}
        GROUP BY e.doc_id, e.label, e.text ORDER BY e.doc_id, start LIMIT :limit"""
    return _rows(store, sql, {"match": match, "limit": limit, "left_out": left_out})


def search_relations(store: Store, match: str, limit: int = 500, left_out: str = ""
                     ) -> list[sqlite3.Row]:
    """Relations (not rejected) whose label or note match, with their entities' texts;
    none of a document that `left_out` matches anywhere."""
    sql = f"""
        SELECT r.id, r.doc_id, r.label, r.note, r.directed, r.evidence_start, r.evidence_end,
               h.text AS head_text, h.start AS head_start, h."end" AS head_end,
               t.text AS tail_text
        FROM relations_fts JOIN relations r ON r.id = relations_fts.rowid
        JOIN entities h ON h.id = r.head_id JOIN entities t ON t.id = r.tail_id
        WHERE relations_fts MATCH :match AND r.status != 'rejected'
          {_without("r.doc_id", left_out)}
        ORDER BY r.doc_id, h.start LIMIT :limit"""
    return _rows(store, sql, {"match": match, "limit": limit, "left_out": left_out})


def document_titles(store: Store, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """{id: (title, status)} for the given documents."""
    wanted = sorted(set(ids))
    out: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(wanted):
        marks = ", ".join("?" * len(chunk))
        for doc_id, title, status in store.db.execute(
                f"SELECT id, title, status FROM documents WHERE id IN ({marks})", chunk):
            out[doc_id] = (title, status)
    return out


def highlighted_text(store: Store, doc_id: int, match: str) -> str | None:
    """The document's text with every match wrapped in the marks; None if the text
    (as opposed to the title) does not match."""
    sql = f"""
        SELECT highlight(documents_fts, 1, '{MARK_START}', '{MARK_END}')
        FROM documents_fts WHERE documents_fts MATCH ? AND rowid = ?"""
    rows = _rows(store, sql, [match, doc_id])
    if not rows:
        return None
    text = rows[0][0]
    return text if MARK_START in (text or "") else None


# --- document filters ------------------------------------------------------------------------


def documents_with_entity_text(store: Store, match: str) -> set[int]:
    """Documents with a (not rejected) entity whose text matches the FTS query."""
    sql = """
        SELECT DISTINCT e.doc_id FROM entities_fts JOIN entities e ON e.id = entities_fts.rowid
        WHERE entities_fts MATCH ? AND e.status != 'rejected'"""
    try:  # a common name is in most documents: one JSON array, not a row each
        return _id_set(store, sql, [f"text : ({match})"])
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc) or "no such column" in str(exc):
            raise SearchQueryError(f"cannot search for that: {exc}") from None
        raise


def accepted_entities_matching(store: Store, match: str, *, documents: bool = True
                               ) -> list[tuple[Any, ...]]:
    """(label, text, doc id) of the accepted entities whose text matches the FTS query;
    without `documents`, each (label, text) once."""
    picked = "e.label, e.text, e.doc_id" if documents else "DISTINCT e.label, e.text"
    sql = f"""
        SELECT {picked} FROM entities_fts JOIN entities e ON e.id = entities_fts.rowid
        WHERE entities_fts MATCH ? AND e.status = 'accepted'"""
    return [tuple(r) for r in _rows(store, sql, [f"text : ({match})"])]


def accepted_entities_named(store: Store, texts: Sequence[str]) -> list[tuple[str, str, int]]:
    """(label, text, doc id) of the accepted entities whose text is one of `texts`."""
    out: list[tuple[str, str, int]] = []
    for chunk in _chunks(sorted(set(texts))):
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT label, text, doc_id FROM entities WHERE status = 'accepted' AND text IN ({marks})"
        out += [tuple(r) for r in store.db.execute(sql, chunk).fetchall()]
    return out


def accepted_entity_texts(store: Store) -> list[tuple[str, str]]:
    """Every (label, text) of an accepted entity, once each."""
    sql = "SELECT DISTINCT label, text FROM entities WHERE status = 'accepted'"
    return [tuple(r) for r in store.db.execute(sql).fetchall()]


def joined_entity_texts(store: Store, labels: Sequence[str]
                        ) -> list[tuple[str, str, str, str]]:
    """(head label, head text, tail label, tail text) of the accepted relations with one
    of `labels` (those that make two names one actor: SAME_AS) between accepted
    entities, once each; read through the relations' label index."""
    if not labels:
        return []
    marks = ", ".join("?" * len(labels))
    sql = f"""
        SELECT DISTINCT h.label, h.text, t.label, t.text FROM relations r
        JOIN entities h ON h.id = r.head_id JOIN entities t ON t.id = r.tail_id
        WHERE r.label IN ({marks}) AND r.status = 'accepted'
          AND h.status = 'accepted' AND t.status = 'accepted'"""
    return [tuple(r) for r in store.db.execute(sql, list(labels)).fetchall()]


# each part answers in document order, walking one index (m010, m010b), so that SQLite
# merges the parts' answers instead of sorting them; a status is one of the tables' three
_PARTS = {
    "entity_label": """
        SELECT doc_id FROM entities WHERE label = :entity_label AND status = 'accepted'
        UNION SELECT doc_id FROM entities WHERE label = :entity_label AND status = 'suggested'
        ORDER BY 1""",
    "relation_label": """
        SELECT doc_id FROM relations WHERE label = :relation_label AND status = 'accepted'
        UNION SELECT doc_id FROM relations WHERE label = :relation_label
          AND status = 'suggested'
        ORDER BY 1""",
    # an import or a model run is not an edit; a deleted document keeps its history rows
    "annotator": """
        SELECT doc_id FROM entities WHERE annotator = :annotator
        UNION SELECT doc_id FROM relations WHERE annotator = :annotator
        UNION SELECT h.doc_id FROM history h WHERE h.annotator = :annotator
          AND h.action != 'import' AND h.action NOT LIKE 'pre-annotate%'
          AND EXISTS (SELECT 1 FROM documents d WHERE d.id = h.doc_id)
        ORDER BY 1""",
}


def documents_matching(store: Store, *, entity_label: str | None = None,
                       relation_label: str | None = None, annotator: str | None = None
                       ) -> set[int]:
    """The documents with a (not rejected) entity of `entity_label`, a (not rejected)
    relation of `relation_label`, and an entity or relation by `annotator` or an edit of
    theirs: those given, all of them; one query. At least one must be given."""
    wanted = {"entity_label": entity_label, "relation_label": relation_label,
              "annotator": annotator}
    parts = [_PARTS[name] for name, value in wanted.items() if value]
    if not parts:
        raise ValueError("documents_matching needs a label or an annotator")
    if len(parts) == 1:
        sql = parts[0]
    else:
        sql = " INTERSECT ".join(f"SELECT doc_id FROM ({part})" for part in parts)
    params = {name: value for name, value in wanted.items() if value}
    return _id_set(store, sql, params)


def _id_set(store: Store, sql: str, params: dict[str, Any] | Sequence[Any]) -> set[int]:
    """The `doc_id`s `sql` selects, as a set: handed over as one JSON
    array, not a row each (100,000 documents pass a filter in a third of the time)."""
    row = store.db.conn.execute(f"SELECT json_group_array(doc_id) FROM ({sql})",
                                params).fetchone()
    return set(json.loads(row[0])) if row and row[0] else set()


def annotators(store: Store) -> list[str]:
    """Everyone named as the annotator of an entity, a relation or an edit."""
    sql = """
        SELECT annotator FROM entities WHERE annotator IS NOT NULL
        UNION SELECT annotator FROM relations WHERE annotator IS NOT NULL
        UNION SELECT annotator FROM history WHERE annotator IS NOT NULL
        ORDER BY 1"""
    return [r[0] for r in store.db.execute(sql).fetchall()]


# --- the corpus graph -------------------------------------------------------------------------


def graph_rows(store: Store, statuses: Iterable[str] | None = None
               ) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    """Accepted entities and accepted relations (between accepted entities) of the
    documents with one of `statuses` (all documents when None), in document order."""
    entities, relations = graph_row_cursors(store, statuses)
    return list(entities), list(relations)


def graph_row_cursors(store: Store, statuses: Iterable[str] | None = None
                      ) -> tuple[Iterator[sqlite3.Row], Iterator[sqlite3.Row]]:
    """`graph_rows` as two cursors, read as they are consumed: a corpus of 100,000
    documents has millions of entity rows, never all in memory at once."""
    where, params = "", []
    if statuses is not None:
        wanted = sorted(set(statuses))
        where = f"AND d.status IN ({', '.join('?' * len(wanted))})"
        params = wanted
    entities = _cursor(store, f"""
        SELECT e.id, e.doc_id, e.start, e."end", e.label, e.text
        FROM entities e JOIN documents d ON d.id = e.doc_id
        WHERE e.status = 'accepted' {where} ORDER BY e.doc_id, e.start, e."end", e.id""", params)
    relations = _cursor(store, f"""
        SELECT r.id, r.doc_id, r.head_id, r.tail_id, r.label
        FROM relations r JOIN documents d ON d.id = r.doc_id
        WHERE r.status = 'accepted' {where} ORDER BY r.doc_id, r.id""", params)
    return entities, relations


def _cursor(store: Store, sql: str, params: Sequence[Any]) -> Iterator[sqlite3.Row]:
    cursor = store.db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, list(params))


def mention_rows(store: Store, entity_ids: Iterable[int]) -> list[sqlite3.Row]:
    """Entities with their document's title and the sentence-sized context around them."""
    out: list[sqlite3.Row] = []
    for chunk in _chunks(sorted(set(entity_ids))):
        marks = ", ".join("?" * len(chunk))
        out += _rows(store, f"""
            SELECT e.id, e.doc_id, e.start, e."end", e.label, e.text, d.title,
                   substr(d.text, max(e.start - 80, 0) + 1, min(e.start, 80)) AS before,
                   substr(d.text, e."end" + 1, 80) AS after
            FROM entities e JOIN documents d ON d.id = e.doc_id
            WHERE e.id IN ({marks})""", chunk)
    return sorted(out, key=lambda r: (r["doc_id"], r["start"]))


def relation_rows(store: Store, relation_ids: Iterable[int]) -> list[sqlite3.Row]:
    """Relations with their entities' texts, document title and evidence sentence."""
    out: list[sqlite3.Row] = []
    for chunk in _chunks(sorted(set(relation_ids))):
        marks = ", ".join("?" * len(chunk))
        out += _rows(store, f"""
            SELECT r.id, r.doc_id, r.label, r.directed, r.confidence, r.note, r.annotator,
                   r.evidence_start, r.evidence_end, d.title,
                   h.text AS head_text, h.start AS head_start, h."end" AS head_end,
                   t.text AS tail_text, t.start AS tail_start, t."end" AS tail_end,
                   CASE WHEN r.evidence_start IS NULL THEN NULL
                        ELSE substr(d.text, r.evidence_start + 1,
                                    r.evidence_end - r.evidence_start) END AS evidence
            FROM relations r JOIN documents d ON d.id = r.doc_id
            JOIN entities h ON h.id = r.head_id JOIN entities t ON t.id = r.tail_id
            WHERE r.id IN ({marks})""", chunk)
    return sorted(out, key=lambda r: (r["doc_id"], r["evidence_start"] or 0, r["id"]))


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for at in range(0, len(ids), size):
        yield ids[at:at + size]
