"""Saved web pages (.html, .htm, .xhtml): the article's main text and its metadata.

trafilatura, an extractor made for news pages, finds the article among the menus,
adverts, "most popular" lists and footers, and reads its title, author, date, site and
URL (a browser's "saved from url" mark is the URL's fallback). The page is parsed once;
frames, embedded objects, scripts and styles are dropped before extraction, so a hostile
page yields its text only, never code, markup or image data. A page in which no article
is found (a short note, a bare list) is imported with all of its visible text, and the
import says so. The headline leads the stored text, as it leads the article.

`extract_html` is also how e-mail bodies written in HTML are read (see `eml`).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from annotate.schema import Schema

from ._common import ImportBatch, Importer
from ._received import (
    Received, SourceError, iso_date, one_line, quiet, read_received, with_title_first,
)

_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.IGNORECASE)
_NOT_CONTENT = ("iframe", "frame", "frameset", "object", "embed", "applet", "template")
_META_FIELDS = ("url", "author", "date", "sitename")


def extract_html(data: bytes | str, url: str | None = None) -> Received:
    """The main text and metadata of one HTML document."""
    import trafilatura

    with quiet("trafilatura", "htmldate", "courlan", "justext", "readability"):
        found = trafilatura.bare_extraction(_tree(data), url=url, with_metadata=True,
                                            include_comments=False, include_tables=True,
                                            include_images=False, include_links=False)
        text = (found.text or "") if found is not None else ""
        notes: tuple[str, ...] = ()
        if not text.strip():  # the extraction consumed the tree: the whole page from a new one
            text = trafilatura.html2txt(_tree(data)) or ""
            notes = ("no article found in the page; all of its text was imported",)
    body = "\n\n".join(p.strip() for p in text.split("\n") if p.strip())
    if not body:
        raise SourceError("no text found in this page")
    meta = {k: one_line(getattr(found, k, None)) for k in _META_FIELDS} if found else {}
    if meta.get("date"):
        meta["date"] = iso_date(meta["date"])
    if meta.get("sitename"):
        meta["site"] = meta.pop("sitename")
    title = one_line(getattr(found, "title", None) if found else None) or _page_title(data)
    return Received(text=with_title_first(title, body), title=title,
                    meta={"title": title, **meta}, notes=notes)


def _tree(data: bytes | str):  # type: ignore[no-untyped-def]
    """The parsed page without frames and embedded objects."""
    import trafilatura
    from lxml import etree

    tree = trafilatura.load_html(data)
    if tree is None:
        raise SourceError("not an HTML page")
    for element in tree.iter(*_NOT_CONTENT):
        element.text = None  # their own text is fallback for browsers that cannot show them
    # unwrapped, not removed: the parser nests what follows an unclosed <embed> inside it
    etree.strip_tags(tree, *_NOT_CONTENT)
    return tree


def _page_title(data: bytes | str) -> str:
    found = _tree(data).find(".//title")
    return one_line(found.text_content()) if found is not None else ""


def _parse_page(data: bytes, path: Path) -> Received:
    saved = _SAVED_FROM.search(data, 0, 4096)
    url = saved.group(1).decode("ascii", "replace") if saved else None
    received = extract_html(data, url)
    if url and not received.meta.get("url"):
        received.meta["url"] = url
    return received


def read_html(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    """One batch with the page's article, or its one-line error."""
    yield from read_received(path, "html", _parse_page)


IMPORTERS = (Importer(name="html", suffixes=(".html", ".htm", ".xhtml"), read=read_html,
                      order=60),)
