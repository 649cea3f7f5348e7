"""brat standoff: a folder of NAME.txt + NAME.ann with annotation.conf and visual.conf.

Import reads the .txt exactly as brat does (UTF-8 unless `--encoding`, line endings and a
BOM kept, since brat's offsets count them) and the .ann as described in `_brat_ann`; the
nearest annotation.conf/visual.conf becomes the batch's schema.

Export writes, per document, NAME.txt and NAME.ann (NAME from the imported file name when
the document came from a file, else from the title; filesystem-safe and unique), then
annotation.conf and visual.conf from the schema. `T` lines for every entity (a span that
crosses line breaks is split into fragments there, as brat does), `R` lines for relations,
one `*` line per connected set of a symmetric-transitive label, `A Status` when a status is
not "accepted", `A Confidence` on relations, `#` AnnotatorNotes for notes, and what a brat
import kept: `E` events with their roles, `N` normalizations, other attributes and notes
of every type (see `_brat_events`). The event types of the written events go into
annotation.conf's [events] with the roles and argument types they use. `*` lines have no
id, so a status, confidence or note on a symmetric-transitive relation cannot be written;
the report counts them.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotate.model import AnnotatedDocument, Entity, Relation
from annotate.schema import Schema

from ._brat_ann import NOTE, LineError, build_record
from ._brat_events import plan_events, write_events, write_extras
from ._brat_conf import annotation_conf, brat_label, find_config, visual_conf
from ._files import linked
from ._common import (
    Cancel,
    Cancelled,
    Exporter,
    ExportReport,
    ImportBatch,
    Importer,
    Progress,
    atomic_folder,
    counted,
    error_batch,
    title_from_text,
)
from .text import DecodeError, decode_bytes

_NOTES = {
    "discontinuous": "discontinuous span(s) imported as their whole extent",
}


# --- import -------------------------------------------------------------------------------


def read_brat(path: Path, schema: Schema, encoding: str | None = None, *,
              root: Path | None = None) -> Iterator[ImportBatch]:
    """One batch per document of the brat folder `path` (not its sub-folders); its
    annotation.conf is looked for up to `root`, the folder the user named."""
    folder = path if path.is_dir() else path.parent
    config = find_config(folder, root)
    declared = config.schema()
    names = sorted({p.stem for p in folder.glob("*.ann")} | {p.stem for p in folder.glob("*.txt")})
    for name in names:
        yield _read_document(folder / f"{name}.txt", folder / f"{name}.ann", schema, declared,
                             config.events, encoding)


def read_brat_document(path: Path, schema: Schema, encoding: str | None = None) -> ImportBatch:
    """The one brat document `path` (its .txt or .ann) with the nearest configuration."""
    config = find_config(path.parent)
    return _read_document(path.with_suffix(".txt"), path.with_suffix(".ann"), schema,
                          config.schema(), config.events, encoding)


def _read_document(txt: Path, ann: Path, schema: Schema, declared: Schema | None,
                   events: set[str], encoding: str | None) -> ImportBatch:
    link = linked(txt, ann)  # a link may lead out of the folder: not followed
    if link is not None:
        return link
    if not txt.is_file():
        return error_batch(ann, f"{ann.name}: no {txt.name} beside it")
    try:
        text, used = _read_text(txt, encoding)
        # a BOM is not part of the first id (brat's offsets count the .txt, not the .ann)
        notes_text = ann.read_text(encoding="utf-8-sig") if ann.is_file() else ""
    except DecodeError as exc:
        return error_batch(txt, f"{txt.name}: {exc}")
    except UnicodeDecodeError:
        return error_batch(ann, f"{ann.name}: not UTF-8 text")
    except OSError as exc:
        return error_batch(txt, f"{txt.name}: cannot read ({exc.strerror})")
    if not text.strip():
        return error_batch(txt, f"{txt.name}: empty file")
    meta = {"file_name": txt.name, "encoding": used}
    try:
        record, counts, degenerate = build_record(text, notes_text, schema, declared, events,
                                                  title_from_text(text, txt.stem), str(txt), meta)
    except LineError as exc:
        return error_batch(ann, f"{ann.name}:{exc}")
    notes = tuple(f"{counts[key]} {what}" for key, what in _NOTES.items()
                  if counts[key])
    if degenerate:
        lines = ", ".join(map(str, degenerate[:10])) + (", ..." if len(degenerate) > 10 else "")
        notes += (f"{len(degenerate)} set (*) line(s) naming fewer than two annotations skipped "
                  f"(line {lines})",)
    return ImportBatch(source=ann, records=(record,), schema=declared, notes=notes)


def _read_text(txt: Path, encoding: str | None) -> tuple[str, str]:
    data = txt.read_bytes()
    try:
        return data.decode(encoding or "utf-8"), encoding or "utf-8"
    except UnicodeDecodeError:
        decode_bytes(data)  # raises with the best guess of the encoding
        raise DecodeError(f"not {encoding or 'UTF-8'} text; pass the right --encoding") from None
    except LookupError:
        raise DecodeError(f"unknown encoding {encoding!r}") from None


# --- export -------------------------------------------------------------------------------


class _Ann:
    """The lines of one .ann file with brat's id counters."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.counter: Counter[str] = Counter()

    def add(self, kind: str, body: str, tail: str | None = None) -> str:
        self.counter[kind] += 1
        ident = f"{kind}{self.counter[kind]}"
        self.lines.append(f"{ident}\t{body}" + (f"\t{tail}" if tail is not None else ""))
        return ident


