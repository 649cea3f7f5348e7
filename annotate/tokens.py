"""Tokens and sentences as plain data, from a blank English spaCy pipeline.

The blank pipeline's tokenizer is the one `en_core_web_sm` uses, so exported token
indices agree with the model's, yet no model has to be installed to export.
Offsets are code points into the text, `end` exclusive.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    start: int
    end: int
    text: str
    ws: bool

    def to_dict(self) -> dict[str, object]:
        """The Prodigy token dict."""
        return {"text": self.text, "start": self.start, "end": self.end, "id": self.id,
                "ws": self.ws}


@lru_cache(maxsize=1)
def blank_english() -> Language:
    """A tokenizer-only English pipeline that accepts texts of any length."""
    import spacy

    nlp = spacy.blank("en")
    nlp.max_length = 10**10  # the tokenizer alone needs no parser-sized memory budget
    return nlp


def tokenize(text: str) -> list[Token]:
    """The text's tokens, whitespace runs included as spaCy makes them."""
    doc = blank_english().make_doc(text)
    return [Token(t.i, t.idx, t.idx + len(t.text), t.text, bool(t.whitespace_)) for t in doc]


def sentencize(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence (start, end) offsets from spaCy's rule-based sentencizer."""
    return tuple((s.start_char, s.end_char) for s in sentence_doc(text).sents)


def sentence_doc(text: str):  # -> spacy.tokens.Doc
    """The blank pipeline's `Doc` with sentence starts from the rule-based sentencizer."""
    return _sentencizer()(text)


@lru_cache(maxsize=1)
def _sentencizer() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.max_length = 10**10
    nlp.add_pipe("sentencizer")
    return nlp


class TokenIndex:
    """Maps code-point offsets to the tokens that hold them."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens
        self._starts = [t.start for t in tokens]

    def at(self, offset: int) -> int:
        """Index of the token containing `offset` (or the last one starting before it)."""
        return max(bisect_right(self._starts, offset) - 1, 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """(token_start, token_end): the tokens holding the first and the last character."""
        return self.at(start), self.at(max(end - 1, start))
