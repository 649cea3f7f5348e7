"""The store's reads: rows as plain dicts, slices of long texts, counts and summaries.

`StoreReads` is mixed into `Store`, which opens `db` and sets `path` and `_utf8`.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.errors import translated
from storage.tables import (
    IDS_PER_STATEMENT, REPEATED_COLUMNS, SHAPES, TABLES, decode, load_json,
)
from storage.text_index import PackedSentences, byte_range, text_bytes


class StoreReads:
    """Read queries over an open store; none of them writes."""

    db: Database
    path: Path
    _utf8: bool | None  # texts stored as UTF-8 (read by byte offsets); None until asked
    _indexed: bool  # the document_index table exists (a read-only older store lacks it)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """The reads inside see one state of the store (one read transaction): several
        queries that belong together never see half of someone else's write. Inside an
        open transaction, that one serves."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")  # nothing was written: this only ends the read

    def _current_many(self, table: str, ids: Sequence[int], columns: Sequence[str]
                      ) -> dict[int, dict[str, Any]]:
        """{id: row} of `columns` (which include `id`) of the rows with these ids that exist."""
        names = ", ".join(f'"{c}"' for c in columns)
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), IDS_PER_STATEMENT):
            chunk = list(ids[i:i + IDS_PER_STATEMENT])
            cursor = self.db.execute(f"SELECT {names}, id AS _id FROM {table} WHERE id IN"
                                     f" ({', '.join('?' * len(chunk))})", chunk)
            cols = [d[0] for d in cursor.description][:-1]
            for *values, row_id in cursor:
                out[row_id] = decode(table, dict(zip(cols, values, strict=True)))
        return out

    def _current(self, table: str, row_id: int, columns: Sequence[str] = ()
                 ) -> dict[str, Any] | None:
        """The row (only `columns` of it, if given) as a dict; None if there is none."""
        names = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        cursor = self.db.execute(f"SELECT {names} FROM {table} WHERE id = ?", [row_id])
        row = cursor.fetchone()
        if row is None:
            return None
        cols = [d[0] for d in cursor.description]
        return decode(table, dict(zip(cols, row, strict=True)))

    @translated
    def row(self, table: str, row_id: int, columns: Sequence[str] = ()) -> dict[str, Any] | None:
        """A row as a dict (only `columns` of it, if given: a document's status without
        its text); None if there is no such row."""
        if table not in TABLES:
            raise ValueError(table)
        return self._current(table, row_id, columns)

    @translated
    def rows(self, table: str, where: str = "", params: Sequence[Any] = (),
             order_by: str = "id") -> list[dict[str, Any]]:
        if table not in TABLES:
            raise ValueError(table)
        # plain SQL: sqlite-utils' `rows_where` first lists the tables, on every call
        sql = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "") + \
            (f" ORDER BY {order_by}" if order_by else "")
        cursor = self.db.execute(sql, list(params))
        cols = [d[0] for d in cursor.description]
        # Rows repeat a few values (labels, statuses, one import's timestamp): one string
        # object per value, and rows read one by one, keep a 30,000-entity document's
        # rows at less than half the memory.
        repeated = [(i, {}) for i, c in enumerate(cols) if c in REPEATED_COLUMNS]
        out = []
        for values in cursor:
            if repeated:
                values = list(values)
                for i, seen in repeated:
                    values[i] = seen.setdefault(values[i], values[i])
            out.append(decode(table, dict(zip(cols, values))))
        return out

    @translated
    def document_text(self, doc_id: int) -> str | None:
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
        return None if row is None else row[0]

    @translated
    def document_rows(self, table: str, columns: Sequence[str], doc_ids: Sequence[int],
                      order_by: str) -> list[tuple[Any, ...]]:
        """`columns` of the entities or relations of these documents, as tuples in
        `order_by` order: the corpus reads of an export, without a dict per row."""
        if table not in ("entities", "relations"):
            raise ValueError(table)
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(doc_ids))
        return self.db.execute(f"SELECT {names} FROM {table} WHERE doc_id IN ({marks}) "
                               f"ORDER BY {order_by}", list(doc_ids)).fetchall()

    @translated
    def document_slice(self, doc_id: int, start: int, end: int) -> tuple[int, str] | None:
        """The length of a document's text and its code points [start, end) (clamped to
        the text), reading only those from a long text; None if there is no such document."""
        found = self._indexed and self.db.execute(
            "SELECT length, stride, offsets FROM document_index WHERE doc_id = ?",
            [doc_id]).fetchone()
        if found:
            length, stride, offsets = found
            lo = min(max(start, 0), length)
            part = self._read_text(doc_id, offsets, stride, lo, min(max(end, lo), length))
            if part is not None:
                return length, part
        text = self.document_text(doc_id)
        if text is None:
            return None
        start = min(max(start, 0), len(text))
        return len(text), text[start:min(max(end, start), len(text))]

    def _read_text(self, doc_id: int, offsets: bytes, stride: int, start: int, end: int
                   ) -> str | None:
        """Code points [start, end) of a stored text read by byte offsets (incremental blob
        I/O reads only the pages that hold them); None if the index does not fit the text."""
        if self._utf8 is None:
            self._utf8 = self.db.execute("PRAGMA encoding").fetchone()[0] == "UTF-8"
        if not self._utf8:
            return None
        first, last, at = byte_range(offsets, stride, start, end)
        try:
            with self.db.conn.blobopen("documents", "text", doc_id, readonly=True) as blob:
                if len(blob) != text_bytes(offsets):
                    return None
                blob.seek(first)
                chunk = blob.read(last - first).decode("utf-8")
        except (sqlite3.OperationalError, UnicodeDecodeError):
            return None
        return chunk[start - at:end - at]

    @translated
    def document_sentences(self, doc_id: int) -> Sequence[tuple[int, int]] | None:
        """The stored sentence offsets of a document, in stored order, without decoding
        them all (a long document has thousands); None if there is no such document."""
        packed = self._indexed and self.db.execute(
            "SELECT sentences FROM document_index WHERE doc_id = ?", [doc_id]).fetchone()
        if packed and packed[0] is not None:
            return PackedSentences(packed[0])
        row = self.db.execute("SELECT sentences FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            return None
        pairs = load_json(row[0] or "[]", "documents.sentences", SHAPES["sentences"])
        return tuple((int(s), int(e)) for s, e in pairs)

    @translated
    def relations_between(self, first: int, second: int) -> list[dict[str, Any]]:
        """The relations joining two entities, in either direction."""
        return self.rows("relations", "(head_id = ? AND tail_id = ?) OR (head_id = ? AND tail_id = ?)",
                         [first, second, second, first])

    @translated
    def relations_of(self, entity_id: int) -> list[dict[str, Any]]:
        """The relations an entity is the head or the tail of."""
        return self.rows("relations", "head_id = ? OR tail_id = ?", [entity_id, entity_id])

    @translated
    def entity_spans(self, doc_id: int) -> set[tuple[int, int]]:
        return {(s, e) for s, e in self.db.execute(
            'SELECT start, "end" FROM entities WHERE doc_id = ?', [doc_id]).fetchall()}

    @translated
    def document_by_hash(self, content_hash: str) -> dict[str, Any] | None:
        rows = self.rows("documents", "content_hash = ?", [content_hash])
        return rows[0] if rows else None

    @translated
    def document_summaries(self) -> list[dict[str, Any]]:
        # the length from the document index: length(text) would read every text
        length, join = ("coalesce(i.length, length(d.text))",
                        "LEFT JOIN document_index i ON i.doc_id = d.id") \
            if self._indexed else ("length(d.text)", "")
        sql = f"""
            SELECT d.id, d.title, d.status, d.source, d.updated_at, {length} AS length,
              (SELECT count(*) FROM entities e WHERE e.doc_id = d.id AND e.status != 'rejected')
                  AS entity_count,
              (SELECT count(*) FROM entities e WHERE e.doc_id = d.id AND e.status = 'suggested')
                  AS suggested_count,
              (SELECT count(*) FROM relations r WHERE r.doc_id = d.id AND r.status != 'rejected')
                  AS relation_count,
              (SELECT count(*) FROM relations r WHERE r.doc_id = d.id AND r.status = 'suggested')
                  AS suggested_relation_count
            FROM documents d {join} ORDER BY d.id"""
        return list(self.db.query(sql))

    @translated
    def document_id_range(self) -> tuple[int, int] | None:
        """(smallest, largest) document id, None when there is none: how large the corpus
        is, at the cost of two index look-ups."""
        # two subqueries: each is one index look-up, where min(id), max(id) together scan
        low, high = self.db.execute("SELECT (SELECT min(id) FROM documents),"
                                    " (SELECT max(id) FROM documents)").fetchone()
        return None if low is None else (low, high)

    @translated
    def document_ids(self, status: str | None = None) -> list[int]:
        if status:
            rows = self.db.execute("SELECT id FROM documents WHERE status = ? ORDER BY id", [status])
        else:
            rows = self.db.execute("SELECT id FROM documents ORDER BY id")
        return [r[0] for r in rows.fetchall()]

    @translated
    def counts(self) -> dict[str, Any]:
        def grouped(sql: str) -> dict[str, int]:
            return {k: v for k, v in self.db.execute(sql).fetchall()}

        return {
            "documents": self.db.execute("SELECT count(*) FROM documents").fetchone()[0],
            "documents_by_status": grouped("SELECT status, count(*) FROM documents GROUP BY status"),
            "entities": self.db.execute("SELECT count(*) FROM entities").fetchone()[0],
            "entities_by_status": grouped("SELECT status, count(*) FROM entities GROUP BY status"),
            "entities_by_label": grouped(
                "SELECT label, count(*) FROM entities WHERE status != 'rejected' GROUP BY label"
                " ORDER BY count(*) DESC"),
            "relations": self.db.execute("SELECT count(*) FROM relations").fetchone()[0],
            "relations_by_label": grouped(
                "SELECT label, count(*) FROM relations WHERE status != 'rejected' GROUP BY label"
                " ORDER BY count(*) DESC"),
            "model_suggestions_by_label": self._model_quality(),
        }

    def _model_quality(self) -> dict[str, dict[str, int]]:
        rows = self.db.execute(
            "SELECT label, status, count(*) FROM entities WHERE origin LIKE 'model:%'"
            " GROUP BY label, status").fetchall()
        out: dict[str, dict[str, int]] = {}
        for label, status, n in rows:
            out.setdefault(label, {"suggested": 0, "accepted": 0, "rejected": 0})[status] = n
        return out