def _fragments(entity: Entity, text: str) -> tuple[str, str, bool]:
    """brat's offsets field and text column: a span crossing line breaks is split there;
    the flag says the span started or ended on a line break, which brat cannot hold."""
    covered = text[entity.start:entity.end]
    pieces = [(entity.start + m.start(), entity.start + m.end())
              for m in re.finditer(r"[^\r\n]+", covered)] or [(entity.start, entity.end)]
    trimmed = (pieces[0][0], pieces[-1][1]) != (entity.start, entity.end)
    return (";".join(f"{s} {e}" for s, e in pieces),
            " ".join(text[s:e] for s, e in pieces), trimmed)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def ann_text(ad: AnnotatedDocument, schema: Schema, report: ExportReport,
             attributes: dict[str, set[str]],
             event_args: dict[str, dict[str, set[str]]] | None = None) -> str:
    """The .ann file of one document; what cannot be written is counted on `report`."""
    text, ann = ad.document.text, _Ann()
    brat: dict[str, list[dict[str, Any]]] = ad.document.meta.get("brat") or {}
    ids: dict[int, str] = {}
    for entity in ad.entities:
        offsets, covered, trimmed = _fragments(entity, text)
        report.note(int(trimmed), "entities trimmed to leave out a line break at their edge "
                                  "(brat spans cannot start or end on one)")
        ids[entity.id] = ann.add("T", f"{brat_label(entity.label)} {offsets}", covered)
    transitive = {r.name for r in schema.relation_labels if r.kind == "symmetric_transitive"}
    events = plan_events(ad, brat)
    rel_ids = _relations(ad, {**ids, **events.eids}, transitive, ann, report, events.consumed)
    write_events(events, ids, ann.add, {e.id: e.label for e in ad.entities},
                 event_args if event_args is not None else {})
    _attributes(ad, ids, rel_ids, brat, ann, attributes)
    _notes(ad, ids, rel_ids, brat, ann)
    write_extras(ad, brat, ids, events, ann.add, attributes)
    report.note(sum(1 for r in ad.relations if "\n" in r.note or "\r" in r.note),
                "notes with line breaks written on one line (brat notes are one line)")
    return "".join(line + "\n" for line in ann.lines)


