"""Importing saved web pages against trafilatura extracting the same pages.

    python -m bench.bench_reader

1,000 saved news pages: the Herald Sun page of tests/data/reader (menus, login form,
adverts, teaser lists, footer, scripts: the furniture a real page has) with its headline
and article replaced by a different news text (3-6 kB) for each page. Interleaved:

- raw: for each file, read its bytes and `trafilatura.bare_extraction` with the options
  Arcmark uses (metadata, no comments, tables, no images or links);
- Arcmark: `import_path(session, folder)` into a new store, what `main.py import` and the
  window call: each page parsed, frames and objects dropped, extracted, the text tidied,
  its metadata kept, and every document stored.

Both sides first run once over 30 other pages (modules loaded, caches filled).
Target: Arcmark's pages/s >= 0.8x the raw pages/s.
"""
from __future__ import annotations

import html
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import ROOT, at_least, info, interleaved, median, news_documents, say

PAGES = 1_000
WARM_UP = 30
TEMPLATE = ROOT / "tests" / "data" / "reader" / "herald-sun-surveillance.html"
_ARTICLE = re.compile(r'(<div id="read-more-content">).*?(</div>)', re.DOTALL)
_HEADLINE = "Angry media won’t buckle over new surveillance laws"


def make_pages(folder: Path, count: int = PAGES, seed: int = 18) -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    for n, (title, text) in enumerate(news_documents(count=count, seed=seed)):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
        headline = html.escape(f"{title[:80]} ({n})")
        page = _ARTICLE.sub(lambda m, b=body: m.group(1) + b + m.group(2), template, count=1)
        (folder / f"page-{n:04d}.html").write_text(page.replace(_HEADLINE, headline),
                                                  encoding="utf-8")


def raw_extract(folder: Path, pages: int = PAGES) -> float:
    import trafilatura

    started = time.perf_counter()
    extracted = 0
    for path in sorted(folder.iterdir()):
        found = trafilatura.bare_extraction(path.read_bytes(), with_metadata=True,
                                            include_comments=False, include_tables=True,
                                            include_images=False, include_links=False)
        extracted += found is not None and bool(found.text)
    seconds = time.perf_counter() - started
    if extracted != pages:
        raise RuntimeError(f"trafilatura extracted {extracted} of {pages} pages")
    return seconds


def arcmark_import(folder: Path, store_path: Path, pages: int = PAGES) -> float:
    from annotate.corpus_io import import_path
    from annotate.session import Session
    from storage.store import Store

    store_path.unlink(missing_ok=True)
    started = time.perf_counter()
    with Store(store_path) as store:
        report = import_path(Session(store, annotator="bench"), folder)
    seconds = time.perf_counter() - started
    if len(report.result.documents_added) != pages or report.errors:
        raise RuntimeError(f"imported {len(report.result.documents_added)} pages: {report.errors[:3]}")
    return seconds


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    import trafilatura  # noqa: F401 - imported once for both sides, not timed

    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "pages"
        folder.mkdir()
        say(f"reader: writing {PAGES:,} saved news pages ...")
        make_pages(folder)
        size = sum(p.stat().st_size for p in folder.iterdir())
        warm = tmp / "warm-up"
        warm.mkdir()
        make_pages(warm, WARM_UP, seed=81)  # caches filled and modules loaded on both sides
        raw_extract(warm, WARM_UP)
        arcmark_import(warm, tmp / "warm.db", WARM_UP)
        times = interleaved({
            "trafilatura.bare_extraction": lambda: raw_extract(folder),
            "import_path (html)": lambda: arcmark_import(folder, tmp / "corpus.db"),
        }, log=say)
    raw, ours = (PAGES / median(times[k]) for k in times)
    return [
        info("reader: trafilatura alone", raw, "pages/s",
             f"{PAGES:,} saved news pages, {size / PAGES / 1024:.0f} kB each"),
        info("reader: html import into a store (import_path)", ours, "pages/s"),
        at_least("reader: html import / trafilatura alone", ours / raw, "x", 0.8),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
