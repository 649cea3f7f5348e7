"""Prodigy `rel.manual` tasks: the shape Prodigy writes and Explosion's scripts read.

Export writes one task per document (one per annotation layer when several analysts
annotated it, each with its `_annotator_id`): `text`, `meta` (the document's meta with
its source), `_input_hash`, `_task_hash`, `tokens` (spaCy's English tokenizer, which
Prodigy uses), `spans` (`text`, `start`, `end`, `token_start`, `token_end`, `type`,
`label`) of the accepted entities, `relations` (`head`/`child` = the token index of each
span's last token, `head_span`, `child_span`, `label`) of the accepted relations between
them, `answer`, `_view_id` and the provenance kept from an import (`_session_id`,
`_annotator_id`, `_timestamp`, an entity-linking task's `accept` and `options`).

Prodigy's spans and `doc.ents` hold whole tokens: an entity whose edge falls inside a
token is widened to the tokens that hold it and counted in the report. Suggested and
rejected annotations are not Prodigy answers; they are counted, not written.

Hashes follow Prodigy's `set_hashes`: the input hash is a signed 32-bit MurmurHash3 of the
task's input keys (`text`) as sorted-key JSON, the task hash the same of the input hash
followed by the task keys (`spans`, `label`, `options`). An `_input_hash` kept from an
import is written back unchanged (the text of a stored document never changes).
"""
from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from annotate.model import AnnotatedDocument, Entity
from annotate.schema import Schema
from annotate.tokens import blank_english

from . import _prodigy
from ._common import (
    Cancel, Cancelled, Exporter, ExportReport, ImportBatch, Importer, Progress, atomic_file,
    counted,
)
from ._jsonlines import read_records
from ._records import layers

VIEW_ID = "relations"
INPUT_KEYS = ("text", "image", "html", "input")
TASK_KEYS = ("spans", "label", "options")
PROVENANCE = ("_session_id", "_annotator_id", "_timestamp")
_WS = ("false", "true")  # a token's "ws" as JSON, by the bool


