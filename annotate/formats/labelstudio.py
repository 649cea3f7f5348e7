"""Label Studio tasks JSON: import and export.

A task is {"data": {"text": ...}, "annotations": [...], "predictions": [...]} (older
files say "completions" for "annotations"). Each annotation or prediction holds a
`result` list: `labels` regions ({"id", "from_name", "to_name", "type": "labels",
"value": {"start", "end", "text", "labels": [...]}}) and `relation` items ({"from_id",
"to_id", "type": "relation", "direction": "right" | "left" | "bi", "labels": [...]}).

Label Studio's offsets are JavaScript string indices (UTF-16 code units); they are
converted to code points here, at the edge, both ways.

Import: an annotation's regions are human entities credited to who completed it
(`completed_by`: a user id, or an object with an email; `created_username`), its relations
human relations; a cancelled annotation is skipped. A prediction's regions and relations
are suggestions of the model named by its `model_version`. A relation without a label is
given the label "RELATED". The task's other `data` fields become the document's meta.

Export: one task per document; the accepted entities and relations in one annotation per
annotator (with `created_username`), the suggestions in one prediction per model (so a
Label Studio project can start from Arcmark's suggestions); rejected ones are counted,
not written. Regions use `from_name` "label" and `to_name` "text", the names of Label
Studio's named-entity template.
"""
from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotate.model import HUMAN, AnnotatedDocument, DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import Schema

from ._common import (
    Cancel, Cancelled, Exporter, ExportReport, ImportBatch, Importer, Progress, RecordError,
    atomic_file, check_entity_label, check_offsets, check_relation_label, counted,
    title_from_text,
)
from ._jsonlines import read_records

UNLABELLED_RELATION = "RELATED"
FROM_NAME, TO_NAME = "label", "text"


def looks_like(obj: dict[str, Any]) -> bool:
    """Whether a JSON record is a Label Studio task."""
    return isinstance(obj.get("data"), dict) and any(
        k in obj for k in ("annotations", "predictions", "completions"))


class Utf16:
    """UTF-16 offsets (JavaScript string indices) <-> code points of one text."""

    def __init__(self, text: str) -> None:
        wide = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
        self.wide = wide
        # the UTF-16 offset just after each wide character (it takes two units)
        self.ends = [w + k + 2 for k, w in enumerate(wide)]

    def to_codepoint(self, unit: object) -> object:
        """The code-point offset of a UTF-16 offset (anything else is returned as is, for
        the offset checks to refuse)."""
        if not self.wide or not isinstance(unit, int) or isinstance(unit, bool):
            return unit
        before = bisect_right(self.ends, unit)
        if before < len(self.ends) and self.ends[before] - 1 == unit:
            raise RecordError(f"offset {unit} falls inside a character (UTF-16 surrogate pair)")
        return unit - before

    def to_units(self, cp: int) -> int:
        return cp + bisect_left(self.wide, cp) if self.wide else cp


# --- import ------------------------------------------------------------------------------


def parse_task(obj: dict[str, Any], schema: Schema, declared: Schema | None) -> DocumentRecord:
    data = obj["data"]
    text = data.get("text")
    if not isinstance(text, str) or not text:
        raise RecordError("data.text is not a text")
    units = Utf16(text)
    entities: list[EntityRecord] = []
    relations: list[RelationRecord] = []
    for item in _list(obj.get("annotations") or obj.get("completions") or [], "annotations"):
        if item.get("was_cancelled"):
            continue
        _result(item, text, units, (HUMAN, "accepted", _user(item)), entities, relations,
                schema, declared)
    for item in _list(obj.get("predictions") or [], "predictions"):
        model = f"model:{item.get('model_version') or 'labelstudio'}"
        _result(item, text, units, (model, "suggested", None), entities, relations, schema,
                declared)
    meta = {k: v for k, v in data.items() if k not in ("text", "title")}
    if obj.get("id") is not None:
        meta["labelstudio_id"] = obj["id"]
    title = data.get("title") if isinstance(data.get("title"), str) and data["title"] else None
    return DocumentRecord(text=text, title=title or title_from_text(text, "untitled"), meta=meta,
                          entities=tuple(entities), relations=tuple(relations))


