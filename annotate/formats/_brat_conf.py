"""brat's annotation.conf and visual.conf <-> Arcmark's label schema.

Reading: [entities] (or its alias [spans]) -> entity labels (hierarchy flattened, `!`
types skipped); [relations] -> relation labels, Arg1 types -> heads, Arg2 types -> tails
(macros expanded, `<ANY>`/`<ENTITY>` -> any label), `<REL-TYPE>:symmetric-transitive` ->
symmetric_transitive, `<REL-TYPE>:symmetric` -> symmetric; a type listed on several lines
(brat allows it, e.g. `Equiv`) is one label allowing the union of their arguments;
`<OVERLAP>` and `ENTITY-NESTING` lines are rules, not labels. [events]: each event type is
an entity label (its trigger) and each role (`Org-Arg`, without `?`, `*`, `+`, `{n}`) a
directed relation label from the trigger.
visual.conf [drawing] gives colours: `bgColor` for entities, `color` for relations
(hex colours only; named colours keep the default).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from annotate.schema import ANY, EntityLabel, RelationLabel, Schema

_SECTION = re.compile(r"^\s*\[(.*)\]\s*$")
_MACRO = re.compile(r"^<([a-zA-Z_-]+)>=\s*(.*?)\s*$")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_ANY_TYPES = {"<ANY>", "<ENTITY>"}
DEFAULT_ENTITY_COLOUR = "#dddddd"
DEFAULT_RELATION_COLOUR = "#555555"


@dataclass
class BratConfig:
    """What a brat collection declares."""

    entities: list[str] = field(default_factory=list)
    relations: list[tuple[str, list[str], list[str], str]] = field(default_factory=list)
    events: set[str] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)
    colours: dict[str, str] = field(default_factory=dict)

    def schema(self) -> Schema | None:
        if not self.entities:
            return None
        names = list(dict.fromkeys([*self.entities, *sorted(self.events)]))
        entities = tuple(EntityLabel(name, self.colours.get(name, DEFAULT_ENTITY_COLOUR))
                         for name in names)
        known = set(names)
        relations = tuple(
            RelationLabel(name, kind, _types(heads, known), _types(tails, known),
                          self.colours.get(name, DEFAULT_RELATION_COLOUR))
            for name, heads, tails, kind in _merged(self.relations)
        ) + tuple(RelationLabel(role, colour=self.colours.get(role, DEFAULT_RELATION_COLOUR))
                  for role in self.roles if role not in {r[0] for r in self.relations})
        return Schema(entities, relations)


def _merged(relations: list[tuple[str, list[str], list[str], str]]
            ) -> list[tuple[str, list[str], list[str], str]]:
    """One entry per relation type: a type on several lines allows what each line allows."""
    out: dict[str, tuple[str, list[str], list[str], str]] = {}
    for name, heads, tails, kind in relations:
        if name in out:
            _, h, t, k = out[name]
            out[name] = (name, h + heads if h and heads else [], t + tails if t and tails else [],
                         k if k != "directed" else kind)
        else:
            out[name] = (name, list(heads), list(tails), kind)
    return list(out.values())


def _types(types: list[str], known: set[str]) -> tuple[str, ...]:
    if not types or any(t in _ANY_TYPES for t in types):
        return (ANY,)
    kept = tuple(t for t in types if t in known)
    return kept or (ANY,)


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = "general"
    macros: dict[str, str] = {}
    for line in text.splitlines():
        match = _SECTION.match(line)
        if match:
            current = match.group(1).strip()
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        macro = _MACRO.match(line)
        if macro:
            macros[f"<{macro.group(1)}>"] = macro.group(2)
            continue
        for name, value in macros.items():
            line = line.replace(name, value)
        sections.setdefault(current, []).append(line)
    return sections


def _term(line: str) -> tuple[str, str]:
    parts = line.strip().split(None, 1)
    name = parts[0].split("|")[0]
    return name, parts[1] if len(parts) > 1 else ""


def _arguments(rest: str) -> dict[str, list[str]]:
    args: dict[str, list[str]] = {}
    for item in rest.split(","):
        if ":" in item:
            key, types = item.strip().split(":", 1)
            args.setdefault(key.strip(), []).extend(t.strip() for t in types.split("|"))
    return args


def parse_annotation_conf(text: str, config: BratConfig | None = None) -> BratConfig:
    config = config or BratConfig()
    sections = _sections(text)
    for line in sections.get("entities", []) + sections.get("spans", []):
        name, _ = _term(line)
        if not name.startswith("!") and name not in config.entities:
            config.entities.append(name)
    for line in sections.get("relations", []):
        name, rest = _term(line)
        if name.startswith("<") or name == "ENTITY-NESTING" or name.startswith("!"):
            continue
        args = _arguments(rest)
        rel_type = "-".join(args.get("<REL-TYPE>", []))
        kind = ("symmetric_transitive" if "transitive" in rel_type
                else "symmetric" if "symmetric" in rel_type else "directed")
        config.relations.append((name, args.get("Arg1", []), args.get("Arg2", []), kind))
    for line in sections.get("events", []):
        name, rest = _term(line)
        if name.startswith("!"):
            continue  # an abstract type that groups others
        config.events.add(name)
        for role in _arguments(rest):
            base = _ROLE_SUFFIX.sub("", role)
            if base and base not in config.roles:
                config.roles.append(base)
    return config


_ROLE_SUFFIX = re.compile(r"(\{[0-9,-]*\}|[?*+])+$")


def parse_visual_conf(text: str, config: BratConfig) -> BratConfig:
    for line in _sections(text).get("drawing", []):
        parts = line.strip().split(None, 1)
        if len(parts) < 2:
            continue
        settings = dict(
            (k.strip(), v.strip()) for k, _, v in
            (item.partition(":") for item in parts[1].split(",")))
        for key in ("bgColor", "color"):
            if _HEX.match(settings.get(key, "")):
                config.colours.setdefault(parts[0], settings[key])
    return config


def find_config(folder: Path, root: Path | None = None) -> BratConfig:
    """The annotation.conf and visual.conf nearest to `folder`, looking up the tree as brat
    does but never above `root` (the folder the user named; `folder` itself by default):
    a file two folders above what was imported must not add labels."""
    config = BratConfig()
    found_annotation = found_visual = False
    folder = folder.resolve()
    top = (root or folder).resolve()
    chain = [folder, *folder.parents]
    if top in chain:
        chain = chain[:chain.index(top) + 1]
    else:
        chain = [folder]
    for directory in chain:
        annotation, visual = directory / "annotation.conf", directory / "visual.conf"
        # a link may lead anywhere: not followed (the folder listing reports it)
        if not found_annotation and annotation.is_file() and not annotation.is_symlink():
            parse_annotation_conf(_read(annotation), config)
            found_annotation = True
        if not found_visual and visual.is_file() and not visual.is_symlink():
            parse_visual_conf(_read(visual), config)
            found_visual = True
        if found_annotation:
            break  # visual.conf beside or below the annotation.conf that applies
    return config


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig", errors="replace")


# --- writing ---------------------------------------------------------------------------

_UNSAFE_LABEL = re.compile(r"[^A-Za-z0-9_-]")


def brat_label(name: str) -> str:
    """The label as brat stores it: only ASCII letters, digits, "_" and "-"."""
    return _UNSAFE_LABEL.sub("_", name) or "_"


def _arg(types: tuple[str, ...]) -> str:
    return "<ENTITY>" if ANY in types else "|".join(brat_label(t) for t in types)


def annotation_conf(schema: Schema, extra_attributes: dict[str, set[str]],
                    events: dict[str, dict[str, set[str]]] | None = None) -> str:
    """annotation.conf for a schema, with Arcmark's attributes and those kept from an
    import; `events` (event type -> role -> argument types) go into [events], their types
    and roles out of [entities] and [relations]."""
    events = events or {}
    roles = {role for used in events.values() for role in used}
    lines = ["# Written by Arcmark from the corpus' label schema.", "", "[entities]", ""]
    lines += [brat_label(label.name) for label in schema.entity_labels
              if brat_label(label.name) not in events]
    lines += ["", "[relations]", "",
              "# Arcmark allows overlapping entities.",
              "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVERLAP-TYPE>:<ANY>", ""]
    for rel in schema.relation_labels:
        if brat_label(rel.name) in roles:
            continue
        line = f"{brat_label(rel.name)}\tArg1:{_arg(rel.heads)}, Arg2:{_arg(rel.tails)}"
        if rel.kind == "symmetric_transitive":
            line += ", <REL-TYPE>:symmetric-transitive"
        elif rel.kind == "symmetric":
            line += ", <REL-TYPE>:symmetric"
        lines.append(line)
    lines += ["", "[events]", ""]
    lines += [f"{name}\t" + ", ".join(f"{role}*:{'|'.join(sorted(kinds))}"
                                      for role, kinds in sorted(used.items()))
              for name, used in sorted(events.items())]
    lines += ["", "[attributes]", "",
              "Status\tArg:<ENTITY>|<RELATION>, Value:suggested|accepted|rejected",
              "Confidence\tArg:<RELATION>, Value:low|moderate|high"]
    for name, values in sorted(extra_attributes.items()):
        if name in ("Status", "Confidence"):
            continue
        real = sorted(v for v in values if v)
        lines.append(f"{name}\tArg:<ENTITY>" + (f", Value:{'|'.join(real)}" if real else ""))
    return "\n".join(lines) + "\n"


def visual_conf(schema: Schema) -> str:
    lines = ["# Written by Arcmark from the corpus' label schema.", "", "[labels]", ""]
    lines += [f"{brat_label(label.name)} | {label.name}"
              for label in schema.entity_labels + schema.relation_labels]
    lines += ["", "[drawing]", "", "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, "
              "borderColor:darken", "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5", ""]
    lines += [f"{brat_label(label.name)}\tbgColor:{label.colour}"
              for label in schema.entity_labels]
    for rel in schema.relation_labels:
        arrow = ", arrowHead:none" if rel.symmetric else ""
        lines.append(f"{brat_label(rel.name)}\tcolor:{rel.colour}{arrow}")
    return "\n".join(lines) + "\n"
