"""Two analysts' stores over the same ten documents, for the team tests.

Each document says "Turkey fights alongside Russia and Iran. Erdogan met Putin in Moscow."
(with its number, so the ten texts differ). alice and bob agree on Turkey, Russia,
Putin and Moscow; only alice marks Iran (a span bob missed); alice marks Erdogan as a
PERSON, bob as an ORG (a conflicting label); both relate Turkey ALLY_OF Russia; alice
adds Erdogan MEETS_WITH Putin, bob Russia SUPPORTS Turkey (different relations).
"""
from __future__ import annotations

from pathlib import Path

from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.session import Session
from storage.store import Store

TEMPLATE = "Report {n}: Turkey fights alongside Russia and Iran. Erdogan met Putin in Moscow."
SPANS = {"Turkey": "GPE", "Russia": "GPE", "Iran": "GPE", "Erdogan": "PERSON", "Putin": "PERSON",
         "Moscow": "GPE"}


def text(n: int) -> str:
    return TEMPLATE.format(n=n)


def span(n: int, word: str) -> tuple[int, int]:
    start = text(n).index(word)
    return start, start + len(word)


def record(n: int, annotator: str) -> DocumentRecord:
    words = dict(SPANS)
    if annotator == "bob":
        del words["Iran"]
        words["Erdogan"] = "ORG"
    names = list(words)
    entities = tuple(EntityRecord(*span(n, w), label, annotator=annotator)
                     for w, label in words.items())
    relations = [RelationRecord(names.index("Turkey"), names.index("Russia"), "ALLY_OF",
                                directed=False, annotator=annotator)]
    if annotator == "alice":
        relations.append(RelationRecord(names.index("Erdogan"), names.index("Putin"),
                                        "MEETS_WITH", directed=False, annotator=annotator))
    else:
        relations.append(RelationRecord(names.index("Russia"), names.index("Turkey"), "SUPPORTS",
                                        annotator=annotator))
    return DocumentRecord(text=text(n), title=f"Report {n}", entities=entities,
                          relations=tuple(relations))


def analyst_store(path: Path, annotator: str, count: int = 10) -> Path:
    """A store made by `annotator` holding the ten documents."""
    with Store(path) as store:
        Session(store, annotator=annotator).import_records(
            [record(n, annotator) for n in range(count)], source=annotator)
    return path
