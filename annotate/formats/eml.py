"""E-mail messages (.eml): the body an article arrives in, with sender, subject and date.

The standard library's `email` package (modern policy) parses the message. The body is
the text/plain part when there is one, else the HTML part read by the same extractor
as saved web pages (so scripts and markup never reach the text). Subject, sender, date
and recipients go into the metadata; attachments are listed there by name and size but
not imported (import them as files of their own).
"""
from __future__ import annotations

from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from annotate.schema import Schema

from ._common import ImportBatch, Importer
from ._received import Received, SourceError, iso_date, one_line, read_received

MAX_PARTS = 500


def _parse_eml(data: bytes, path: Path) -> Received:
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not any(message.get(h) for h in ("From", "Subject", "Date", "Message-ID")):
        raise SourceError("not an e-mail message (no From, Subject or Date header)")
    if sum(1 for _ in message.walk()) > MAX_PARTS:
        raise SourceError(f"more than {MAX_PARTS} parts in the message")
    text, notes = _body(message)
    subject = one_line(message.get("Subject"))
    meta = {"title": subject, "author": one_line(message.get("From")),
            "to": one_line(message.get("To")), "date": _date(message.get("Date")),
            "attachments": [_attachment(part) for part in message.iter_attachments()]}
    return Received(text=text, title=subject, meta=meta, notes=notes)


def _body(message) -> tuple[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    from .webpage import extract_html

    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise SourceError("the message has no text body")
    content = part.get_content()
    if isinstance(content, bytes):
        raise SourceError("the message body is not text")
    if part.get_content_subtype() == "html":
        extracted = extract_html(content)
        return extracted.text, extracted.notes
    return content, ()


def _attachment(part) -> str:  # type: ignore[no-untyped-def]
    name = one_line(part.get_filename()) or "(unnamed)"
    payload = part.get_payload(decode=True) or b""
    return f"{name} ({part.get_content_type()}, {len(payload):,} bytes)"


def _date(value: object) -> str:
    if not value:
        return ""
    try:
        return iso_date(parsedate_to_datetime(str(value)))
    except (TypeError, ValueError, IndexError):
        return one_line(value)


def read_eml(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    """One batch with the message's body, or its one-line error."""
    yield from read_received(path, "eml", _parse_eml)


IMPORTERS = (Importer(name="eml", suffixes=(".eml",), read=read_eml, order=63),)
