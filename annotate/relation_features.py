"""Candidate entity pairs and their features, read from spaCy's parse of a document.

A candidate is a pair of (non-overlapping) entities in one sentence, taken in text
order: `first` before `second`. Its features are sparse string features for a linear
learner: the two labels, the words between them, their distance and how many
entities lie between, the words around them, the dependency path between their
syntactic heads (with and without the words on it) and the word where the path turns.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from typing import Any

Span = tuple[int, int, str]
MAX_BETWEEN = 12  # words between the two entities kept as features, from each end


def sentence_index(doc: Any) -> list[tuple[int, int]]:
    """Sentence offsets from the parse, cut at blank lines (as pre-annotation cuts them)."""
    from annotate.nlp import split_paragraphs

    return split_paragraphs(doc.text, ((s.start_char, s.end_char) for s in doc.sents))


def candidate_pairs(entities: Sequence[Span], sentences: Sequence[tuple[int, int]]
                    ) -> Iterator[tuple[int, int]]:
    """(i, j) index pairs of entities in the same sentence, entity i before entity j and
    not overlapping it."""
    starts = [s for s, _ in sentences]
    by_sentence: dict[int, list[int]] = {}
    for i, (start, end, _) in enumerate(entities):
        k = bisect.bisect_right(starts, start) - 1
        if k >= 0 and end <= sentences[k][1]:
            by_sentence.setdefault(k, []).append(i)
    for members in by_sentence.values():
        members.sort(key=lambda i: (entities[i][0], entities[i][1]))
        for a, i in enumerate(members):
            for j in members[a + 1:]:
                if entities[i][1] <= entities[j][0]:
                    yield i, j


def token_spans(doc: Any, entities: Sequence[Span]) -> list[Any]:
    """The spaCy Span of each entity (widened to whole tokens)."""
    out = []
    for start, end, _ in entities:
        span = doc.char_span(start, end, alignment_mode="expand")
        out.append(span if span is not None and len(span) else doc[0:1])
    return out


def pair_features(doc: Any, first: Any, second: Any, first_label: str, second_label: str,
                  entity_starts: Sequence[int]) -> dict[str, float]:
    """Sparse features of the candidate (first, second): spaCy Spans, first before second."""
    pair = f"{first_label}|{second_label}"
    f: dict[str, float] = {f"l1={first_label}": 1, f"l2={second_label}": 1, f"pair={pair}": 1}
    between = doc[first.end:second.start]
    words = [t.lower_ for t in between if not t.is_punct]
    f[f"dist={min(len(between), 10)}"] = 1
    inner = bisect.bisect_left(entity_starts, second.start_char) - \
        bisect.bisect_right(entity_starts, first.start_char)
    f[f"ents_between={min(inner, 3)}"] = 1
    if not words:
        f["adjacent"] = 1
    for w in words[:MAX_BETWEEN] + words[-MAX_BETWEEN:]:
        f[f"bw={w}"] = 1
    if len(words) <= 4:
        f[f"bws={' '.join(words)}|{pair}"] = 1
    f[f"before={doc[first.start - 1].lower_ if first.start else '<s>'}"] = 1
    f[f"after={doc[second.end].lower_ if second.end < len(doc) else '</s>'}"] = 1
    f[f"r1={first.root.lower_}"] = 1
    f[f"r2={second.root.lower_}"] = 1
    for name, value in _path_features(first.root, second.root).items():
        f[name] = 1
        f[f"{name}|{pair}"] = 1
    return f


def _path_features(a: Any, b: Any) -> dict[str, int]:
    """The dependency path from token a up to the lowest common ancestor and down to b."""
    up = [a, *a.ancestors]
    down = [b, *b.ancestors]
    down_ids = {t.i: n for n, t in enumerate(down)}
    lca_n = next((n for n, t in enumerate(up) if t.i in down_ids), None)
    if lca_n is None:  # different sentences' trees
        return {"path=none": 1}
    lca = up[lca_n]
    rising = [t.dep_ for t in up[:lca_n]]
    falling = [t.dep_ for t in reversed(down[:down_ids[lca.i]])]
    path = "/".join([*(d + "^" for d in rising), *("v" + d for d in falling)])
    words = "/".join([t.lower_ for t in up[1:lca_n]] + [lca.lower_] +
                     [t.lower_ for t in reversed(down[1:down_ids[lca.i]])])
    out = {f"path={path}": 1, f"lca={lca.lower_}": 1,
           f"path_len={min(len(rising) + len(falling), 6)}": 1}
    if len(rising) + len(falling) <= 4:
        out[f"pathw={path}|{words}"] = 1
    return out
