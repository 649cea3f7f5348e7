"""Word documents (.docx): paragraphs, headings and tables' text, with the core properties.

python-docx reads the body in document order: each paragraph (headings included) is a
paragraph of the stored text, each table row a line of its cells' text separated by
tabs (a merged cell once). Page headers and footers, footnotes and comments are page
furniture and are left out. Title, author and dates come from the core properties.

A .docx is a zip archive: its declared sizes are checked before python-docx opens it
(the zip reader never inflates a member past its declared size), so a decompression
bomb is refused unread; python-docx parses the XML without resolving entities.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from annotate.schema import Schema

from ._common import ImportBatch, Importer
from ._received import Received, SourceError, iso_date, one_line, read_received

MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # a member inflating more than this is a bomb, not a document


def _check_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise SourceError("not a Word document (.docx is a zip archive; is it an old .doc?)") \
            from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise SourceError(f"{len(members):,} parts in the archive; at most {MAX_MEMBERS:,}")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise SourceError(f"unpacks to {total / 2**20:.0f} MB; at most "
                          f"{MAX_UNPACKED_BYTES // 2**20} MB")
    for m in members:
        if m.file_size > 1_000_000 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise SourceError(f"{m.filename} inflates {m.file_size // max(m.compress_size, 1)} "
                              "times (a decompression bomb?)")
    if "word/document.xml" not in archive.namelist():
        raise SourceError("not a Word document (no word/document.xml in the archive)")


def _parse_docx(data: bytes, path: Path) -> Received:
    import docx

    _check_archive(data)
    document = docx.Document(BytesIO(data))
    blocks = [text for item in document.iter_inner_content() for text in _block_text(item)]
    props = document.core_properties
    title = one_line(props.title)
    meta = {"title": title, "author": one_line(props.author),
            "date": iso_date(props.created or props.modified)}
    return Received(text="\n\n".join(b for b in blocks if b.strip()), title=title, meta=meta)


def _block_text(item) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from docx.table import Table

    if not isinstance(item, Table):
        yield " ".join(item.text.split())
        return
    rows = []
    for row in item.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell appears once per grid column
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        rows.append("\t".join(cells).strip())
    yield "\n".join(r for r in rows if r)


def read_docx(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    """One batch with the document's text, or its one-line error."""
    yield from read_received(path, "docx", _parse_docx)


IMPORTERS = (Importer(name="docx", suffixes=(".docx",), read=read_docx, order=62),)
