"""What the importers of received documents share (web pages, PDF, Word, e-mail).

These files come from outside and are untrusted: each importer turns one file into one
plain-text document and its metadata, or into one line saying why it cannot. Sizes are
bounded before a parser sees the bytes, and whatever a third-party parser raises on a
malformed file becomes that one line; nothing reaches the store unless the whole file
was read.

The stored text is what the analyst annotates: paragraphs separated by one blank line,
LF line ends, no control characters, offsets as code points into it. The source's own
metadata (URL, title, author, date, page count, ...) goes into the document's `meta`
next to the original file name.
"""
from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from annotate.model import DocumentRecord

from ._common import ImportBatch, error_batch, title_from_text

MAX_SOURCE_BYTES = 64 * 1024 * 1024   # a received file larger than this is refused unread
MAX_TEXT_CHARS = 8_000_000            # about 4,000 pages of prose: beyond it a parser ran wild
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACES_AT_END = re.compile(r"[ \t\u00a0]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


class SourceError(ValueError):
    """The file cannot be imported; the message lacks only the file name."""


@dataclass
class Received:
    """One received file read into text: what the analyst annotates and where it came from."""

    text: str
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


Parser = Callable[[bytes, Path], Received]


def read_received(path: Path, fmt: str, parse: Parser) -> Iterator[ImportBatch]:
    """One batch: the file's document, or one line naming the file and the reason."""
    try:
        record, notes = _record(path, fmt, parse, MAX_SOURCE_BYTES)
    except SourceError as exc:
        yield error_batch(path, f"{path.name}: {exc}")
        return
    yield ImportBatch(source=path, records=(record,), notes=notes)


def _record(path: Path, fmt: str, parse: Parser, limit: int
            ) -> tuple[DocumentRecord, tuple[str, ...]]:
    data = _read_bytes(path, limit)
    if not data.strip():
        raise SourceError("empty file")
    try:
        received = parse(data, path)
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's failure on hostile bytes is one line
        raise SourceError(f"not a readable {fmt.upper()} file ({_reason(exc)})") from None
    text = tidy_text(received.text)
    if not text.strip():
        raise SourceError(f"no text found in this {fmt.upper()} file")
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(f"its text is longer than {MAX_TEXT_CHARS:,} characters")
    meta = {"file_name": path.name, "format": fmt}
    meta.update({k: v for k, v in received.meta.items() if v not in (None, "", [], ())})
    title = one_line(received.title) or title_from_text(text, path.stem)
    record = DocumentRecord(text=text, title=title[:200], source=str(path), meta=meta)
    return record, received.notes


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise SourceError(f"too large ({size / 2**20:.0f} MB; at most {limit // 2**20} MB)")
        with path.open("rb") as handle:
            return handle.read(limit + 1)[:limit]
    except OSError as exc:
        raise SourceError(f"cannot read ({exc.strerror or exc})") from None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextmanager
def quiet(*loggers: str) -> Iterator[None]:
    """Silence a parser's own logging and warnings: the import's answer is one line."""
    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in loggers]
    for log, _ in saved:
        log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for log, level in saved:
            log.setLevel(level)


def tidy_text(text: str) -> str:
    """LF line ends, no control characters or trailing spaces, at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACES_AT_END.sub("\n", text + "\n")
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


def paragraphs(lines: list[str]) -> str:
    """Non-empty lines as paragraphs, one blank line between them."""
    return "\n\n".join(s for s in (" ".join(line.split()) for line in lines) if s)


def one_line(value: object) -> str:
    """A metadata value as one trimmed line ('' for nothing)."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def iso_date(value: object) -> str:
    """A date or datetime as ISO 8601 text; other values as one line."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return one_line(value)


def with_title_first(title: str, text: str) -> str:
    """The text with its headline as the first paragraph (unless it already starts so)."""
    title = one_line(title)
    if not title or one_line(text[: len(title) * 2]).startswith(title):
        return text
    return f"{title}\n\n{text}"
