"""Plain-text import (.txt, .md): one document per file.

Encoding rule. Without `--encoding` only encodings that identify themselves are accepted:
UTF-8 (with or without a BOM, the BOM is dropped; ASCII is UTF-8) and UTF-16/UTF-32 with
a BOM. Any other file is refused with one line naming charset-normalizer's best guess,
e.g. "news.txt: not UTF-8 text (looks like cp1251); pass --encoding cp1251": a guess
between cp1251, koi8-r and latin-1 is too easily wrong on short texts, and a wrongly
decoded text would be stored and annotated with no sign of the damage. With
`--encoding ENC` the file is decoded strictly with ENC.

Files with NUL bytes (and no UTF-16/32 BOM) or that no encoding fits are "binary file,
not text", except UTF-16 without a BOM, recognised by its NUL bytes on one parity and
refused with the encoding to pass; empty and whitespace-only files are "empty file".

Line endings are normalised on import: CRLF and lone CR become LF, so offsets, exports and
the GUI (which collapses CRLF) all count the same characters. Tabs, no-break spaces,
emoji and every other character are kept as they are.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from annotate.model import DocumentRecord
from annotate.schema import Schema

from ._common import ImportBatch, Importer, error_batch, title_from_text

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # never in text; \x1b (ESC) may be
_SNIFF = 1 << 18


class DecodeError(ValueError):
    """The bytes are not text we may decode; the message lacks only the file name."""


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name) under the module's encoding rule, or DecodeError."""
    if encoding:
        return _decode_as(data, encoding), encoding
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_as(data, name), name.replace("-sig", "")
    if b"\x00" in data:
        guess = _utf16_without_bom(data[:_SNIFF])
        if guess:
            raise DecodeError(f"looks like {guess} without a BOM; pass --encoding {guess}")
        raise DecodeError("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _guess(data)
    if guess is None:
        raise DecodeError("binary file, not text")
    raise DecodeError(f"not UTF-8 text (looks like {guess}); pass --encoding {guess}")


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DecodeError(f"unknown encoding {encoding!r}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not valid {encoding} (byte 0x{data[exc.start]:02x} "
                          f"at offset {exc.start}); pass the right --encoding") from None
    return text[1:] if text.startswith("\ufeff") else text


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit on one byte parity only, as in mostly-Latin UTF-16."""
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 4:
        return None
    if odd.count(0) > 0.6 * len(odd) and not even.count(0):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and not odd.count(0):
        return "utf-16-be"
    return None


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_SNIFF]).best()
    return best.encoding if best is not None else None


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_record(path: Path, text: str, encoding: str) -> DocumentRecord:
    return DocumentRecord(
        text=text,
        title=title_from_text(text, storable_name(path.stem)),
        source=storable_name(str(path)),
        meta={"file_name": storable_name(path.name), "encoding": encoding},
    )


def storable_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 in it (kept by Python as lone
    surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_text(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    """One batch with the file's document, or its one-line error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield error_batch(path, f"{path.name}: cannot read ({exc.strerror})")
        return
    try:
        text, used = decode_bytes(data, encoding)
    except DecodeError as exc:
        yield error_batch(path, f"{path.name}: {exc}")
        return
    if _CONTROL.search(text, 0, _SNIFF):
        yield error_batch(path, f"{path.name}: binary file, not text")
        return
    text = normalise_newlines(text)
    if not text.strip():
        yield error_batch(path, f"{path.name}: empty file")
        return
    yield ImportBatch(source=path, records=(text_record(path, text, used),))


IMPORTERS = (Importer(name="text", suffixes=(".txt", ".md"), read=read_text, order=0),)
