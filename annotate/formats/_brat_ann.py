"""One brat standoff document (.txt + .ann) -> `DocumentRecord` plus notes.

What maps onto Arcmark: `T` entities (a discontinuous span becomes its whole extent, noted
unless the gaps are only line breaks, which is how brat splits a span across lines),
`R` relations (Arg1 = head, Arg2 = tail), `*` sets (a symmetric-transitive relation between
consecutive members), `A Status X value` and `A Confidence R value` with Arcmark's values,
`#` notes on relations. Kept in the document's meta under "brat" so an export writes them
back: other attributes (`entity_attributes`, `relation_attributes`) and notes on entities
(`entity_notes`), each keyed by the annotation's offsets and label.
Not representable, counted in the batch's notes: `E` events with their trigger `T` spans
and the attributes and notes on them, `N` normalizations, relations that involve events.
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
    events: dict[str, str] = field(default_factory=dict)  # E id -> trigger T id
    attributes: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    normalizations: int = 0


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
        trigger = body.split()[0].partition(":")[2]
        parsed.events[ident] = trigger
    elif kind in ("A", "M"):
        name, target, *value = body.split()
        parsed.attributes.append((number, name, target, value[0] if value else None))
    elif kind == "#":
        parsed.notes.append((number, body.split()[-1], rest))
    elif kind == "N":
        parsed.normalizations += 1
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

    def build(self, parsed: _Ann) -> tuple[tuple[EntityRecord, ...], tuple[RelationRecord, ...]]:
        triggers = set(parsed.events.values())
        entity_names = self.schema.entity_names + (
            self.declared.entity_names if self.declared else ())
        for ident, (number, label, fragments, covered) in parsed.text_bounds.items():
            if ident in triggers or (label in self.event_types and label not in entity_names):
                self.counts["trigger"] += 1
                continue
            self._entity(ident, number, label, fragments, covered)
        events = set(parsed.events) | triggers | {i for i, (_, label, _, _) in
                                                 parsed.text_bounds.items()
                                                 if i not in self.entities}
        self.counts["event"] += len(parsed.events)
        self.counts["normalization"] += parsed.normalizations
        for number, ident, label, head, tail in parsed.relations:
            self._relation(number, ident, label, head, tail, events)
        for number, label, members in parsed.equivs:
            for i, (head, tail) in enumerate(zip(members, members[1:])):
                self._relation(number, f"*{number}.{i}", label, head, tail, events, equiv=True)
        for number, name, target, value in parsed.attributes:
            self._attribute(number, name, target, value, events)
        for number, target, note in parsed.notes:
            self._note(number, target, note, events)
        return self._records()

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
                  events: set[str], equiv: bool = False) -> None:
        if head in events or tail in events:
            self.counts["event relation"] += 1
            return
        if head not in self.entities or tail not in self.entities:
            raise LineError(number, "relation refers to a missing span")
        try:
            check_relation_label(label, self.schema, self.declared)
        except RecordError as exc:
            raise LineError(number, str(exc)) from None
        directed = not equiv and relation_kind(label, self.schema, self.declared) == "directed"
        self.relations[ident] = {"head": head, "tail": tail, "label": label, "directed": directed,
                               "status": "accepted", "confidence": None, "notes": []}

    def _target(self, number: int, target: str, events: set[str], what: str
                ) -> dict[str, Any] | None:
        if target in events:
            self.counts[f"event {what}"] += 1
            return None
        if target in self.entities:
            return self.entities[target]
        relation = self.relations.get(target) if target[:1] == "R" else None
        if relation is None:
            raise LineError(number, f"{what} refers to a missing annotation {target!r}")
        return relation

    def _attribute(self, number: int, name: str, target: str, value: str | None,
                   events: set[str]) -> None:
        found = self._target(number, target, events, "attribute")
        if found is None:
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

    def _note(self, number: int, target: str, note: str, events: set[str]) -> None:
        found = self._target(number, target, events, "note")
        if found is None:
            return
        if "start" in found:
            self._keep("entity_notes", {**_key(found), "note": note})
        else:
            found["notes"].append(note)

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
                 ) -> tuple[DocumentRecord, Counter[str]]:
    """The document with its annotations and the counts of what was left out (LineError)."""
    parsed = parse_ann(ann)
    builder = _Builder(text, schema, declared, event_types)
    entities, relations = builder.build(parsed)
    if builder.brat_meta:
        meta = {**meta, "brat": builder.brat_meta}
    record = DocumentRecord(text=text, title=title, source=source, meta=meta,
                            entities=entities, relations=relations)
    return record, builder.counts

