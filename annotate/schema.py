"""The label schema: entity labels and relation labels with their rules.

A schema is plain data. The default lives in `default_schema.toml`; every store
keeps its own copy so a corpus carries its schema.
"""
from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from annotate.model import ArcmarkError

DEFAULT_SCHEMA_PATH = Path(__file__).with_name("default_schema.toml")
RELATION_KINDS = ("directed", "symmetric", "symmetric_transitive")
ANY = "*"


@dataclass(frozen=True, slots=True)
class EntityLabel:
    name: str
    colour: str
    key: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class RelationLabel:
    name: str
    kind: str = "directed"
    heads: tuple[str, ...] = (ANY,)
    tails: tuple[str, ...] = (ANY,)
    colour: str = "#555555"
    key: str = ""
    description: str = ""

    @property
    def directed(self) -> bool:
        return self.kind == "directed"

    @property
    def symmetric(self) -> bool:
        return self.kind != "directed"

    def allows(self, head_label: str, tail_label: str) -> bool:
        """Whether a relation from a `head_label` entity to a `tail_label` entity fits."""

        def fits(allowed: tuple[str, ...], label: str) -> bool:
            return ANY in allowed or label in allowed

        if fits(self.heads, head_label) and fits(self.tails, tail_label):
            return True
        return self.symmetric and fits(self.heads, tail_label) and fits(self.tails, head_label)


@dataclass(frozen=True, slots=True)
class Schema:
    entity_labels: tuple[EntityLabel, ...]
    relation_labels: tuple[RelationLabel, ...]

    def entity(self, name: str) -> EntityLabel | None:
        return next((label for label in self.entity_labels if label.name == name), None)

    def relation(self, name: str) -> RelationLabel | None:
        return next((label for label in self.relation_labels if label.name == name), None)

    @property
    def entity_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.entity_labels)

    @property
    def relation_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.relation_labels)

    def allowed_relations(self, head_label: str, tail_label: str) -> tuple[RelationLabel, ...]:
        """Relation labels the schema allows between entities with these labels."""
        return tuple(r for r in self.relation_labels if r.allows(head_label, tail_label))

    def why_not(self, relation: str, head_label: str, tail_label: str) -> str | None:
        """None when the relation is allowed, else a one-line reason."""
        label = self.relation(relation)
        if label is None:
            return f"relation label {relation!r} is not in the schema"
        if label.allows(head_label, tail_label):
            return None
        return (f"{relation} cannot link {head_label} to {tail_label}: it allows "
                f"{'/'.join(label.heads)} -> {'/'.join(label.tails)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": [asdict(label) for label in self.entity_labels],
            "relation": [
                {**asdict(label), "heads": list(label.heads), "tails": list(label.tails)}
                for label in self.relation_labels
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "schema") -> Schema:
        try:
            entities = tuple(
                EntityLabel(
                    name=str(e["name"]),
                    colour=str(e.get("colour", "#dddddd")),
                    key=str(e.get("key", "")),
                    description=str(e.get("description", "")),
                )
                for e in data.get("entity", [])
            )
            relations = tuple(
                RelationLabel(
                    name=str(r["name"]),
                    kind=str(r.get("kind", "directed")),
                    heads=tuple(r.get("heads", [ANY])),
                    tails=tuple(r.get("tails", [ANY])),
                    colour=str(r.get("colour", "#555555")),
                    key=str(r.get("key", "")),
                    description=str(r.get("description", "")),
                )
                for r in data.get("relation", [])
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ArcmarkError(f"{source}: malformed label schema ({exc})") from None
        schema = cls(entities, relations)
        schema.check(source)
        return schema

    def check(self, source: str = "schema") -> None:
        names = self.entity_names
        if not names:
            raise ArcmarkError(f"{source}: the schema has no entity labels")
        for group, labels in (("entity", names), ("relation", self.relation_names)):
            dupes = {n for n in labels if labels.count(n) > 1}
            if dupes:
                raise ArcmarkError(f"{source}: duplicate {group} label(s) {', '.join(sorted(dupes))}")
        for rel in self.relation_labels:
            if rel.kind not in RELATION_KINDS:
                raise ArcmarkError(f"{source}: relation {rel.name} has unknown kind {rel.kind!r}")
            unknown = [n for n in rel.heads + rel.tails if n != ANY and n not in names]
            if unknown:
                raise ArcmarkError(
                    f"{source}: relation {rel.name} names unknown entity label(s) {', '.join(unknown)}"
                )


def load_schema(path: Path | str | None = None) -> Schema:
    """Read a schema from a TOML (or JSON) file; the default schema without a path."""
    path = Path(path) if path else DEFAULT_SCHEMA_PATH
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArcmarkError(f"cannot read schema {path}: {exc.strerror}") from None
    try:
        if path.suffix.lower() == ".json":
            import json

            data = json.loads(raw)
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArcmarkError(f"{path}: not a valid schema file ({exc})") from None
    return Schema.from_dict(data, source=str(path))