def token_rows(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, whitespace follows) of each token: `annotate.tokens.tokenize` without
    a Python object per token (about 900 per news article; they dominated the export)."""
    from spacy.attrs import IDX, LENGTH, SPACY

    doc = blank_english().make_doc(text)
    if not len(doc):
        return []
    return [(s, s + n, bool(ws)) for s, n, ws in doc.to_array([IDX, LENGTH, SPACY]).tolist()]


def tokens_json(text: str, rows: Sequence[tuple[int, int, bool]]) -> str:
    """The `tokens` list as JSON, the same text `json.dumps` makes of the token dicts."""
    enc, ws_text = encode_basestring, _WS
    return "[" + ", ".join([
        f'{{"text": {enc(text[s:e])}, "start": {s}, "end": {e}, "id": {i}, "ws": {ws_text[ws]}}}'
        for i, (s, e, ws) in enumerate(rows)]) + "]"


def murmur(text: str) -> int:
    """Signed 32-bit MurmurHash3 of the UTF-8 text (spaCy's own `murmurhash`)."""
    from murmurhash.mrmr import hash as mrmr_hash

    return mrmr_hash(text)


def input_hash(task: dict[str, Any]) -> int:
    return murmur(json.dumps({k: task[k] for k in INPUT_KEYS if k in task}, sort_keys=True))


def task_hash(task: dict[str, Any], input_value: int) -> int:
    keys = {k: task[k] for k in TASK_KEYS if k in task}
    return murmur(str(input_value) + json.dumps(keys, sort_keys=True))


class _Tokens:
    """The tokens of one text and the token span that holds a character span."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.rows = token_rows(text)
        self.starts = [s for s, _, _ in self.rows]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """(first, last) token of the tokens that hold [start, end); None without tokens."""
        if not self.rows:
            return None
        first = max(bisect_right(self.starts, start) - 1, 0)
        last = max(bisect_right(self.starts, max(end - 1, start)) - 1, first)
        return first, last


def _span(entity: Entity, text: str, tokens: _Tokens, report: ExportReport
          ) -> dict[str, Any] | None:
    held = tokens.span(entity.start, entity.end)
    if held is None:
        return None
    first, last = held
    start, end = tokens.rows[first][0], tokens.rows[last][1]
    if (start, end) != (entity.start, entity.end):
        report.note(1, "entities widened to token boundaries (Prodigy spans hold whole tokens)")
    return {"text": text[start:end], "start": start, "end": end, "token_start": first,
            "token_end": last, "type": "span", "label": entity.label}


def task(ad: AnnotatedDocument, report: ExportReport, annotator: str | None = None,
         tokens: _Tokens | None = None) -> dict[str, Any]:
    """The Prodigy task of one document (or one of its layers), counting on `report`;
    without its `tokens` (`task_line` writes them)."""
    doc = ad.document
    kept = doc.meta.get("prodigy") if isinstance(doc.meta.get("prodigy"), dict) else {}
    tokens = tokens or _Tokens(doc.text)
    spans: dict[int, dict[str, Any]] = {}
    for entity in ad.entities:
        if entity.status != "accepted":
            report.note(1, "suggested or rejected entities not written (not Prodigy answers)")
            continue
        span = _span(entity, doc.text, tokens, report)
        if span is not None:
            spans[entity.id] = span
    relations = []
    for rel in ad.relations:
        if rel.status != "accepted" or rel.head_id not in spans or rel.tail_id not in spans:
            report.note(1, "relations not written (suggested, rejected or between entities "
                           "not written)")
            continue
        head, child = spans[rel.head_id], spans[rel.tail_id]
        relations.append({
            "head": head["token_end"], "child": child["token_end"],
            "head_span": {k: head[k] for k in ("start", "end", "token_start", "token_end",
                                               "label")},
            "child_span": {k: child[k] for k in ("start", "end", "token_start", "token_end",
                                                 "label")},
            "label": rel.label})
    meta = {k: v for k, v in doc.meta.items() if k not in ("prodigy", "sources")}
    if doc.source is not None:
        meta["source"] = doc.source
    out: dict[str, Any] = {"text": doc.text, "meta": meta, "spans": list(spans.values())}
    for key in ("accept", "options"):
        if key in kept:
            out[key] = kept[key]
    value = kept.get("_input_hash") if isinstance(kept.get("_input_hash"), int) \
        else input_hash(out)
    out["_input_hash"], out["_task_hash"] = value, task_hash(out, value)
    out["relations"] = relations
    out["answer"] = kept.get("answer") if kept.get("answer") in ("accept",) else "accept"
    out["_view_id"] = kept.get("_view_id") or VIEW_ID
    for key in PROVENANCE:
        if key in kept:
            out[key] = kept[key]
    if annotator is not None:
        out["_annotator_id"] = annotator
    return out


def task_line(ad: AnnotatedDocument, report: ExportReport, annotator: str | None = None) -> str:
    """The JSONL line of one task, its `tokens` written directly after `meta` (the same
    text `json.dumps` makes of the token dicts, without a dict per token)."""
    tokens = _Tokens(ad.document.text)
    rec = task(ad, report, annotator, tokens)
    head = json.dumps({"text": rec.pop("text"), "meta": rec.pop("meta")}, ensure_ascii=False)
    tail = json.dumps(rec, ensure_ascii=False)
    return f'{head[:-1]}, "tokens": {tokens_json(tokens.text, tokens.rows)}, {tail[1:]}'


def lines(corpus: Iterable[AnnotatedDocument], report: ExportReport) -> Iterator[str]:
    for ad in corpus:
        report.documents += 1
        for annotator, layer in layers(ad):
            report.entities += sum(1 for e in layer.entities if e.status == "accepted")
            report.relations += sum(1 for r in layer.relations if r.status == "accepted")
            yield task_line(layer, report, annotator) + "\n"


def export_prodigy(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                   progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    report = ExportReport()
    try:
        with atomic_file(out) as handle:
            for line in lines(counted(corpus, progress, cancelled), report):
                handle.write(line)
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    report.files.append(out)
    return report


def read_prodigy(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    """Prodigy (or our) tasks only."""
    yield read_records(path, schema, encoding, lambda obj: _prodigy.parse_task)


EXPORTERS = (Exporter(name="prodigy", write=export_prodigy),)
IMPORTERS = (Importer(name="prodigy", suffixes=(".jsonl", ".json"), read=read_prodigy, order=2),)
