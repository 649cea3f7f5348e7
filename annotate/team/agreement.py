"""Inter-annotator agreement, per pair of annotators and per label.

Entities: exact-span F1 (same start, end and label) and overlap F1 (the spans overlap,
same label; each entity matched at most once, in text order); tokens: Cohen's kappa
(`sklearn.metrics.cohen_kappa_score`) and Krippendorff's alpha (`krippendorff.alpha`,
nominal); relations: F1 of the same head span, tail span and label. F1 is scikit-learn's
`f1_score` over the matched and unmatched annotations (matched: both say yes). With more
than two annotators, the whole team is measured by Krippendorff's alpha over all of them
(it takes any number of annotators and the documents some did not annotate), Fleiss'
kappa (`statsmodels.stats.inter_rater.fleiss_kappa`, over the tokens of the documents
every annotator annotated: Fleiss' kappa needs the same raters for every item) and
Light's kappa (the mean of the pairs' Cohen's kappa).

The row with label `*` is over every label: the token codes with all labels for kappa
and alpha, and the annotations of every label for F1.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from annotate.session import Session
from annotate.team.agreement_data import AgreementData, DocumentLayers, read

ALL_LABELS = "*"


@dataclass(frozen=True)
class PairFigures:
    """One pair of annotators on one entity label (or `*`)."""

    a: str
    b: str
    label: str
    a_count: int  # entities of a (of this label) in the documents both annotated
    b_count: int
    exact_f1: float | None
    overlap_f1: float | None
    kappa: float | None  # token-level Cohen's kappa
    alpha: float | None  # token-level Krippendorff's alpha


@dataclass(frozen=True)
class RelationFigures:
    a: str
    b: str
    label: str
    a_count: int
    b_count: int
    f1: float | None


@dataclass(frozen=True)
class DocumentDisagreement:
    doc_id: int
    title: str
    annotators: tuple[str, ...]
    annotations: int  # distinct (span, label) over the annotators
    agreed: int  # of those, the ones every annotator made

    @property
    def disagreement(self) -> float:
        return 1 - self.agreed / self.annotations if self.annotations else 0.0


@dataclass
class AgreementReport:
    annotators: list[str]
    documents: int
    entities: list[PairFigures] = field(default_factory=list)
    relations: list[RelationFigures] = field(default_factory=list)
    team_alpha: float | None = None
    team_kappa: float | None = None  # Cohen's kappa for two annotators, else Fleiss'
    team_lights_kappa: float | None = None  # the mean of the pairs' Cohen's kappa (> 2)
    ranked: list[DocumentDisagreement] = field(default_factory=list)

    def labels(self) -> list[str]:
        """The entity labels with figures, `*` first."""
        seen = dict.fromkeys(p.label for p in self.entities)
        return sorted(seen, key=lambda label: (label != ALL_LABELS, label))

    def matrix(self, label: str, measure: str = "exact_f1") -> list[list[float | None]]:
        """annotators × annotators of one measure for one label (1 on the diagonal)."""
        index = {n: i for i, n in enumerate(self.annotators)}
        size = len(self.annotators)
        out: list[list[float | None]] = [[1.0 if i == j else None for j in range(size)]
                                         for i in range(size)]
        for p in self.entities:
            if p.label == label:
                value = getattr(p, measure)
                out[index[p.a]][index[p.b]] = out[index[p.b]][index[p.a]] = value
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": self.annotators, "documents": self.documents,
            "team": {"krippendorff_alpha": self.team_alpha,
                     ("fleiss_kappa" if len(self.annotators) > 2 else "cohens_kappa"):
                         self.team_kappa,
                     "lights_kappa": self.team_lights_kappa},
            "entities": [asdict(p) for p in self.entities],
            "relations": [asdict(r) for r in self.relations],
            "documents_by_disagreement": [{**asdict(d), "disagreement": d.disagreement}
                                          for d in self.ranked],
        }


def agreement(session: Session, annotators: Sequence[str] | None = None, *,
              include_curated: bool = False) -> AgreementReport:
    """The agreement of the store's annotators (see the module's docstring)."""
    return figures(read(session, annotators, include_curated=include_curated))


def figures(data: AgreementData) -> AgreementReport:
    report = AgreementReport(list(data.annotators), len(data.documents))
    kappas = []
    for a, b in combinations(data.annotators, 2):
        docs = data.shared(a, b)
        if not docs:
            continue
        codes = data.token_codes(a, b)
        report.entities += _entity_figures(data, a, b, docs, codes)
        report.relations += _relation_figures(data, a, b, docs)
        overall = report.entities[-1] if report.entities[-1].label == ALL_LABELS else None
        if overall is not None and overall.kappa is not None:
            kappas.append(overall.kappa)
    if len(data.annotators) > 2:
        reliability = data.reliability_data()
        report.team_alpha = _alpha(reliability)
        report.team_kappa = _fleiss(reliability)
        report.team_lights_kappa = sum(kappas) / len(kappas) if kappas else None
    elif report.entities:
        report.team_alpha = report.entities[-1].alpha
        report.team_kappa = report.entities[-1].kappa
    report.ranked = rank_documents(data.documents)
    return report


def _entity_figures(data: AgreementData, a: str, b: str, docs: list[DocumentLayers],
                    codes: tuple[np.ndarray, np.ndarray]) -> list[PairFigures]:
    out = []
    used = sorted({k[2] for d in docs for k in d.entities[a] + d.entities[b]})
    for label in used:
        code = data.labels.index(label) + 1 if label in data.labels else len(data.labels) + 1
        out.append(_pair(a, b, label, docs, lambda k, label=label: k[2] == label,
                         (codes[0] == code, codes[1] == code)))
    out.append(_pair(a, b, ALL_LABELS, docs, lambda k: True, codes))
    return out


def _pair(a: str, b: str, label: str, docs: list[DocumentLayers],
          keep: Callable[[tuple[int, int, str]], bool],
          tokens: tuple[np.ndarray, np.ndarray]) -> PairFigures:
    exact, overlap, n_a, n_b = [0, 0, 0], [0, 0, 0], 0, 0
    for doc in docs:
        mine = [k for k in doc.entities[a] if keep(k)]
        theirs = [k for k in doc.entities[b] if keep(k)]
        n_a, n_b = n_a + len(mine), n_b + len(theirs)
        _add(exact, _exact_matches(mine, theirs), len(mine), len(theirs))
        _add(overlap, _overlap_matches(mine, theirs), len(mine), len(theirs))
    return PairFigures(a, b, label, n_a, n_b, f1(*exact), f1(*overlap),
                       _kappa(*tokens), _alpha(np.vstack(tokens).astype(float)))


def _relation_figures(data: AgreementData, a: str, b: str, docs: list[DocumentLayers]
                      ) -> list[RelationFigures]:
    out = []
    used = sorted({k[2] for d in docs for k in d.relations[a] + d.relations[b]})
    for label in [*used, ALL_LABELS]:
        counts, n_a, n_b = [0, 0, 0], 0, 0
        for doc in docs:
            mine = [k for k in doc.relations[a] if label in (ALL_LABELS, k[2])]
            theirs = [k for k in doc.relations[b] if label in (ALL_LABELS, k[2])]
            n_a, n_b = n_a + len(mine), n_b + len(theirs)
            _add(counts, _exact_matches(mine, theirs), len(mine), len(theirs))
        if n_a or n_b:
            out.append(RelationFigures(a, b, label, n_a, n_b, f1(*counts)))
    return out


def _add(counts: list[int], matched: int, n_a: int, n_b: int) -> None:
    counts[0] += matched
    counts[1] += n_a - matched
    counts[2] += n_b - matched


def _exact_matches(mine: Sequence[Any], theirs: Sequence[Any]) -> int:
    from collections import Counter

    return sum((Counter(mine) & Counter(theirs)).values())


def _overlap_matches(mine: Sequence[tuple[int, int, str]],
                     theirs: Sequence[tuple[int, int, str]]) -> int:
    """One-to-one matches of overlapping spans with the same label, exact ones first,
    then in text order."""
    free = sorted(theirs)
    matched = 0
    rest = []
    for key in sorted(mine):
        if key in free:
            free.remove(key)
            matched += 1
        else:
            rest.append(key)
    for start, end, label in rest:
        for i, (s, e, other) in enumerate(free):
            if other == label and s < end and start < e:
                del free[i]
                matched += 1
                break
    return matched


def f1(matched: int, only_a: int, only_b: int) -> float | None:
    """scikit-learn's F1 of b's annotations against a's: None when neither made any."""
    if matched + only_a + only_b == 0:
        return None
    from sklearn.metrics import f1_score

    truth = np.concatenate([np.ones(matched + only_a, bool), np.zeros(only_b, bool)])
    said = np.concatenate([np.ones(matched, bool), np.zeros(only_a, bool), np.ones(only_b, bool)])
    return float(f1_score(truth, said, zero_division=0.0))


