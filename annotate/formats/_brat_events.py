"""brat events (`E`), normalizations (`N`) and what targets events, written back on export.

An imported event is held as its trigger entity plus one relation per role from the
trigger (see `_brat_ann`), and listed in the document's meta under "brat"/"events" with
its type, its trigger's key (offsets and label) and its arguments in order: the role as
brat wrote it (`Org-Arg2`), the argument's key, and whether the argument was an event.
Export finds the trigger and each argument's relation again by those keys: an argument
whose relation was deleted in Arcmark is left out, an event whose trigger was deleted is
not written, and the role relations of a written event are not written again as `R` lines.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from annotate.model import AnnotatedDocument, Entity

from ._brat_ann import event_role
from ._brat_conf import brat_label

Key = tuple[int, int, str]


def entity_key(entity: Entity) -> Key:
    return entity.start, entity.end, entity.label


def _key(item: dict[str, Any] | list[Any]) -> Key:
    if isinstance(item, dict):
        return item["start"], item["end"], item["label"]
    return item[0], item[1], item[2]


@dataclass
class EventPlan:
    """The events one document's export writes."""

    eids: dict[int, str] = field(default_factory=dict)  # trigger entity id -> "E1"
    # (event type, trigger entity id, [(role as written, argument entity id)])
    events: list[tuple[str, int, list[tuple[str, int]]]] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)  # relation ids written inside an E line


def plan_events(ad: AnnotatedDocument, brat: dict[str, list[dict[str, Any]]]) -> EventPlan:
    plan = EventPlan()
    by_key: dict[Key, list[Entity]] = defaultdict(list)
    for entity in ad.entities:
        by_key[entity_key(entity)].append(entity)
    from_trigger = defaultdict(list)
    for rel in ad.relations:
        from_trigger[rel.head_id].append(rel)
    entities = {e.id: e for e in ad.entities}
    for event in brat.get("events", []):
        trigger = next((e for e in by_key.get(_key(event["trigger"]), [])
                        if e.id not in plan.eids), None)
        if trigger is None:
            continue
        plan.eids[trigger.id] = f"E{len(plan.eids) + 1}"
        args = []
        for role, target, _was_event in event["args"]:
            rel = next((r for r in from_trigger[trigger.id]
                        if r.id not in plan.consumed and r.label == event_role(role)
                        and entity_key(entities[r.tail_id]) == _key(target)), None)
            if rel is not None:
                plan.consumed.add(rel.id)
                args.append((role, rel.tail_id))
        plan.events.append((event["type"], trigger.id, args))
    return plan


def write_events(plan: EventPlan, ids: dict[int, str], add: Callable[..., str],
                 labels: dict[int, str], seen: dict[str, dict[str, set[str]]]) -> None:
    """The E lines: the trigger by its T id, each argument by its E id when it is an event;
    `seen` collects each event type's roles and argument types for annotation.conf."""
    refs = {**ids, **plan.eids}
    for event_type, trigger, args in plan.events:
        roles = " ".join(f"{role}:{refs[target]}" for role, target in args)
        add("E", f"{brat_label(event_type)}:{ids[trigger]}" + (f" {roles}" if roles else ""))
        kinds = seen.setdefault(brat_label(event_type), {})
        for role, target in args:
            kinds.setdefault(event_role(role), set()).add(
                "<EVENT>" if target in plan.eids else brat_label(labels[target]))


def write_extras(ad: AnnotatedDocument, brat: dict[str, list[dict[str, Any]]],
                 ids: dict[int, str], plan: EventPlan, add: Callable[..., str],
                 attributes: dict[str, set[str]]) -> None:
    """Attributes and notes on events, and normalizations on entities."""
    by_key: dict[Key, list[int]] = defaultdict(list)
    for entity in ad.entities:
        by_key[entity_key(entity)].append(entity.id)

    def events_at(item: dict[str, Any]) -> list[str]:
        return [plan.eids[i] for i in by_key.get(_key(item), []) if i in plan.eids]

    for item in brat.get("event_attributes", []):
        for target in events_at(item):
            value = item.get("value")
            add("A", f"{item['name']} {target}" + (f" {value}" if value else ""))
            attributes.setdefault(item["name"], set()).add(value or "")
    for item in brat.get("event_notes", []):
        for target in events_at(item):
            add("#", f"{item.get('type') or 'AnnotatorNotes'} {target}", _one_line(item["note"]))
    for item in brat.get("normalizations", []):
        for entity_id in by_key.get(_key(item), []):
            add("N", f"{item['type']} {ids[entity_id]} {item['reference']}", item.get("text", ""))


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())
