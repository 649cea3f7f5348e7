"""One brat standoff document (.txt + .ann) -> `DocumentRecord` plus notes.

What maps onto Arcmark: `T` entities (a discontinuous span becomes its whole extent, noted
unless the gaps are only line breaks, which is how brat splits a span across lines),
`R` relations (Arg1 = head, Arg2 = tail), `*` sets (a symmetric-transitive relation between
consecutive members; a member named twice counts once, a set of fewer than two members is
skipped and its line noted), `A Status X value` and `A Confidence R value` with Arcmark's
values, `#` AnnotatorNotes on relations. `E` events: the trigger `T` is an entity of the
event type and each role a relation from the trigger to its argument (the argument's
trigger when it is an event), labelled with the role without its number (`Org-Arg2` ->
`Org-Arg`). Kept in the document's meta under "brat" so an export writes them back (see
`_brat_events`): the events, other attributes and notes of any type on entities, relations
and events, and `N` normalizations (knowledge-base references on entities), each keyed by
the annotation's offsets and label. An id used twice refuses the file, as brat does.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from annotate.model import (
    CONFIDENCES,
    ENTITY_STATUSES,
    RELATION_STATUSES,
    DocumentRecord,
    EntityRecord,
    RelationRecord,
)
from annotate.schema import Schema

from ._common import RecordError, check_entity_label, check_relation_label, relation_kind

NOTE = "AnnotatorNotes"  # brat's own note type; a relation's note in Arcmark


def event_role(role: str) -> str:
    """The relation label of an event role: without brat's number (`Org-Arg2` -> `Org-Arg`)."""
    return role.rstrip("0123456789") or role


class LineError(RecordError):
    def __init__(self, number: int, message: str) -> None:
        super().__init__(f"{number}: {message}")


@dataclass
class _Ann:
    """The parsed lines of one .ann file, by kind."""

    text_bounds: dict[str, tuple[int, str, list[tuple[int, int]], str]] = field(
        default_factory=dict)
    relations: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    equivs: list[tuple[int, str, list[str]]] = field(default_factory=list)
    # E id -> (line, event type, trigger T id, [(role, argument id)])
    events: dict[str, tuple[int, str, str, list[tuple[str, str]]]] = field(default_factory=dict)
    attributes: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    notes: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, type, target
    # line, type, target, reference, text
    normalizations: list[tuple[int, str, str, str, str]] = field(default_factory=list)


def _split(number: int, line: str) -> tuple[str, str, str]:
    parts = line.split("\t")
    if len(parts) < 2:
        raise LineError(number, "not a brat annotation line (no tab)")
    return parts[0], parts[1], "\t".join(parts[2:])


def _fragments(number: int, spec: str) -> list[tuple[int, int]]:
    try:
        pairs = [tuple(int(x) for x in part.split()) for part in spec.split(";")]
    except ValueError:
        raise LineError(number, f"offsets {spec!r} are not numbers") from None
    if any(len(p) != 2 for p in pairs):
        raise LineError(number, f"offsets {spec!r} are not start-end pairs")
    return pairs  # type: ignore[return-value]


