"""Corpus search and document filters over the store's full-text indexes.

`search(session, "Turkey S-400")` finds documents whose title or text match, and the
entities (text or label) and relations (label or note) that match, grouped by document,
best documents first. What the user types is turned into an FTS5 query here: words and
"quoted phrases" must all occur (AND), `OR` works between terms, a trailing `*`
matches a prefix; punctuation inside a word (S-400, al-Bab) makes it a phrase.
Matching ignores case and diacritics and uses English stemming (ally finds allies).

`NOT term` leaves out every document that mentions the term anywhere (its title, text,
entities or relations), not only the rows of the index that lack it: `Russia* NOT Turkey`
finds no document that names Turkey. A query cannot start with NOT (it says what to
leave out of nothing); it is refused with one line. Control characters typed or pasted
into a query (NUL, the highlighter's own marks) separate words like spaces.
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from annotate.model import ArcmarkError
from annotate.session import Session
from storage import search as store_search

OPERATORS = {"OR", "NOT", "AND"}
_TOKEN = re.compile(r'"([^"]*)"?\*?|\S+')
DEFAULT_LIMIT = 50


class SearchError(ArcmarkError):
    """A query that cannot be searched for."""


_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def fts_query(text: str) -> str:
    """The FTS5 query for what the user typed; '' when there is nothing to search for."""
    return " ".join(_parts(text))


def split_query(text: str) -> tuple[str, str]:
    """(what to find, what leaves a document out) as FTS5 queries: every `NOT term`
    goes to the second, joined by OR. Raises SearchError for a query starting with NOT."""
    parts = _parts(text, keep_leading_not=True)
    if parts[:1] == ["NOT"]:
        raise SearchError(f"cannot search for {_shown(text)}: a search cannot start with NOT; "
                          "name what to find first (e.g. Syria NOT Russia)")
    found: list[str] = []
    left_out: list[str] = []
    rest = iter(parts)
    for part in rest:
        if part == "NOT":
            left_out.append(next(rest))
        else:
            found.append(part)
    while found and found[-1] in OPERATORS:
        found.pop()
    return " ".join(found), " OR ".join(left_out)


def _shown(text: str, limit: int = 60) -> str:
    text = _CONTROLS.sub(" ", text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


def _parts(text: str, keep_leading_not: bool = False) -> list[str]:
    parts: list[str] = []
    # a lone surrogate (bytes that were not UTF-8 on a command line) cannot be searched for
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    for match in _TOKEN.finditer(_CONTROLS.sub(" ", text)):
        raw = match.group(0)
        if match.group(1) is not None:  # a quoted phrase
            words = match.group(1).strip()
            if any(ch.isalnum() for ch in words):
                parts.append(_phrase(words, prefix=raw.endswith("*")))
            continue
        if raw in OPERATORS:
            parts.append(raw)
            continue
        prefix = raw.endswith("*")
        word = raw.rstrip("*")
        if any(ch.isalnum() for ch in word):
            parts.append(_phrase(word, prefix))
    while parts and parts[0] in OPERATORS and not (keep_leading_not and parts[0] == "NOT"):
        parts.pop(0)
    while parts and parts[-1] in OPERATORS:
        parts.pop()
    cleaned: list[str] = []
    for part in parts:  # two operators in a row: keep the first (AND NOT is NOT)
        if part == "NOT" and cleaned[-1:] == ["AND"]:
            cleaned[-1] = part
        elif not (part in OPERATORS and cleaned and cleaned[-1] in OPERATORS):
            cleaned.append(part)
    return cleaned


def _phrase(words: str, prefix: bool) -> str:
    return '"' + words.replace('"', '""') + '"' + ("*" if prefix else "")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One place a query matched. `kind` is "text", "entity" or "relation"; `start`/`end`
    (code points) say where to open the document, None for a text hit (found on open)."""

    doc_id: int
    kind: str
    summary: str  # what matched; a snippet with MARK_START/MARK_END around matches
    start: int | None = None
    end: int | None = None
    label: str = ""
    count: int = 1
    row_id: int | None = None


@dataclass(frozen=True, slots=True)
class DocumentResult:
    doc_id: int
    title: str
    status: str
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    fts: str
    documents: tuple[DocumentResult, ...] = ()
    truncated: bool = False  # more documents matched than `limit`

    @property
    def hit_count(self) -> int:
        return sum(len(d.hits) for d in self.documents)


MARK_START, MARK_END = store_search.MARK_START, store_search.MARK_END


def search(session: Session, query: str, limit: int = DEFAULT_LIMIT) -> SearchResults:
    """Documents matching `query` in their text, entities or relations, best first:
    documents ranked by their text match, then those matched only by annotations."""
    fts, left_out = split_query(query)
    if not fts:
        return SearchResults(query, fts)
    store = session.store
    try:
        texts = store_search.search_documents(store, fts, limit + 1, left_out=left_out)
        entities = store_search.search_entities(store, fts, limit * 20, left_out=left_out)
        relations = store_search.search_relations(store, fts, limit * 20, left_out=left_out)
    except store_search.SearchQueryError as exc:
        raise SearchError(f"cannot search for {_shown(query)}: the query is malformed") from exc
    order = [row["id"] for row in texts[:limit]]
    by_text = set(order)
    others = sorted(({r["doc_id"] for r in entities} | {r["doc_id"] for r in relations})
                    - by_text)
    truncated = len(texts) > limit or len(order) + len(others) > limit
    order = (order + others)[:limit]
    hits: dict[int, list[SearchHit]] = {d: [] for d in order}
    titles = {r["id"]: (r["title"], r["status"]) for r in texts[:limit]}
    for row in texts[:limit]:
        hits[row["id"]].append(SearchHit(row["id"], "text", row["snippet"] or row["title"]))
    for row in entities:
        if row["doc_id"] in hits:
            hits[row["doc_id"]].append(_entity_hit(row))
    for row in relations:
        if row["doc_id"] in hits:
            hits[row["doc_id"]].append(_relation_hit(row))
    missing = [d for d in order if d not in titles]
    if missing:
        titles.update(store_search.document_titles(store, missing))
    documents = tuple(DocumentResult(d, *titles[d], tuple(hits[d])) for d in order if d in titles)
    return SearchResults(query, fts, documents, truncated)


