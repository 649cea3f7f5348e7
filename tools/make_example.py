"""Build the worked example: the seed article, reviewed and annotated as an analyst would.

    python -m tools.make_example [OUT.jsonl]

Pre-annotates the seed article with the model, then reviews every suggestion
(accepting, correcting or rejecting it), adds what the model missed, and marks the
relations a careful analyst would record, all through the session's verbs. The
result is exported as JSONL to `seeds/example/worked-example.jsonl`, which `main.py import`
and Help → Open example read.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from annotate.formats import export_corpus
from annotate.model import DocumentRecord
from annotate.preannotate import preannotate
from annotate.session import Session
from storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "Turkey fights alongside Russia and Iran.txt"
OUT = ROOT / "seeds" / "example" / "worked-example.jsonl"

# (context that occurs once, the mention inside it) -> what the analyst decides
RELABEL = [
    ("PETER KORZUN | 19.01.2017", "19.01.2017", "DATE"),
    ("holding the town of al-Bab", "al-Bab", "GPE"),
    ("northeast of Aleppo", "Aleppo", "GPE"),
    ("groups from Aleppo", "Aleppo", "GPE"),
    ("four F-16s", "F-16s", "PRODUCT"),
    ("four F-4s", "F-4s", "PRODUCT"),
    ("IS deployed at al-Bab", "al-Bab", "GPE"),
    ("towns like Jarablus", "Jarablus", "GPE"),
    ("and Dabiq from", "Dabiq", "GPE"),
    ("Russia and Turley", "Turley", "GPE"),  # a typo for Turkey in the source
    ("adopted the Moscow Declaration", "Moscow Declaration", "LAW"),
    ("the Turkish Stream natural", "Turkish Stream", "FAC"),
]
RESIZE = [
    # (context, the suggestion as the model saw it, the right extent, label)
    ("US Air Force Col. John", "US Air Force Col", "US Air Force", "ORG"),
    ("free al-Bab from the Islamic State.", "Islamic", "Islamic State", "ORG"),
    ("upcoming Astana talks", "Astana", "Astana talks", "EVENT"),
]
REJECT = [
    ("Emergence of a New Alliance: Russia, Turkey Join Together Fighting Terrorists\n\nPETER",
     "New Alliance"),
    ("WORLD\n\nEmergence of a New Alliance", "New Alliance"),
    ("Turkic countries, comprising", "Turkic"),
]
ADD = [
    ("PETER KORZUN", "PETER KORZUN", "PERSON"),
    ("Islamic State (IS) militants", "IS", "ORG"),
    ("the General Staff of the Russian", "General Staff", "ORG"),
    ("consent of the Syrian government", "Syrian government", "ORG"),
    ("four Su-24Ms", "Su-24Ms", "PRODUCT"),
    ("four Su-25s", "Su-25s", "PRODUCT"),
    ("bomber Su-34", "Su-34", "PRODUCT"),
    ("the formations of IS", "IS", "ORG"),
    ("Organization (SCO)", "SCO", "ORG"),
    ("Turkic-Speaking States (CCTS)", "CCTS", "ORG"),
    ("long-range S-400 air", "S-400", "PRODUCT"),
    ("Countries (TURKPA)", "TURKPA", "ORG"),
    ("Culture (TURKSOY)", "TURKSOY", "ORG"),
    ("from the IS.", "IS", "ORG"),
    ("current Syrian government", "Syrian government", "ORG"),
    ("US-led coalition", "US-led coalition", "ORG"),
    ("Raqqa from IS militants", "IS", "ORG"),
    ("sooner or later the IS", "IS", "ORG"),
]
# (head context, head, tail context, tail, label, confidence, note)
RELATIONS = [
    ("Russian and Turkish air", "Russian", "against Islamic State (IS)", "Islamic State",
     "FIGHTS_AGAINST", "high", "joint air operation at al-Bab"),
    ("Russian and Turkish air", "Turkish", "against Islamic State (IS)", "Islamic State",
     "FIGHTS_AGAINST", "high", "joint air operation at al-Bab"),
    ("Islamic State (IS) militants", "Islamic State", "Islamic State (IS) militants", "IS",
     "SAME_AS", None, ""),
    ("Lieutenant-General Sergei Rudskoi", "Sergei Rudskoi", "the Main Operations Directorate",
     "the Main Operations Directorate", "LEADS", "high", ""),
    ("the Main Operations Directorate", "the Main Operations Directorate",
     "the General Staff of the Russian", "General Staff", "PART_OF", "high", ""),
    ("the General Staff of the Russian", "General Staff", "of the Russian\u00a0Federation",
     "Russian\u00a0Federation", "PART_OF", "high", ""),
    ("after the US military said", "US", "support the Turkish offensive", "Turkish",
     "SUPPORTS", "high", "US airstrikes in support of the Turkish offensive on al-Bab"),
    ("rebuked by Turkey", "Turkey", "after the United States was", "the United States",
     "OPPOSES", "low", "Turkey rebuked the US for not doing enough to support its offensive"),
    ("Col. John Dorrian", "John Dorrian", "US Air Force Col", "US Air Force",
     "MEMBER_OF", "high", "spokesman for the US-led coalition"),
    ("first time Russia and the US", "Russia", "the formations of IS", "IS",
     "FIGHTS_AGAINST", "high", "strikes against a common target at al-Bab"),
    ("first time Russia and the US", "US", "the formations of IS", "IS",
     "FIGHTS_AGAINST", "high", "strikes against a common target at al-Bab"),
    ("the formations of IS", "IS", "IS deployed at al-Bab", "al-Bab", "LOCATED_IN", "high", ""),
    ("alliance between Russia and Turkey has been", "Russia",
     "alliance between Russia and Turkey has been", "Turkey", "ALLY_OF", "high",
     "alliance getting increasingly close; brokered a Syria truce together"),
    ("talks in Astana, Kazakhstan", "Astana", "talks in Astana, Kazakhstan", "Kazakhstan",
     "LOCATED_IN", "high", ""),
    ("Turkish President Tayyip Erdogan", "Tayyip Erdogan", "Erdogan that Turkey mulls", "Turkey",
     "LEADS", "high", "Turkish President"),
    ("the\u00a0Shanghai Cooperation Organization (SCO)", "the\u00a0Shanghai Cooperation Organization",
     "Organization (SCO)", "SCO", "SAME_AS", None, ""),
    ("the\u00a0Shanghai Cooperation Organization (SCO)", "the\u00a0Shanghai Cooperation Organization",
     "or Shanghai Pact", "Shanghai Pact", "SAME_AS", None, ""),
    ("the\u00a0Cooperation Council of Turkic-Speaking States", "the\u00a0Cooperation Council of "
     "Turkic-Speaking States", "Turkic-Speaking States (CCTS)", "CCTS", "SAME_AS", None, ""),
    ("comprising Azerbaijan", "Azerbaijan", "Turkic-Speaking States (CCTS)", "CCTS",
     "MEMBER_OF", "high", ""),
    ("Azerbaijan, Kazakhstan", "Kazakhstan", "Turkic-Speaking States (CCTS)", "CCTS",
     "MEMBER_OF", "high", ""),
    ("Kyrgyzstan and Turkey", "Kyrgyzstan", "Turkic-Speaking States (CCTS)", "CCTS",
     "MEMBER_OF", "high", ""),
    ("Kyrgyzstan and Turkey", "Turkey", "Turkic-Speaking States (CCTS)", "CCTS",
     "MEMBER_OF", "high", ""),
    ("Turkey is in talks with Russia", "Turkey", "Turkey is in talks with Russia", "Russia",
     "NEGOTIATES_WITH", "high", "talks on purchasing the S-400 air defence system"),
    ("Turkey is in talks with Russia", "Turkey", "Turkey is in talks with Russia", "Russia",
     "BUYS_FROM", "moderate", "negotiating to buy the S-400; not yet signed"),
    ("Turkey is in talks with Russia", "Russia", "long-range S-400 air", "S-400",
     "SUPPLIES", "moderate", "offered to Turkey"),
    ("General Hulusi Akar", "Hulusi Akar", "visited Russia last November", "Russia",
     "MEETS_WITH", "high", "visit to discuss military cooperation"),
    ("Saint-Petersburg, Russia and Turkey signed", "Russia",
     "Saint-Petersburg, Russia and Turkey signed", "Turkey", "ALLY_OF", "high",
     "declaration on unprecedented partnership in defence industry"),
    ("Ankara’s close military dialogue", "Ankara", "dialogue with Moscow", "Moscow",
     "MEETS_WITH", "high", "close military dialogue"),
    ("President Putin’s visit", "Putin", "visit to Turkey in October", "Turkey",
     "MEETS_WITH", "high", "visit in October 2016; Turkish Stream agreement signed"),
    ("Prime Minister Yıldırım visited", "Yıldırım", "visited Moscow in December", "Moscow",
     "MEETS_WITH", "high", ""),
    ("the event President Assad has supported", "Assad", "upcoming Astana talks", "Astana talks",
     "SUPPORTS", "high", ""),
    ("December 20, Russia, Turkey and Iran", "Russia", "adopted the Moscow Declaration",
     "Moscow Declaration", "SUPPORTS", "high", "adopted the declaration"),
    ("December 20, Russia, Turkey and Iran", "Turkey", "adopted the Moscow Declaration",
     "Moscow Declaration", "SUPPORTS", "high", "adopted the declaration"),
    ("December 20, Russia, Turkey and Iran", "Iran", "adopted the Moscow Declaration",
     "Moscow Declaration", "SUPPORTS", "high", "adopted the declaration"),
    ("December 20, Russia, Turkey and Iran", "Russia", "December 20, Russia, Turkey and Iran",
     "Iran", "ALLY_OF", "moderate", "guarantors of the Syria settlement"),
    ("December 20, Russia, Turkey and Iran", "Turkey", "December 20, Russia, Turkey and Iran",
     "Iran", "ALLY_OF", "moderate", "guarantors of the Syria settlement"),
    ("The US-led coalition has", "US-led coalition", "Raqqa from IS militants", "IS",
     "FIGHTS_AGAINST", "high", "battles for Mosul and Raqqa"),
    ("The formation of an alliance between Russia and Turkey", "Russia",
     "an alliance between Russia and Turkey has", "Turkey", "ALLY_OF", "high", ""),
    ("an alliance between Russia and Turkey has", "Turkey", "a member of NATO", "NATO",
     "MEMBER_OF", "high", "“one of them a member of NATO”"),
]


def locate(text: str, context: str, mention: str) -> tuple[int, int]:
    # the source uses no-break spaces in places; match them as spaces (same length)
    text, context, mention = (s.replace("\u00a0", " ") for s in (text, context, mention))
    at = text.find(context)
    if at < 0 or text.find(context, at + 1) >= 0:
        raise SystemExit(f"context not unique in the seed: {context!r}")
    inner = context.find(mention)
    if inner < 0:
        raise SystemExit(f"{mention!r} not in {context!r}")
    return at + inner, at + inner + len(mention)


def build(session: Session, doc: int) -> None:
    text = session.document(doc).text
    by_span = {(e.start, e.end): e for e in session.entities(doc)}
    for context, mention, label in RELABEL:
        session.relabel_entity(by_span[locate(text, context, mention)].id, label)
    for context, seen, right, label in RESIZE:
        entity = by_span[locate(text, context, seen)]
        start, end = locate(text, context, right)
        session.resize_entity(entity.id, start, end)
        if entity.label != label:
            session.relabel_entity(entity.id, label)
    for context, mention in REJECT:
        session.reject_entity(by_span[locate(text, context, mention)].id)
    for context, mention, label in ADD:
        session.add_entity(doc, *locate(text, context, mention), label)
    session.accept_all(doc)
    ids = {(e.start, e.end): e.id for e in session.entities(doc) if e.status == "accepted"}
    for h_ctx, head, t_ctx, tail, label, confidence, note in RELATIONS:
        session.add_relation(ids[locate(text, h_ctx, head)], ids[locate(text, t_ctx, tail)], label,
                             confidence=confidence, note=note)
    session.set_document_status(doc, "done")


def main(out: Path = OUT) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "example.db")
        session = Session(store, annotator="arcmark-example")
        doc = session.import_records([DocumentRecord(text=SEED.read_text(encoding="utf-8"),
                                                     source=SEED.name)]).documents_added[0]
        preannotate(session)
        build(session, doc)
        report = export_corpus("jsonl", session.corpus(), session.schema, out)
        store.close()
    print(f"wrote {out}: {report.entities} entities, {report.relations} relations")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
