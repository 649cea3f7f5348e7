"""The document list's entity filter, answered by indexed queries instead of building
the corpus graph (seconds for 100,000 documents).

A document passes when it has a (not rejected) entity whose text matches what was typed
(the entities' full-text index), or an entity of the same actor as the corpus graph
builds them (`annotate.corpus_graph`: accepted entities merged by label and normalised
text, then joined by accepted SAME_AS relations). Only the names that such relations
join are read for that (through the relations' label index), then the documents of the
joined names (the full-text index again). Like `CorpusGraph.find`, the actors chosen
are those with a name equal to the text (normalised), else those whose name contains it.
"""
from __future__ import annotations

from collections.abc import Iterable

from annotate.corpus_graph import Key, normalise
from annotate.search import fts_query
from annotate.session import Session
from storage import search as store_search
from storage.store import Store

OR_CHUNK = 50  # names per full-text query when reading the documents of a group


def documents_with_entity(session: Session, text: str) -> set[int]:
    """Documents mentioning an entity with this text, or a member of its SAME_AS group."""
    wanted = normalise(text)
    if not wanted:
        return set()
    store, fts = session.store, fts_query(text)
    found = _fts_documents(store, fts)
    actors = _joined_actors(store, session)
    exact = [a for a in actors if any(name == wanted for _, name in a)]
    if exact:
        chosen = exact
    elif not found:  # no entity has the text as a word: names that contain it
        named = {(label, normalise(t)) for label, t in store_search.accepted_entity_texts(store)}
        seeds = {k for k in named if k[1] == wanted} or {k for k in named if wanted in k[1]}
        found |= _documents_of(store, seeds)
        chosen = [a for a in actors if a & seeds]
    elif actors and not _named_exactly(store, fts, wanted):
        chosen = [a for a in actors if any(wanted in name for _, name in a)]
    else:
        chosen = []  # the actor named so is joined to no other name
    members: set[Key] = set().union(*chosen) if chosen else set()
    return found | _documents_of(store, members)


def _fts_documents(store: Store, fts: str) -> set[int]:
    if not fts:
        return set()
    try:
        return store_search.documents_with_entity_text(store, fts)
    except store_search.SearchQueryError:
        return set()


def _joined_actors(store: Store, session: Session) -> list[set[Key]]:
    """The actors that accepted SAME_AS relations make of two names or more."""
    labels = [r.name for r in session.schema.relation_labels if r.kind == "symmetric_transitive"]
    parent: dict[Key, Key] = {}

    def root(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for h_label, h_text, t_label, t_text in store_search.joined_entity_texts(store, labels):
        parent[root((h_label, normalise(h_text)))] = root((t_label, normalise(t_text)))
    groups: dict[Key, set[Key]] = {}
    for key in list(parent):
        groups.setdefault(root(key), set()).add(key)
    return [g for g in groups.values() if len(g) > 1]


def _named_exactly(store: Store, fts: str, wanted: str) -> bool:
    """Whether an accepted entity's text is `wanted` (normalised)."""
    try:
        rows = store_search.accepted_entities_matching(store, fts, documents=False)
    except store_search.SearchQueryError:
        return False
    return any(normalise(t) == wanted for _, t in rows)


def _documents_of(store: Store, keys: Iterable[Key]) -> set[int]:
    """Documents with an accepted entity of one of these (label, normalised text) keys."""
    keys = set(keys)
    if not keys:
        return set()
    rows: list[tuple] = []
    queries = sorted({q for _, name in keys if (q := fts_query(name))})
    for at in range(0, len(queries), OR_CHUNK):
        match = " OR ".join(f"({q})" for q in queries[at:at + OR_CHUNK])
        try:
            rows += store_search.accepted_entities_matching(store, match)
        except store_search.SearchQueryError:
            pass
    wordless = [name for _, name in keys if not fts_query(name)]
    if wordless:  # names the full-text index holds no word of, as they were written
        rows += store_search.accepted_entities_named(store, wordless)
    return {doc for label, t, doc in rows if (label, normalise(t)) in keys}
