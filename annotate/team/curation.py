"""Curation: settling the annotators' versions of a document into its curated layer.

The annotators' entities are grouped by span and their relations by head and tail span
(a *unit*); each unit is *agreed* (every annotator has it, with the same labels), *only
some* (the annotators who have it agree, others do not have it) or *conflicting label*.
The curator takes, for a unit, the versions of some annotators (take A, take B, take
both) or none: the unit's labels in the curated layer become the labels those versions
have. Each take is one undoable command (`Session.perform`); the curated rows are the
annotator `curated`'s, and the history records who curated.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from annotate.commands import Command
from annotate.model import CURATED, AnnotatedDocument, Change, Entity, Relation, ValidationError
from annotate.rows import entity_row, relation_row
from annotate.session import Session
from annotate.team.layers import entity_layer, in_layer, layers_of
from storage.store import RowChange, now

AGREED, SOME, CONFLICT = "agreed", "only some", "conflicting label"
Span = tuple[int, int]


@dataclass(frozen=True)
class Unit:
    """An entity span (`tail` None) or a relation's head and tail spans, with each
    annotator's labels there and the curated labels."""

    head: Span
    tail: Span | None
    text: str
    versions: tuple[tuple[str, tuple[str, ...]], ...]  # (annotator, labels), annotators in order
    curated: tuple[str, ...]
    state: str

    @property
    def is_relation(self) -> bool:
        return self.tail is not None

    def labels_of(self, annotators: Iterable[str]) -> tuple[str, ...]:
        """The labels the versions of `annotators` have, in order, each once."""
        chosen = set(annotators)
        return tuple(dict.fromkeys(label for name, labels in self.versions if name in chosen
                                   for label in labels))

    @property
    def settled(self) -> bool:
        """Whether the curated labels are already those of some annotators' versions."""
        return bool(self.curated) and any(set(self.curated) == set(labels)
                                          for _, labels in self.versions)


def annotators_of(doc: AnnotatedDocument) -> list[str]:
    """The document's layers other than the curated one."""
    return [n for n in layers_of(doc.entities) if n != CURATED]


def units(doc: AnnotatedDocument, annotators: Sequence[str] | None = None) -> list[Unit]:
    """The document's entity units in text order, then its relation units."""
    names = list(annotators) if annotators is not None else annotators_of(doc)
    spans: dict[Span, dict[str, list[str]]] = {}
    pairs: dict[tuple[Span, Span], dict[str, list[str]]] = {}
    for name in [*names, CURATED]:
        entities, relations = in_layer(doc.entities, doc.relations, name)
        by_id = {e.id: e for e in entities}
        for e in entities:
            spans.setdefault((e.start, e.end), {}).setdefault(name, []).append(e.label)
        for r in relations:
            key = ((by_id[r.head_id].start, by_id[r.head_id].end),
                   (by_id[r.tail_id].start, by_id[r.tail_id].end))
            pairs.setdefault(key, {}).setdefault(name, []).append(r.label)
    text = doc.document.text
    out = [_unit(span, None, text[span[0]:span[1]], found, names)
           for span, found in sorted(spans.items()) if set(found) - {CURATED}]
    out += [_unit(h, t, f"{text[h[0]:h[1]]} → {text[t[0]:t[1]]}", found, names)
            for (h, t), found in sorted(pairs.items()) if set(found) - {CURATED}]
    return out


def _unit(head: Span, tail: Span | None, text: str, found: dict[str, list[str]],
          names: Sequence[str]) -> Unit:
    versions = tuple((n, tuple(sorted(found[n]))) for n in names if n in found)
    distinct = {labels for _, labels in versions}
    state = CONFLICT if len(distinct) > 1 else AGREED if len(versions) == len(names) else SOME
    return Unit(head, tail, " ".join(text.split()), versions,
                tuple(sorted(found.get(CURATED, ()))), state)


def take(session: Session, doc_id: int, unit: Unit, annotators: Collection[str]) -> Change:
    """Make the unit's curated labels those of `annotators`' versions (none: take
    neither); one undoable edit."""
    labels = unit.labels_of(annotators)
    who = " + ".join(annotators) if annotators else "neither"
    return session.perform(lambda: _Builder(session, doc_id).command(
        [(unit, labels, annotators)], f"Curate “{unit.text[:40]}”: take {who}"))


