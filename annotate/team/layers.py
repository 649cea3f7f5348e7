"""Layers: each annotator's version of a document.

A layer is the `annotator` of the entities and relations a person made or accepted
(status `accepted`); model suggestions belong to no layer, and `curated` is the layer of
the version a curator settles on. A relation belongs to the layer of its head entity
(relations imported without an annotator then still have one).

What the document view shows: everything, as a single analyst's store always did
(whatever annotators its rows name, e.g. imported ones), unless a layer is chosen; in a
team store (one that other stores were merged into) a document with several layers shows
by default the window's own annotator's layer and the model suggestions, so an analyst
sees and edits their own version. `ALL` chooses every layer.

What an export writes (`layer`): a layer's name writes that layer only; `all` writes
every row as stored; `auto` (the default) writes a document's curated layer where it
has one, and everything else as stored.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from annotate.model import CURATED, AnnotatedDocument, Entity, Relation, ValidationError

ALL = "all"
AUTO = "auto"


def entity_layer(entity: Entity) -> str | None:
    """The layer an entity is part of; None for suggestions, rejections and rows that
    name no annotator."""
    return entity.annotator if entity.status == "accepted" else None


def layers_of(entities: Iterable[Entity]) -> list[str]:
    """The layers present among `entities`, in name order with `curated` last."""
    names = {n for n in map(entity_layer, entities) if n is not None}
    return sorted(names, key=lambda n: (n == CURATED, n))


def in_layer(entities: Iterable[Entity], relations: Iterable[Relation], layer: str
             ) -> tuple[tuple[Entity, ...], tuple[Relation, ...]]:
    """The entities and relations of one layer."""
    kept = tuple(e for e in entities if entity_layer(e) == layer)
    ids = {e.id for e in kept}
    return kept, tuple(r for r in relations if r.status == "accepted" and r.head_id in ids
                       and r.tail_id in ids)


def visible(entities: list[Entity], relations: list[Relation], layer: str
            ) -> tuple[list[Entity], list[Relation]]:
    """What the document view shows with `layer` chosen (see the module's docstring)."""
    if layer == ALL or len(layers_of(entities)) <= 1:
        return entities, relations
    kept = [e for e in entities if entity_layer(e) == layer or e.status == "suggested"]
    ids = {e.id for e in kept}
    return kept, [r for r in relations if r.head_id in ids and r.tail_id in ids]


def for_export(documents: Iterable[AnnotatedDocument], layer: str = AUTO
               ) -> Iterator[AnnotatedDocument]:
    """`documents` with the annotations an export of `layer` writes."""
    if layer == ALL:
        yield from documents
        return
    for doc in documents:
        if layer == AUTO:
            if not any(entity_layer(e) == CURATED for e in doc.entities):
                yield doc
                continue
            chosen = CURATED
        else:
            chosen = layer
        entities, relations = in_layer(doc.entities, doc.relations, chosen)
        yield replace(doc, entities=entities, relations=relations)


def check_layer_name(name: str) -> str:
    """An export's layer option: a layer name, `all` or `auto`."""
    name = name.strip()
    if not name:
        raise ValidationError("a layer needs a name")
    return name