def parse_ann(ann: str) -> _Ann:
    parsed = _Ann()
    seen: dict[str, int] = {}  # id -> its line: brat refuses a document with an id twice
    for number, line in enumerate(ann.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        try:
            ident, body, rest = _split(number, line)
            if ident != "*":  # equivalence lines have no id
                if ident in seen:
                    raise LineError(number, f"duplicate id {ident[:40]!r} "
                                            f"(first on line {seen[ident]})")
                seen[ident] = number
            _parse_line(parsed, number, ident, body, rest)
        except LineError:
            raise
        except (ValueError, IndexError):
            raise LineError(number, f"malformed annotation line {line[:60]!r}") from None
    return parsed


def _parse_line(parsed: _Ann, number: int, ident: str, body: str, rest: str) -> None:
    kind = ident[:1]
    if kind == "T":
        label, _, spec = body.partition(" ")
        parsed.text_bounds[ident] = (number, label, _fragments(number, spec), rest)
    elif kind == "R":
        label, *args = body.split()
        roles = dict(a.split(":", 1) for a in args if ":" in a)
        if "Arg1" not in roles or "Arg2" not in roles:
            raise LineError(number, "relation without Arg1 and Arg2")
        parsed.relations.append((number, ident, label, roles["Arg1"], roles["Arg2"]))
    elif kind == "*":
        label, *members = body.split()
        parsed.equivs.append((number, label, members))
    elif kind == "E":
        head, *args = body.split()
        event_type, _, trigger = head.partition(":")
        if not trigger or any(":" not in a for a in args):
            raise LineError(number, "event without TYPE:TRIGGER and ROLE:ID arguments")
        parsed.events[ident] = (number, event_type, trigger,
                                [tuple(a.split(":", 1)) for a in args])  # type: ignore[misc]
    elif kind in ("A", "M"):
        name, target, *value = body.split()
        parsed.attributes.append((number, name, target, value[0] if value else None))
    elif kind == "#":
        note_type, *targets = body.split()
        parsed.notes.append((number, note_type, targets[-1], rest))
    elif kind == "N":
        norm_type, target, reference = body.split()
        parsed.normalizations.append((number, norm_type, target, reference, rest))
    else:
        raise LineError(number, f"unknown annotation kind {ident!r}")


class _Builder:
    """Turns parsed lines into records, checking them against the text and the schemas."""

    def __init__(self, text: str, schema: Schema, declared: Schema | None,
                 event_types: set[str]) -> None:
        self.text, self.schema, self.declared = text, schema, declared
        self.event_types = event_types
        self.counts: Counter[str] = Counter()
        self.entities: dict[str, dict[str, Any]] = {}
        self.relations: dict[str, dict[str, Any]] = {}
        self.brat_meta: dict[str, list[dict[str, Any]]] = {}
        self.trigger_of: dict[str, str] = {}
        self.degenerate: list[int] = []  # lines of `*` sets with fewer than two members

    def build(self, parsed: _Ann) -> tuple[tuple[EntityRecord, ...], tuple[RelationRecord, ...]]:
        for ident, (number, label, fragments, covered) in parsed.text_bounds.items():
            self._entity(ident, number, label, fragments, covered)
        # an event stands for its trigger wherever it is an argument or a target
        self.trigger_of = {e: trigger for e, (_, _, trigger, _) in parsed.events.items()}
        for ident, (number, event_type, trigger, args) in parsed.events.items():
            self._event(ident, number, event_type, trigger, args)
        for number, ident, label, head, tail in parsed.relations:
            self._relation(number, ident, label, head, tail)
        for number, label, members in parsed.equivs:
            self._equiv(number, label, members)
        for number, name, target, value in parsed.attributes:
            self._attribute(number, name, target, value)
        for number, note_type, target, note in parsed.notes:
            self._note(number, note_type, target, note)
        for number, norm_type, target, reference, text in parsed.normalizations:
            if target not in self.entities:
                raise LineError(number, f"normalization refers to a missing span {target[:40]!r}")
            self._keep("normalizations", {**_key(self.entities[target]), "type": norm_type,
                                          "reference": reference, "text": text})
        return self._records()

    def _event(self, ident: str, number: int, event_type: str, trigger: str,
               args: list[tuple[str, str]]) -> None:
        if trigger not in self.entities:
            raise LineError(number, f"event trigger {trigger[:40]!r} is not a span")
        kept = []
        for i, (role, target) in enumerate(args):
            argument = self.trigger_of.get(target, target)
            if argument not in self.entities:
                raise LineError(number, f"event argument {target[:40]!r} is missing")
            label = event_role(role)
            self._relation(number, f"{ident}.{i}", label, trigger, argument, role=True)
            kept.append([role, _triple(self.entities[argument]), target in self.trigger_of])
        self._keep("events", {"type": event_type, "trigger": _triple(self.entities[trigger]),
                              "args": kept})

    def _equiv(self, number: int, label: str, members: list[str]) -> None:
        distinct = list(dict.fromkeys(self.trigger_of.get(m, m) for m in members))
        if len(distinct) < 2:
            self.counts["degenerate set"] += 1
            self.degenerate.append(number)
            return
        for i, (head, tail) in enumerate(zip(distinct, distinct[1:])):
            self._relation(number, f"*{number}.{i}", label, head, tail, equiv=True)

    def _entity(self, ident: str, number: int, label: str, fragments: list[tuple[int, int]],
                covered: str) -> None:
        try:
            check_entity_label(label, self.schema, self.declared)
        except RecordError as exc:
            raise LineError(number, str(exc)) from None
        start, end = min(s for s, _ in fragments), max(e for _, e in fragments)
        if not 0 <= start < end or any(s > e for s, e in fragments):
            raise LineError(number, f"offsets {start}-{end} do not make a span")
        if end > len(self.text):
            raise LineError(number, f"offsets {start}-{end} beyond the text "
                                    f"(length {len(self.text)})")
        pieces = " ".join(self.text[s:e] for s, e in sorted(fragments))
        if covered and _flat(covered) != _flat(pieces):
            raise LineError(number, f"text {covered!r} does not match the text at those "
                                    f"offsets ({pieces!r})")
        gaps = [self.text[a:b] for (_, a), (b, _) in zip(sorted(fragments), sorted(fragments)[1:])]
        if any(gap.strip() or "\n" not in gap for gap in gaps):
            self.counts["discontinuous"] += 1
        self.entities[ident] = {"start": start, "end": end, "label": label, "status": "accepted"}

    def _relation(self, number: int, ident: str, label: str, head: str, tail: str,
                  equiv: bool = False, role: bool = False) -> None:
        head, tail = self.trigger_of.get(head, head), self.trigger_of.get(tail, tail)
        if head not in self.entities or tail not in self.entities:
            raise LineError(number, "relation refers to a missing span")
        if head == tail:
            raise LineError(number, f"relation links {head[:40]!r} to itself")
        try:
            check_relation_label(label, self.schema, self.declared)
        except RecordError as exc:
            raise LineError(number, str(exc)) from None
        directed = role or (not equiv and
                            relation_kind(label, self.schema, self.declared) == "directed")
        self.relations[ident] = {"head": head, "tail": tail, "label": label, "directed": directed,
                                 "status": "accepted", "confidence": None, "notes": []}

    def _target(self, number: int, target: str, what: str) -> dict[str, Any]:
        if target in self.trigger_of:
            return {"event": self.entities[self.trigger_of[target]]}
        if target in self.entities:
            return self.entities[target]
        relation = self.relations.get(target) if target[:1] == "R" else None
        if relation is None:
            raise LineError(number, f"{what} refers to a missing annotation {target[:40]!r}")
        return relation

    def _attribute(self, number: int, name: str, target: str, value: str | None) -> None:
        found = self._target(number, target, "attribute")
        if "event" in found:
            self._keep("event_attributes", {**_key(found["event"]), "name": name, "value": value})
            return
        is_entity = "start" in found
        if name == "Status" and value in (ENTITY_STATUSES if is_entity else RELATION_STATUSES):
            found["status"] = value
        elif name == "Confidence" and not is_entity and value in CONFIDENCES:
            found["confidence"] = value
        elif is_entity:
            self._keep("entity_attributes", {**_key(found), "name": name, "value": value})
        else:
            self._keep("relation_attributes", {**self._relation_key(found), "name": name,
                                               "value": value})

    def _note(self, number: int, note_type: str, target: str, note: str) -> None:
        found = self._target(number, target, "note")
        if "event" in found:
            self._keep("event_notes", {**_key(found["event"]), "type": note_type, "note": note})
        elif "start" in found:
            self._keep("entity_notes", {**_key(found), "type": note_type, "note": note})
        elif note_type == NOTE:
            found["notes"].append(note)
        else:
            self._keep("relation_notes", {**self._relation_key(found), "type": note_type,
                                          "note": note})

    def _keep(self, kind: str, item: dict[str, Any]) -> None:
        self.brat_meta.setdefault(kind, []).append(item)

    def _relation_key(self, relation: dict[str, Any]) -> dict[str, Any]:
        head, tail = self.entities[relation["head"]], self.entities[relation["tail"]]
        return {"head": _triple(head), "tail": _triple(tail), "label": relation["label"]}

    def _records(self) -> tuple[tuple[EntityRecord, ...], tuple[RelationRecord, ...]]:
        order = {ident: i for i, ident in enumerate(self.entities)}
        entities = tuple(EntityRecord(e["start"], e["end"], e["label"], status=e["status"])
                         for e in self.entities.values())
        relations = tuple(
            RelationRecord(order[r["head"]], order[r["tail"]], r["label"], r["directed"],
                           r["confidence"], "; ".join(r["notes"]), status=r["status"])
            for r in self.relations.values())
        return entities, relations


def _key(entity: dict[str, Any]) -> dict[str, Any]:
    return {"start": entity["start"], "end": entity["end"], "label": entity["label"]}


def _triple(entity: dict[str, Any]) -> list[Any]:
    return [entity["start"], entity["end"], entity["label"]]


def _flat(text: str) -> str:
    return " ".join(text.split())


def build_record(text: str, ann: str, schema: Schema, declared: Schema | None,
                 event_types: set[str], title: str, source: str, meta: dict[str, Any]
                 ) -> tuple[DocumentRecord, Counter[str], list[int]]:
    """The document with its annotations, the counts of what was changed on the way and
    the lines of the `*` sets skipped (LineError for a bad line)."""
    parsed = parse_ann(ann)
    builder = _Builder(text, schema, declared, event_types)
    entities, relations = builder.build(parsed)
    if builder.brat_meta:
        meta = {**meta, "brat": builder.brat_meta}
    record = DocumentRecord(text=text, title=title, source=source, meta=meta,
                            entities=entities, relations=relations)
    return record, builder.counts, builder.degenerate