def _list(value: object, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RecordError(f"{what} is not a list of objects")
    return value


def _user(annotation: dict[str, Any]) -> str | None:
    who = annotation.get("created_username") or annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("username") or who.get("id")
    if isinstance(who, bool) or not isinstance(who, (str, int)):
        return None
    return str(who) or None


def _result(item: dict[str, Any], text: str, units: Utf16, who: tuple[str, str, str | None],
            entities: list[EntityRecord], relations: list[RelationRecord], schema: Schema,
            declared: Schema | None) -> None:
    origin, status, annotator = who
    regions: dict[Any, int] = {}
    links = []
    for region in _list(item.get("result") or [], "result"):
        kind = region.get("type")
        if kind == "relation":
            links.append(region)
        elif kind == "labels":
            value = region.get("value")
            if not isinstance(value, dict):
                raise RecordError("a labels region has no value")
            start, end = check_offsets(units.to_codepoint(value.get("start")),
                                       units.to_codepoint(value.get("end")), len(text))
            for label in _list_of_str(value.get("labels"), "labels"):
                check_entity_label(label, schema, declared)
                regions.setdefault(region.get("id"), len(entities))
                entities.append(EntityRecord(start, end, label, origin, status, annotator))
    for link in links:
        head, tail = regions.get(link.get("from_id")), regions.get(link.get("to_id"))
        if head is None or tail is None:
            raise RecordError("relation refers to a missing region")
        direction = link.get("direction", "right")
        if direction not in ("right", "left", "bi"):
            raise RecordError(f"relation direction {direction!r} is not right, left or bi")
        if direction == "left":
            head, tail = tail, head
        for label in _list_of_str(link.get("labels") or [UNLABELLED_RELATION], "labels"):
            check_relation_label(label, schema, declared)
            relations.append(RelationRecord(head, tail, label, direction != "bi",
                                            origin=origin, status=status, annotator=annotator))


def _list_of_str(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise RecordError(f"{what} is not a list of labels")
    return value


def read_labelstudio(path: Path, schema: Schema, encoding: str | None = None
                     ) -> Iterator[ImportBatch]:
    yield read_records(path, schema, encoding, lambda obj: _checked)


def _checked(obj: dict[str, Any], schema: Schema, declared: Schema | None) -> DocumentRecord:
    if not looks_like(obj):
        raise RecordError("not a Label Studio task (no data with annotations or predictions)")
    return parse_task(obj, schema, declared)


# --- export ------------------------------------------------------------------------------


def _groups(ad: AnnotatedDocument, report: ExportReport
            ) -> tuple[dict[str | None, list], dict[str, list]]:
    """Entities and relations by annotator (accepted) and by model (suggested)."""
    people: dict[str | None, list] = {}
    models: dict[str, list] = {}
    ids = {e.id: e for e in ad.entities}
    for item in (*ad.entities, *ad.relations):
        if item.status == "rejected":
            report.note(1, "rejected annotations not written (Label Studio has no rejection)")
            continue
        if item.status == "suggested":
            source = item.origin if item.origin != HUMAN else "model:arcmark"
            models.setdefault(source.removeprefix("model:"), []).append(item)
        else:
            owner = item if not hasattr(item, "head_id") else ids[item.head_id]
            people.setdefault(owner.annotator, []).append(item)
    return people, models


def _results(items: list, units: Utf16, text: str) -> list[dict[str, Any]]:
    out = []
    written = {i.id for i in items if not hasattr(i, "head_id")}
    for item in items:
        if hasattr(item, "head_id"):
            if item.head_id in written and item.tail_id in written:
                out.append({"from_id": f"e{item.head_id}", "to_id": f"e{item.tail_id}",
                            "type": "relation", "direction": "right" if item.directed else "bi",
                            "labels": [item.label]})
            continue
        out.append({"id": f"e{item.id}", "from_name": FROM_NAME, "to_name": TO_NAME,
                    "type": "labels", "origin": "manual" if item.origin == HUMAN else "prediction",
                    "value": {"start": units.to_units(item.start), "end": units.to_units(item.end),
                              "text": text[item.start:item.end], "labels": [item.label]}})
    return out


def task(ad: AnnotatedDocument, report: ExportReport) -> dict[str, Any]:
    doc = ad.document
    units = Utf16(doc.text)
    people, models = _groups(ad, report)
    extra = {k: v for k, v in doc.meta.items()
             if k not in ("sources", "prodigy", "brat", "labelstudio_id")}
    annotations = []
    for who, items in people.items():
        annotation: dict[str, Any] = {"result": _results(items, units, doc.text),
                                      "was_cancelled": False, "ground_truth": False}
        if who:
            annotation["created_username"] = who
        annotations.append(annotation)
    predictions = [{"model_version": model, "result": _results(items, units, doc.text)}
                   for model, items in models.items()]
    report.entities += sum(1 for e in ad.entities if e.status != "rejected")
    report.relations += sum(1 for r in ad.relations if r.status != "rejected")
    return {"data": {**extra, "text": doc.text, "title": doc.title},
            "annotations": annotations, "predictions": predictions}


def export_labelstudio(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                       progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    """A JSON array of tasks, written one task per line so a large corpus streams."""
    report = ExportReport()
    try:
        with atomic_file(out) as handle:
            handle.write("[")
            for n, ad in enumerate(counted(corpus, progress, cancelled)):
                handle.write(("\n" if n == 0 else ",\n")
                             + json.dumps(task(ad, report), ensure_ascii=False))
                report.documents += 1
            handle.write("\n]\n")
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    report.files.append(out)
    return report


EXPORTERS = (Exporter(name="labelstudio", write=export_labelstudio),)
IMPORTERS = (Importer(name="labelstudio", suffixes=(".json", ".jsonl"), read=read_labelstudio,
                      order=5),)