def _entity_hit(row: Any) -> SearchHit:
    times = f" ×{row['mentions']}" if row["mentions"] > 1 else ""
    return SearchHit(row["doc_id"], "entity", f"{row['text']}{times}", row["start"], row["end"],
                     row["label"], row["mentions"], row["id"])


def _relation_hit(row: Any) -> SearchHit:
    arrow = " → " if row["directed"] else " — "
    summary = f"{row['head_text']}{arrow}{row['tail_text']}"
    if row["note"]:
        summary += f" · {row['note']}"
    start, end = row["evidence_start"], row["evidence_end"]
    if start is None:
        start, end = row["head_start"], row["head_end"]
    return SearchHit(row["doc_id"], "relation", summary, start, end, row["label"], 1, row["id"])


def first_match(session: Session, doc_id: int, query: str) -> tuple[int, int] | None:
    """Where (code points) the query first matches the document's text, or None."""
    fts = fts_query(query)
    with contextlib.suppress(SearchError):
        fts = split_query(query)[0]  # what a document is left out by is not in its text
    if not fts:
        return None
    try:
        marked = store_search.highlighted_text(session.store, doc_id, fts)
    except store_search.SearchQueryError:
        return None
    if marked is None:
        return None
    text = session.document(doc_id).text
    if MARK_START in text or MARK_END in text:
        return None  # the marks cannot be told from the text's own characters
    start = marked.index(MARK_START)
    end = marked.index(MARK_END, start) - 1
    return start, end


def match_ranges(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet without its marks, and the (start, end) ranges they enclosed."""
    plain, ranges, start = [], [], None
    length = 0
    for ch in snippet:
        if ch == MARK_START:
            start = length
        elif ch == MARK_END:
            if start is not None:
                ranges.append((start, length))
            start = None
        else:
            plain.append(ch)
            length += 1
    return "".join(plain), ranges


# --- document filters ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentFilter:
    """What the document list can be narrowed by (besides title and status)."""

    entity: str = ""  # an entity's text; its SAME_AS group counts too
    entity_label: str | None = None
    relation_label: str | None = None
    annotator: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.entity.strip() or self.entity_label or self.relation_label
                    or self.annotator)


@dataclass(frozen=True, slots=True)
class FilterChoices:
    entity_labels: tuple[str, ...] = ()
    relation_labels: tuple[str, ...] = ()
    annotators: tuple[str, ...] = ()


def filter_choices(session: Session) -> FilterChoices:
    schema = session.schema
    return FilterChoices(schema.entity_names, schema.relation_names,
                         tuple(store_search.annotators(session.store)))


def matching_documents(session: Session, flt: DocumentFilter) -> set[int] | None:
    """The ids of the documents that pass every part of the filter; None when no part
    is set (every document passes)."""
    if not flt.active:
        return None
    sets: list[set[int]] = []
    if flt.entity_label or flt.relation_label or flt.annotator:  # one query answers them
        sets.append(store_search.documents_matching(
            session.store, entity_label=flt.entity_label, relation_label=flt.relation_label,
            annotator=flt.annotator))
    if flt.entity.strip() and (not sets or sets[0]):
        sets.append(documents_with_entity(session, flt.entity))
    return set.intersection(*sets)


def documents_with_entity(session: Session, text: str) -> set[int]:
    """Documents mentioning an entity with this text, or a member of its SAME_AS group
    (an actor of the corpus graph, e.g. Moscow joined to Russia): see
    `annotate.entity_filter`."""
    from annotate.entity_filter import documents_with_entity as found

    return found(session, text)


# --- the command line --------------------------------------------------------------------------


def print_lines(results: SearchResults, *, as_json: bool = False) -> list[str]:
    """`main.py search` output: one block per document (or one JSON object per line);
    matches are shown in [brackets]."""
    import json

    lines: list[str] = []
    for doc in results.documents:
        hits = [_hit_dict(h) for h in doc.hits]
        if as_json:
            lines.append(json.dumps({"id": doc.doc_id, "title": doc.title, "status": doc.status,
                                     "hits": hits}, ensure_ascii=False))
            continue
        lines.append(f"{doc.doc_id}\t{doc.title}  [{doc.status}]")
        for hit in hits:
            where = hit["kind"] + (f" {hit['label']}" if hit["label"] else "")
            lines.append(f"    {where}: {hit['text']}")
    if not as_json:
        more = " (more not shown: raise --limit)" if results.truncated else ""
        lines.append(f"{len(results.documents)} document{'s' * (len(results.documents) != 1)}"
                     f" found{more}")
    return lines


def _hit_dict(hit: SearchHit) -> dict:
    plain, ranges = match_ranges(hit.summary.replace("\n", " "))
    shown = plain
    for start, end in reversed(ranges):
        shown = shown[:start] + "[" + shown[start:end] + "]" + shown[end:]
    return {"kind": hit.kind, "label": hit.label, "text": shown, "start": hit.start,
            "end": hit.end, "count": hit.count}
