"""Knowledge-base references on entities (brat's `N` normalizations), as plain data.

An import keeps them in the document's meta under "brat"/"normalizations", each keyed by
its entity's offsets and label (see `annotate.formats._brat_ann`); the inspector shows
them and the brat export writes them back.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotate.model import Entity


@dataclass(frozen=True, slots=True)
class Reference:
    kind: str       # brat's normalization type, e.g. "Reference"
    reference: str  # the knowledge-base id, e.g. "Wikipedia:64488"
    text: str       # the name the knowledge base gives, may be empty

    def __str__(self) -> str:
        return f"{self.reference} ({self.text})" if self.text else self.reference


def references(meta: Mapping[str, Any], entity: Entity) -> list[Reference]:
    """The references the document's meta holds for `entity`."""
    brat = meta.get("brat")
    items = brat.get("normalizations") if isinstance(brat, Mapping) else None
    if not isinstance(items, list):
        return []
    return [Reference(str(i.get("type", "")), str(i.get("reference", "")), str(i.get("text", "")))
            for i in items if isinstance(i, Mapping)
            and (i.get("start"), i.get("end"), i.get("label")) == (entity.start, entity.end,
                                                                     entity.label)]