def _relations(ad: AnnotatedDocument, ids: dict[int, str], transitive: set[str], ann: _Ann,
               report: ExportReport, in_events: set[int]) -> dict[int, str]:
    """R and * lines; `ids` names an event's trigger by its E id, as brat does."""
    rel_ids: dict[int, str] = {}
    groups: dict[str, list[Relation]] = defaultdict(list)
    for rel in ad.relations:
        if rel.id in in_events:
            continue  # written as an argument of its E line
        if rel.label in transitive:
            groups[rel.label].append(rel)
            lost = rel.status != "accepted" or rel.confidence or rel.note
            report.note(int(bool(lost)), f"status/confidence/note of {rel.label} relation(s) "
                                         "not written (brat * lines carry none)")
            continue
        rel_ids[rel.id] = ann.add("R", f"{brat_label(rel.label)} Arg1:{ids[rel.head_id]} "
                                       f"Arg2:{ids[rel.tail_id]}", "")
    order = {entity.id: i for i, entity in enumerate(ad.entities)}
    for label, rels in groups.items():
        for members in _components(rels):
            names = " ".join(ids[m] for m in sorted(members, key=order.__getitem__))
            ann.lines.append(f"*\t{brat_label(label)} {names}")
    return rel_ids


def _components(relations: list[Relation]) -> list[set[int]]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for rel in relations:
        parent[root(rel.head_id)] = root(rel.tail_id)
    groups: dict[int, set[int]] = defaultdict(set)
    for node in list(parent):
        groups[root(node)].add(node)
    return [g for g in groups.values() if len(g) > 1]


def _entity_key(entity: Entity) -> tuple[int, int, str]:
    return entity.start, entity.end, entity.label


def _attributes(ad: AnnotatedDocument, ids: dict[int, str], rel_ids: dict[int, str],
                brat: dict[str, list[dict[str, Any]]], ann: _Ann,
                attributes: dict[str, set[str]]) -> None:
    for entity in ad.entities:
        if entity.status != "accepted":
            ann.add("A", f"Status {ids[entity.id]} {entity.status}")
    for rel in ad.relations:
        if rel.id in rel_ids and rel.status != "accepted":
            ann.add("A", f"Status {rel_ids[rel.id]} {rel.status}")
        if rel.id in rel_ids and rel.confidence:
            ann.add("A", f"Confidence {rel_ids[rel.id]} {rel.confidence}")
    by_key = defaultdict(list)
    for entity in ad.entities:
        by_key[_entity_key(entity)].append(ids[entity.id])
    for item in brat.get("entity_attributes", []):
        for target in by_key.get((item["start"], item["end"], item["label"]), []):
            _foreign(ann, item, target, attributes)
    rel_keys = _relation_keys(ad, rel_ids)
    for item in brat.get("relation_attributes", []):
        key = (tuple(item["head"]), tuple(item["tail"]), item["label"])
        for target in rel_keys.get(key, []):
            _foreign(ann, item, target, attributes)


def _foreign(ann: _Ann, item: dict[str, Any], target: str, attributes: dict[str, set[str]]
             ) -> None:
    value = item.get("value")
    ann.add("A", f"{item['name']} {target}" + (f" {value}" if value else ""))
    attributes.setdefault(item["name"], set()).add(value or "")


def _relation_keys(ad: AnnotatedDocument, rel_ids: dict[int, str]) -> dict[tuple, list[str]]:
    entities = {e.id: e for e in ad.entities}
    keys: dict[tuple, list[str]] = defaultdict(list)
    for rel in ad.relations:
        if rel.id in rel_ids:
            key = (_entity_key(entities[rel.head_id]), _entity_key(entities[rel.tail_id]),
                   rel.label)
            keys[key].append(rel_ids[rel.id])
    return keys


