"""PDF files with a text layer: the running text in reading order, with its metadata.

pypdf lays each page out as it is printed (its "layout" mode: text at its place on a
grid of characters). From that grid the reader:
- reads two-column pages column by column: a vertical gutter of blank characters that
  runs through consecutive lines splits them into a left and a right column; lines that
  cross the gutter (a headline, a running header) stay where they are;
- drops running headers and footers: a top or bottom line of a page that recurs (digits
  ignored) on at least half of the pages, and bare page numbers ("7", "Page 7 of 12");
- re-joins words hyphenated at line ends ("coordina-" + "tion"), keeps real hyphens
  before a capital ("Franco-" + "German"), joins a paragraph's lines with spaces and
  keeps one blank line between paragraphs; typographic ligatures become their letters.

A PDF without any text (a scan) is refused with a line saying to run OCR first; an
encrypted one that does not open with an empty password is refused too. The page count
is bounded, and pypdf itself bounds every decompressed stream.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from annotate.schema import Schema

from ._common import ImportBatch, Importer
from ._received import (
    MAX_TEXT_CHARS, Received, SourceError, iso_date, one_line, paragraphs, quiet, read_received,
)

MAX_PAGES = 2_000
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st", "\u00ad": ""})
_PAGE_NUMBER = re.compile(r"^[-\u2013\u2014\s]*(page\s*)?#+(\s*(of|/)\s*#+)?[-\u2013\u2014\s]*$",
                          re.IGNORECASE)
_MIN_GUTTER = 3      # blank grid columns between two text columns
_EDGE_LINES = 2      # lines at the top and at the bottom of a page that may be furniture


def _parse_pdf(data: bytes, path: Path) -> Received:
    with quiet("pypdf"):  # pypdf logs what it repairs
        return _read_pdf(data)


def _read_pdf(data: bytes) -> Received:
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data), strict=False)
    if reader.is_encrypted:
        _decrypt(reader)
    count = len(reader.pages)
    if count > MAX_PAGES:
        raise SourceError(f"{count:,} pages; at most {MAX_PAGES:,} are read")
    pages = _page_lines(reader)
    if not any(line.strip() for page in pages for line in page):
        raise SourceError("no text layer (a scanned PDF?); run OCR on it first")
    furniture = _running_lines(pages)
    lines: list[str] = []
    for page in pages:
        lines += [line for line in _trim_edges(page, furniture)]
    text = "\n\n".join(_join_lines(block) for block in _blocks(lines))
    info = reader.metadata or {}
    title = one_line(info.get("/Title"))
    meta = {"title": title, "author": one_line(info.get("/Author")), "pages": count,
            "date": iso_date(_pdf_date(reader))}
    return Received(text=text, title=title, meta=meta)


def _decrypt(reader) -> None:  # type: ignore[no-untyped-def]
    try:
        opened = reader.decrypt("")
    except Exception:  # noqa: BLE001 - e.g. AES without its crypto library: still "encrypted"
        opened = 0
    if not opened:
        raise SourceError("encrypted PDF; save a copy without a password and import that")


def _pdf_date(reader):  # type: ignore[no-untyped-def]
    info = reader.metadata
    if info is None:
        return None
    try:
        return info.creation_date
    except Exception:  # noqa: BLE001 - a malformed date string is no date
        return None


def _page_lines(reader) -> list[list[str]]:  # type: ignore[no-untyped-def]
    pages, total = [], 0
    for page in reader.pages:
        try:
            grid = page.extract_text(extraction_mode="layout")
        except Exception:  # noqa: BLE001 - layout needs font metrics a broken page may lack
            grid = page.extract_text()
        grid = grid.translate(_LIGATURES).replace("\t", " ")
        total += len(grid)
        if total > 4 * MAX_TEXT_CHARS:  # the grid pads with spaces; the text is far smaller
            raise SourceError(f"its text is longer than {MAX_TEXT_CHARS:,} characters")
        pages.append(_reading_order(grid.split("\n")))
    return pages


def _reading_order(grid: list[str]) -> list[str]:
    """The page's lines with each two-column stretch read left column first."""
    out: list[str] = []
    i = 0
    while i < len(grid):
        gutter = _gutter(grid, i)
        if gutter is None:
            out.append(grid[i].strip())
            i += 1
            continue
        left, right = [], []
        while i < len(grid) and (gutter := _narrow(grid[i], gutter)) is not None:
            left.append(grid[i][:gutter[0]].strip())
            right.append(grid[i][gutter[1]:].strip())
            i += 1
        out += _strip_blank(left) + _strip_blank(right)
    return out


def _gutter(grid: list[str], start: int) -> tuple[int, int] | None:
    """A blank vertical strip through the lines from `start` on with text on both sides."""
    window = [line.rstrip() for line in grid[start:start + 8]]
    if not window or not window[0].strip():
        return None
    width = max(len(line) for line in window)
    if width < 40:
        return None
    blank = [all(x >= len(line) or line[x] == " " for line in window) for x in range(width)]
    x = width // 4
    while x < 3 * width // 4:
        if blank[x]:
            end = x
            while end < width and blank[end]:
                end += 1
            both = sum(1 for line in window if line[:x].strip() and line[end:].strip())
            if end - x >= _MIN_GUTTER and end < width and both >= 2:
                return x, end
            x = end
        x += 1
    return None


def _narrow(line: str, gutter: tuple[int, int] | None) -> tuple[int, int] | None:
    """The gutter left blank by this line too (narrowed to fit it), or None if it crosses."""
    if gutter is None:
        return None
    start, end = gutter
    start = max(start, len(line[:end].rstrip()))
    inside = line[start:end]
    if inside.strip():
        end = start + len(inside) - len(inside.lstrip())
    return (start, end) if end - start >= 2 else None


def _strip_blank(lines: list[str]) -> list[str]:
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def _edges(page: list[str]) -> list[str]:
    filled = [line for line in page if line.strip()]
    return filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Keys of top/bottom lines that recur on at least half of the pages (two at least)."""
    if len(pages) < 2:
        return set()
    seen = Counter(key for page in pages for key in {_key(line) for line in _edges(page)})
    return {key for key, n in seen.items() if n >= 2 and n * 2 >= len(pages)}


def _trim_edges(page: list[str], furniture: set[str]) -> list[str]:
    edges = set(_edges(page))
    return [line for line in page
            if not (line in edges and (_key(line) in furniture or _PAGE_NUMBER.match(_key(line))))]


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(" ".join(line.split()))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _join_lines(block: list[str]) -> str:
    """One paragraph from its printed lines, hyphenation at line ends undone."""
    text = block[0]
    for line in block[1:]:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha():
            text = text[:-1] + line if line[:1].islower() else text + line
        else:
            text = f"{text} {line}"
    return paragraphs([text])


def read_pdf(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    """One batch with the PDF's running text, or its one-line error."""
    yield from read_received(path, "pdf", _parse_pdf)


IMPORTERS = (Importer(name="pdf", suffixes=(".pdf",), read=read_pdf, order=61),)
