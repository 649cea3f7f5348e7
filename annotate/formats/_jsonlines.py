"""Reading JSON Lines files record by record, all or nothing per file.

A parser turns one JSON object into a `DocumentRecord` (or None to skip it, with the
reason counted in the batch's notes) and raises `RecordError` for a bad record; the
reader adds the file name and line number to the message.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from annotate.model import DocumentRecord
from annotate.schema import Schema

from ._common import ImportBatch, RecordError, error_batch

SCHEMA_MARK = "arcmark"
SCHEMA_SUFFIX = ".schema.json"


class Skip(Exception):
    """A record deliberately not imported; the message names its kind (e.g. a rejected task)."""


Parser = Callable[[dict[str, Any], Schema, "Schema | None"], DocumentRecord]


def schema_side_file(path: Path) -> Path:
    """`corpus.jsonl` -> `corpus.schema.json`."""
    return path.with_name(path.stem + SCHEMA_SUFFIX)


def is_schema_header(obj: object) -> bool:
    return isinstance(obj, dict) and obj.get(SCHEMA_MARK) == "schema"


def schema_from_header(obj: dict[str, Any], where: str) -> Schema:
    try:
        return Schema.from_dict(obj["schema"], source=where)
    except (KeyError, TypeError) as exc:
        raise RecordError(f"malformed schema header ({exc})") from None
    except Exception as exc:  # ArcmarkError from the schema's own checks
        raise RecordError(str(exc).removeprefix(f"{where}: ")) from None


def iter_json_objects(path: Path, encoding: str | None) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each non-blank line.

    A file holding one JSON array yields its items, numbered by position instead of line.

    Raises RecordError (message prefixed "LINE: ") on undecodable bytes or invalid JSON.
    """
    with path.open("r", encoding=encoding or "utf-8-sig", newline=None) as handle:
        first = True
        for number, line in enumerate(_lines(handle), start=1):
            if not line.strip():
                continue
            if first and line.lstrip().startswith("["):
                rest = line + handle.read()
                yield from _array_items(rest)
                return
            try:
                record = json.loads(line)
            except ValueError as exc:
                if first and line.lstrip().startswith("{"):
                    # pretty-printed objects one after another (doccano's own examples)
                    yield from _concatenated(line + handle.read(), number)
                    return
                raise RecordError(f"{number}: invalid JSON ({exc})") from None
            except RecursionError:
                raise RecordError(f"{number}: JSON nested too deeply") from None
            first = False
            yield number, record


def _lines(handle: Any) -> Iterator[str]:
    try:
        yield from handle
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 ({exc.reason}); pass --encoding") from None


def _concatenated(text: str, first_line: int) -> Iterator[tuple[int, Any]]:
    """The JSON values of `text` written one after another, each numbered by the line
    it starts on."""
    decoder = json.JSONDecoder()
    at, line = 0, first_line
    while True:
        skipped = len(text) - at - len(text[at:].lstrip())
        line += text.count("\n", at, at + skipped)
        at += skipped
        if at >= len(text):
            return
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError as exc:
            raise RecordError(f"{line + text.count(chr(10), at, exc.pos)}: invalid JSON "
                              f"({exc.msg})") from None
        except RecursionError:
            raise RecordError(f"{line}: JSON nested too deeply") from None
        yield line, value
        line += text.count("\n", at, end)
        at = end


def _array_items(text: str) -> Iterator[tuple[int, Any]]:
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise RecordError(f"{exc.lineno}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise RecordError("1: JSON nested too deeply") from None
    if not isinstance(items, list):
        raise RecordError("1: not a JSON array of records")
    yield from enumerate(items, start=1)


def read_records(path: Path, schema: Schema, encoding: str | None,
                 choose: Callable[[dict[str, Any]], Parser]) -> ImportBatch:
    """Parse every record of a JSONL (or JSON array) file; the first bad one fails the file.

    `choose` picks the parser from the first record, so one file holds one format.
    """
    name = path.name
    skipped: Counter[str] = Counter()
    records: list[DocumentRecord] = []
    try:
        declared = _side_schema(path)
        parser: Parser | None = None
        for number, obj in iter_json_objects(path, encoding):
            if not isinstance(obj, dict):
                raise RecordError(f"{number}: not a JSON object")
            if is_schema_header(obj):
                declared = _line_error(number, schema_from_header, obj, name)
                continue
            parser = parser or choose(obj)
            try:
                records.append(_line_error(number, parser, obj, schema, declared))
            except Skip as why:
                skipped[str(why)] += 1
    except RecordError as exc:
        return error_batch(path, f"{name}:{exc}" if str(exc)[:1].isdigit() else f"{name}: {exc}")
    except OSError as exc:
        return error_batch(path, f"{name}: cannot read ({exc.strerror})")
    if not records and not skipped:
        what = "holds a label schema but no documents" if declared else "empty file"
        return error_batch(path, f"{name}: {what}")
    notes = tuple(f"{count} {why}(s) not imported" for why, count in sorted(skipped.items()))
    return ImportBatch(source=path, records=tuple(records), schema=declared, notes=notes)


def _line_error(number: int, func: Callable[..., Any], *args: Any) -> Any:
    try:
        return func(*args)
    except RecordError as exc:
        raise RecordError(f"{number}: {exc}") from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise RecordError(f"{number}: malformed record ({type(exc).__name__}: {exc})") from None


def _side_schema(path: Path) -> Schema | None:
    side = schema_side_file(path)
    if not side.is_file():
        return None
    try:
        obj = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"schema file {side.name} is not readable JSON ({exc})") from None
    if not is_schema_header(obj):
        raise RecordError(f"schema file {side.name} is not an Arcmark schema")
    return schema_from_header(obj, side.name)