def _notes(ad: AnnotatedDocument, ids: dict[int, str], rel_ids: dict[int, str],
           brat: dict[str, list[dict[str, Any]]], ann: _Ann) -> None:
    by_key = defaultdict(list)
    for entity in ad.entities:
        by_key[_entity_key(entity)].append(ids[entity.id])
    for item in brat.get("entity_notes", []):
        for target in by_key.get((item["start"], item["end"], item["label"]), []):
            ann.add("#", f"{item.get('type') or NOTE} {target}", _one_line(item["note"]))
    for rel in ad.relations:
        if rel.id in rel_ids and rel.note:
            ann.add("#", f"{NOTE} {rel_ids[rel.id]}", _one_line(rel.note))
    rel_keys = _relation_keys(ad, rel_ids)
    for item in brat.get("relation_notes", []):
        key = (tuple(item["head"]), tuple(item["tail"]), item["label"])
        for target in rel_keys.get(key, []):
            ann.add("#", f"{item['type']} {target}", _one_line(item["note"]))


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
# names Windows reserves for devices, with or without an extension ("CON.txt", "com1.ann")
_DEVICE = re.compile(r"^(?:CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])$",
                     re.IGNORECASE)
# invisible characters that reorder or hide what a file name shows (bidi controls such as
# U+202E, zero-width marks) and anything unassigned or private: no place in a file name
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
STEM_BYTES = 200  # file systems hold 255 bytes a name; room for "-NN" and ".ann"


def file_stem(ad: AnnotatedDocument) -> str:
    """A file name that every file system takes, from the imported file name or else the
    title: no device name, no invisible or control character, at most STEM_BYTES bytes."""
    doc = ad.document
    name = Path(str(doc.meta.get("file_name") or "")).stem or doc.title
    name = "".join(c for c in unicodedata.normalize("NFC", name)
                   if unicodedata.category(c) not in _HIDDEN)
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = name.encode("utf-8")[:STEM_BYTES].decode("utf-8", "ignore").strip(" ._")
    if _DEVICE.match(name.split(".")[0].rstrip(" ")):
        name = f"_{name}"
    return name or f"document-{doc.id}"


def unique_stem(stem: str, used: set[str]) -> str:
    """`stem`, or `stem-2`, `stem-3`... the first not in `used` (compared without case, as
    Windows and macOS file systems do); the one returned joins `used`."""
    candidate, n = stem, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem}-{n}"
    used.add(candidate.casefold())
    return candidate


def export_brat(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    report, used, attributes = ExportReport(), set(), {}
    event_args: dict[str, dict[str, set[str]]] = {}  # event type -> role -> argument types
    try:
        with atomic_folder(out) as tmp:
            for ad in counted(corpus, progress, cancelled):
                stem = unique_stem(file_stem(ad), used)
                (tmp / f"{stem}.txt").write_text(ad.document.text, encoding="utf-8", newline="")
                (tmp / f"{stem}.ann").write_text(ann_text(ad, schema, report, attributes,
                                                                  event_args),
                                                 encoding="utf-8", newline="")
                report.documents += 1
                report.entities += len(ad.entities)
                report.relations += len(ad.relations)
                report.files += [out / f"{stem}.txt", out / f"{stem}.ann"]
            for name, content in (("annotation.conf", annotation_conf(schema, attributes,
                                                                           event_args)),
                                  ("visual.conf", visual_conf(schema))):
                (tmp / name).write_text(content, encoding="utf-8")
                report.files.append(out / name)
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    for label in schema.entity_labels + schema.relation_labels:
        if brat_label(label.name) != label.name:
            report.notes.append(f"label {label.name!r} written as {brat_label(label.name)!r} "
                                "(brat labels allow only A-Z, a-z, 0-9, _ and -)")
    return report


EXPORTERS = (Exporter(name="brat", write=export_brat, folder=True),)
IMPORTERS = (Importer(name="brat", suffixes=(".ann",), read=read_brat, order=3),)
