"""CoNLL-2003-style IOB2 export: entities only, lossy by design.

Each document starts with `-DOCSTART- -X- -X- O` and a blank line; then one token per line,
`TOKEN -X- _ TAG`, and a blank line after each sentence. Tokens come from the blank English
tokenizer; whitespace tokens are skipped and whitespace inside a token (e.g. a no-break
space) or inside a label becomes "_" so every line keeps four columns. Sentences are the document's stored
sentence offsets (from the annotation pipeline) when there are any, else spaCy's
rule-based sentencizer. Tags come from the accepted entities, widened to whole tokens and
without overlaps by the same rule as the spaCy export (longest, then earliest). An entity
that runs over a sentence break starts again with B- in the next sentence.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotate.model import AnnotatedDocument
from annotate.schema import Schema
from annotate.tokens import blank_english, sentence_doc

from ._common import (
    Cancel,
    Cancelled,
    Exporter,
    ExportReport,
    Progress,
    atomic_file,
    counted,
)
from .spacy_docbin import choose_ents, token_spans

DOCSTART = "-DOCSTART- -X- -X- O"
_SPACE = re.compile(r"\s")
_SPACES = re.compile(r"\s+")


def _tags(doc: object, ad: AnnotatedDocument, report: ExportReport) -> tuple[list[str], int]:
    tags = ["O"] * len(doc)  # type: ignore[arg-type]
    ents = choose_ents([p for p in token_spans(doc, ad.entities) if p[0].status == "accepted"])
    for _, span in ents:
        label = _SPACES.sub("_", span.label_)
        if label != span.label_:
            report.note(1, "labels with whitespace written with _ (CoNLL columns are "
                           "space-separated)")
        tags[span.start] = f"B-{label}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"I-{label}"
    return tags, len(ents)


def document_lines(ad: AnnotatedDocument, report: ExportReport) -> Iterator[str]:
    """The lines (without newlines) of one document, DOCSTART included."""
    text, stored = ad.document.text, ad.document.sentences
    doc = blank_english().make_doc(text) if stored else sentence_doc(text)
    starts = sorted({s for s, _ in stored} if stored else {s.start_char for s in doc.sents})
    tags, count = _tags(doc, ad, report)
    report.entities += count
    report.note(sum(1 for e in ad.entities if e.status == "accepted") - count,
                "accepted entities left out (overlaps)")
    yield DOCSTART
    yield ""
    boundary, in_sentence, previous = 0, False, "O"
    for token, tag in zip(doc, tags):
        if not token.text.strip():
            continue
        while boundary < len(starts) and token.idx >= starts[boundary]:
            boundary += 1
            if in_sentence:
                yield ""
                in_sentence, previous = False, "O"
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        yield f"{_SPACE.sub('_', token.text)} -X- _ {tag}"
        in_sentence, previous = True, tag
    if in_sentence:
        yield ""


def export_conll(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
                 progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    report = ExportReport()
    try:
        with atomic_file(out) as handle:
            for ad in counted(corpus, progress, cancelled):
                for line in document_lines(ad, report):
                    handle.write(line + "\n")
                report.documents += 1
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    report.files.append(out)
    return report


EXPORTERS = (Exporter(name="conll", write=export_conll),)