def _kappa(first: np.ndarray, second: np.ndarray) -> float | None:
    """Cohen's kappa; None where it is undefined (both annotators one value throughout)."""
    if len(first) == 0:
        return None
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(cohen_kappa_score(first, second))
    return None if math.isnan(value) else value


def _alpha(reliability: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal); None where it is undefined (one value throughout)."""
    if reliability.size == 0 or np.isnan(reliability).all() \
            or np.nanmin(reliability) == np.nanmax(reliability):
        return None  # (min and max: a sort of the values would cost what the library does)
    import krippendorff

    value = float(krippendorff.alpha(reliability_data=reliability,
                                     level_of_measurement="nominal"))
    return None if math.isnan(value) else value


def _fleiss(reliability: np.ndarray) -> float | None:
    """Fleiss' kappa over the items every annotator coded (columns without NaN); None
    where it is undefined (no such item, or one value throughout)."""
    complete = reliability[:, ~np.isnan(reliability).any(axis=0)] if reliability.size else \
        reliability
    if complete.size == 0 or np.nanmin(complete) == np.nanmax(complete):
        return None
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    table, _ = aggregate_raters(complete.T.astype(np.int64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(fleiss_kappa(table, method="fleiss"))
    return None if math.isnan(value) else value


def rank_documents(documents: Sequence[DocumentLayers]) -> list[DocumentDisagreement]:
    """The documents, most disagreement first."""
    out = []
    for doc in documents:
        names = tuple(doc.entities)
        if len(names) < 2:
            continue
        sets = [set(doc.entities[n]) for n in names]
        union, common = set().union(*sets), set.intersection(*sets)
        out.append(DocumentDisagreement(doc.doc_id, doc.title, names, len(union), len(common)))
    return sorted(out, key=lambda d: (-d.disagreement, -(d.annotations - d.agreed), d.doc_id))
