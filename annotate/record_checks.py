"""What an imported record must be before it is stored, whichever file it came from.

The policy for control characters (applied to every file imported, `not_text`): a
document's text, title and source, and the labels,
notes and names of its annotations, hold no C0 control character other than tab, line
feed, carriage return, vertical tab, form feed and escape, and no U+FFFE/U+FFFF. Those
are not text (a file holding them is binary, or damaged), several interchange formats
cannot carry them (XML 1.0 has no way to write NUL or U+0001, escaped or not), and
U+0002/U+0003 are the search highlighter's own marks. The characters allowed (VT, FF,
ESC) are written by every export; the XML one (GraphML) writes each as U+FFFD and says
how many in its notes.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from operator import attrgetter
from typing import Any

from annotate.model import AnnotatedDocument, DocumentRecord, Relation

NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffe\uffff]")
MAX_SHOWN = 60  # characters of a value echoed in a message

_entity_strings = attrgetter("label", "origin", "status", "annotator", "created_at", "updated_at")
_relation_strings = attrgetter("label", "confidence", "note", "origin", "status", "annotator",
                               "created_at", "updated_at")


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """`repr(value)` cut to about `limit` characters: a message stays one readable line
    whatever a file holds (a 5,000-digit offset, a megabyte-long label)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print (Python refuses over 4,300 digits)
        return "a number too long to show"
    return cut(text, limit)


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """`text` cut to `limit` characters, the cut marked with "…"."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def problem(rec: DocumentRecord) -> str | None:
    """Why the record cannot be stored as it is, or None."""
    return _lone_surrogate(rec) or _field_types(rec) or _evidence(rec) or _not_json(rec.meta)


def _lone_surrogate(rec: DocumentRecord) -> str | None:
    """A lone surrogate (e.g. from a JSON "\\ud800" escape) cannot be stored as UTF-8."""
    try:
        rec.text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"the text has an invalid character (lone surrogate U+{ord(rec.text[exc.start]):04X}"
                f" at offset {exc.start})")
    try:
        # the string fields only: `asdict` deep-copies every entity and relation
        rest = [rec.title, rec.source, rec.meta, [_entity_strings(e) for e in rec.entities],
                [_relation_strings(r) for r in rec.relations]]
        json.dumps(rest, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return "a title, label, note or meta field has an invalid character (a lone surrogate)"
    return None


def not_text(rec: DocumentRecord) -> str | None:
    """The control character that keeps a record read from a file out of the store, or None."""
    found = NOT_TEXT.search(rec.text)
    if found:
        return (f"the text holds the control character U+{ord(found.group()):04X} at offset "
                f"{found.start()} (not text)")
    fields = [("title", rec.title), ("source", rec.source)]
    fields += [("an entity's fields", s) for e in rec.entities for s in _entity_strings(e)]
    fields += [("a relation's fields", s) for r in rec.relations for s in _relation_strings(r)]
    for what, value in fields:
        if isinstance(value, str) and NOT_TEXT.search(value):
            char = NOT_TEXT.search(value).group()  # type: ignore[union-attr]
            return f"{what} hold the control character U+{ord(char):04X} (not text)"
    return None


def _field_types(rec: DocumentRecord) -> str | None:
    """Names, times and notes are strings (a file may give an object or a number)."""
    optional = ("annotator", "created_at", "updated_at")
    for kind, items in (("entity", rec.entities), ("relation", rec.relations)):
        for item in items:
            if not isinstance(item.origin, str) or not item.origin:
                return f"{kind} origin {shown(item.origin)} is not a name"
            for name in optional:
                value = getattr(item, name)
                if value is not None and not isinstance(value, str):
                    return f"{kind} {name} {shown(value)} is not text"
    for r in rec.relations:
        if not isinstance(r.note, str):
            return f"relation note {shown(r.note)} is not text"
    if rec.source is not None and not isinstance(rec.source, str):
        return f"source {shown(rec.source)} is not text"
    if not isinstance(rec.title, str):
        return f"title {shown(rec.title)} is not text"
    return None


def _evidence(rec: DocumentRecord) -> str | None:
    """A relation's evidence is a span of the text, or absent (both ends None)."""
    length = len(rec.text)
    for r in rec.relations:
        start, end = r.evidence_start, r.evidence_end
        if start is None and end is None:
            continue
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
        if not ints or not 0 <= start < end <= length:  # type: ignore[operator]
            return (f"relation evidence {shown(start, 24)}-{shown(end, 24)} is not a span of "
                    f"the text (length {length})")
    return None


def _not_json(meta: Any) -> str | None:
    """Meta is stored and exported as JSON, which has no NaN or Infinity (RFC 8259)."""
    stack = [meta]
    while stack:
        value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return f"meta holds {value!r}, which JSON cannot carry"
        if isinstance(value, dict):
            stack += value.values()
        elif isinstance(value, (list, tuple)):
            stack += value
    return None


# --- what a store holds: another program may have written anything ---------------------------


def stored_problem(ad: AnnotatedDocument) -> str | None:
    """Why a document read from the store cannot be used as Arcmark wrote it (a value of
    the wrong kind, an offset outside its text, a relation to a missing entity), or None."""
    doc = ad.document
    if not all(isinstance(v, str) for v in (doc.title, doc.text, doc.status)) \
            or not _optional_texts(doc.source, doc.created_at, doc.updated_at):
        return "its title, text, source, status or a time is not text"
    length = len(doc.text)
    ids = set()
    for e in ad.entities:
        if type(e.start) is not int or type(e.end) is not int or not 0 <= e.start < e.end <= length:
            return f"entity {e.id} has offsets {shown(e.start, 24)}-{shown(e.end, 24)} outside its text"
        if not all(isinstance(v, str) for v in (e.label, e.origin, e.status)) \
                or not _optional_texts(e.annotator, e.created_at, e.updated_at):
            return f"entity {e.id} has a label, origin, status, annotator or time that is not text"
        ids.add(e.id)
    for r in ad.relations:
        if r.head_id not in ids or r.tail_id not in ids:
            return f"relation {r.id} refers to an entity that is not in its document"
        if not (isinstance(r.label, str) and isinstance(r.note, str)) or not _optional_texts(
                r.origin, r.status, r.annotator, r.confidence, r.created_at, r.updated_at):
            return f"relation {r.id} has a label, note or other field that is not text"
    return None


def without_bad_evidence(ad: AnnotatedDocument) -> AnnotatedDocument:
    """The document with each relation's evidence that is not a span of its text dropped
    (stores written before evidence was checked on import may hold such; the relation
    itself is sound)."""
    length = len(ad.document.text) if isinstance(ad.document.text, str) else 0

    def sound(r: Relation) -> bool:
        return (r.evidence_start, r.evidence_end) == (None, None) or (
            type(r.evidence_start) is int and type(r.evidence_end) is int
            and 0 <= r.evidence_start < r.evidence_end <= length)

    if all(sound(r) for r in ad.relations):
        return ad
    relations = tuple(r if sound(r) else replace(r, evidence_start=None, evidence_end=None)
                      for r in ad.relations)
    return replace(ad, relations=relations)


def _optional_texts(*values: object) -> bool:
    return all(v is None or isinstance(v, str) for v in values)
