"""Which annotation layer an imported file's annotations join, and the document's sources.

A layer is the `annotator` of human entities and relations. A file brings its
annotations in under the annotator it names (Prodigy's `_annotator_id`, doccano's user,
Label Studio's `completed_by`, INCEpTION's user), else under the importing user.

When a second file holds a text already stored, with annotations the document does not
have yet, those annotations are another analyst's (a double-annotated corpus): they go
into a layer of their own, named by the file's annotator or, when it names none, after
the file, instead of being merged into the first file's. Every file a document came from
is listed in its meta under "sources" (file name, annotator, time of import), so no
name is lost and exports can write them.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from annotate.model import HUMAN, DocumentRecord

SOURCES = "sources"


def layer_name(source: str) -> str:
    """The layer named after a file: its name without the folder."""
    return PurePath(source).name or source


def sources_of(meta: dict[str, Any]) -> list[dict[str, Any]]:
    found = meta.get(SOURCES)
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def with_source(meta: dict[str, Any], source: str, annotator: str | None, at: str
                ) -> dict[str, Any]:
    """`meta` with `source` listed in its sources (once)."""
    listed = sources_of(meta)
    if not source or any(s.get("source") == source and s.get("annotator") == annotator
                         for s in listed):
        return meta
    return {**meta, SOURCES: [*listed, {"source": source, "annotator": annotator,
                                       "imported_at": at}]}


def named_annotators(record: DocumentRecord) -> list[str]:
    names = (a.annotator for a in (*record.entities, *record.relations))
    return list(dict.fromkeys(n for n in names if n))


def new_layer(record: DocumentRecord, stored: Sequence[dict[str, Any]],
              meta: dict[str, Any], source: str) -> str | None:
    """The layer a record merged into a stored document starts, or None to merge as before.

    None when the file was imported into this document before, when the record brings no
    human entity, or when each of its entities is already stored (e.g. the re-import of
    an export). Otherwise the file's own annotator, or a name derived from the file."""
    if not source or any(s.get("source") == source for s in sources_of(meta)):
        return None
    mine = {(e.start, e.end, e.label) for e in record.entities if e.origin == HUMAN}
    if not mine:
        return None
    named = named_annotators(record)
    if not named and mine <= {(r["start"], r["end"], r["label"]) for r in stored}:
        return None
    return named[0] if len(named) == 1 else layer_name(source)


def in_layer(record: DocumentRecord, layer: str) -> DocumentRecord:
    """The record with its human annotations that name no annotator credited to `layer`."""
    return replace(
        record,
        entities=tuple(replace(e, annotator=layer) if e.origin == HUMAN and not e.annotator
                       else e for e in record.entities),
        relations=tuple(replace(r, annotator=layer) if r.origin == HUMAN and not r.annotator
                        else r for r in record.relations))


def layer_keys(rows: Iterable[dict[str, Any]], layer: str | None
               ) -> dict[tuple[int, int, str], int]:
    """The stored entities an imported one is the same as: every one without a layer, only
    the layer's own with one (another analyst's identical span stays theirs)."""
    return {(r["start"], r["end"], r["label"]): r["id"] for r in rows
            if layer is None or r.get("annotator") == layer}