def take_agreed(session: Session, doc_id: int) -> Change:
    """Take every agreed unit not yet curated as agreed, in one undoable edit."""
    doc = session.annotated_all(doc_id)
    todo = [(u, u.labels_of(n for n, _ in u.versions), [n for n, _ in u.versions])
            for u in units(doc) if u.state == AGREED and set(u.curated) != set(u.versions[0][1])]
    if not todo:
        raise ValidationError("every agreed annotation is curated already")
    return session.perform(lambda: _Builder(session, doc_id).command(
        todo, f"Curate {len(todo)} agreed annotation{'s' * (len(todo) != 1)}"))


class _Builder:
    """The row changes that give units their curated labels, from the store's state now."""

    def __init__(self, session: Session, doc_id: int) -> None:
        self.session, self.doc_id = session, doc_id
        self.entities = session.all_entities(doc_id)
        self.relations = session.all_relations(doc_id)
        self.changes: list[RowChange] = []
        self.next = {t: session.store.next_id(t) for t in ("entities", "relations")}
        self.at = now()
        self.gone: set[int] = set()

    def command(self, todo: Sequence[tuple[Unit, Sequence[str], Collection[str]]],
                description: str) -> Command:
        for unit, labels, chosen in sorted(todo, key=lambda t: t[0].is_relation):
            if unit.is_relation:
                self._relation(unit, labels, chosen)
            else:
                self._entity(unit.head, labels)
        if not self.changes:
            raise ValidationError("the curated version is that already")
        return Command(description, tuple(self.changes))

    def _curated(self, span: Span) -> list[Entity]:
        return [e for e in self.entities if entity_layer(e) == CURATED and e.id not in self.gone
                and (e.start, e.end) == span]

    def _entity(self, span: Span, labels: Sequence[str]) -> None:
        for e in self._curated(span):
            if e.label not in labels:
                self._delete_entity(e)
        present = {e.label for e in self._curated(span)}
        for label in labels:
            if label not in present:
                self._add_entity(span, label)

    def _add_entity(self, span: Span, label: str) -> Entity:
        text = next(e.text for e in self.entities if (e.start, e.end) == span)
        entity = Entity(self.next["entities"], self.doc_id, span[0], span[1], label, text,
                        status="accepted", annotator=CURATED, created_at=self.at,
                        updated_at=self.at)
        self.next["entities"] += 1
        self.entities.append(entity)
        self.changes.append(RowChange("entities", entity.id, None, entity_row(entity)))
        return entity

    def _delete_entity(self, entity: Entity) -> None:
        for r in self.relations:
            if entity.id in (r.head_id, r.tail_id) and r.id not in self.gone:
                self.gone.add(r.id)
                self.changes.append(RowChange("relations", r.id, relation_row(r), None))
        self.gone.add(entity.id)
        self.changes.append(RowChange("entities", entity.id, entity_row(entity), None))

    def _relation(self, unit: Unit, labels: Sequence[str], chosen: Collection[str]) -> None:
        assert unit.tail is not None
        heads, tails = self._curated(unit.head), self._curated(unit.tail)
        current = [r for r in self.relations if r.id not in self.gone and
                   any(r.head_id == h.id for h in heads) and any(r.tail_id == t.id for t in tails)]
        for r in current:
            if r.label not in labels:
                self.gone.add(r.id)
                self.changes.append(RowChange("relations", r.id, relation_row(r), None))
        present = {r.label for r in current if r.label in labels}
        for label in labels:
            if label in present:
                continue
            original = self._version(unit, label, chosen)
            head = heads[0] if heads else self._add_entity(unit.head, original[1].label)
            tail = tails[0] if tails else self._add_entity(unit.tail, original[2].label)
            heads, tails = [head], [tail]
            self._add_relation(original[0], head, tail)

    def _version(self, unit: Unit, label: str, chosen: Collection[str]
                 ) -> tuple[Relation, Entity, Entity]:
        """The chosen annotators' relation with this label between the unit's spans."""
        by_id = {e.id: e for e in self.entities}
        for r in self.relations:
            head, tail = by_id.get(r.head_id), by_id.get(r.tail_id)
            if r.label == label and head and tail and entity_layer(head) in chosen \
                    and (head.start, head.end) == unit.head and (tail.start, tail.end) == unit.tail:
                return r, head, tail
        raise ValidationError("that version is no longer there")

    def _add_relation(self, original: Relation, head: Entity, tail: Entity) -> None:
        rel = Relation(self.next["relations"], self.doc_id, head.id, tail.id, original.label,
                       original.directed, original.confidence, original.note,
                       original.evidence_start, original.evidence_end, annotator=CURATED,
                       created_at=self.at, updated_at=self.at)
        self.next["relations"] += 1
        self.relations.append(rel)
        self.changes.append(RowChange("relations", rel.id, None, relation_row(rel)))
