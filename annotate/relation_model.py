"""The relation learner: scikit-learn's logistic regression over parse features.

Why scikit-learn rather than a spaCy trainable component: an analyst's corpus gives
hundreds of relations, not tens of thousands; a linear model over sparse parse
features (`annotate.relation_features`) learns from that in about a second, gives
calibrated probabilities (the score and the View menu's threshold mean something),
and its weights are a few plain numbers. A spaCy relation component (Explosion's
tutorial) needs its own architecture, many epochs and more data than one analyst
makes. The fitted model is kept as JSON (vocabulary, classes, weights) — never a
pickle, since a store's folder may come from someone else — and scored with numpy.

Each candidate pair (first, second in text order) gets one class: `-` (no relation),
`L>` (first is the head of L), `L<` (second is the head) or `L=` (symmetric L).
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

NONE = "-"


def pair_class(label: str, first_is_head: bool, symmetric: bool) -> str:
    return f"{label}=" if symmetric else f"{label}{'>' if first_is_head else '<'}"


def class_relation(cls: str) -> tuple[str, bool] | None:
    """(label, first is head) of a class; None for `-`."""
    if cls == NONE:
        return None
    return cls[:-1], cls[-1] != "<"


def fit(features: Sequence[Mapping[str, float]], classes: Sequence[str], *, c: float = 0.5,
        seed: int = 0) -> dict[str, Any]:
    """Fit the learner on candidate pairs; returns the model as plain data."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = sorted(set(classes))
    if len(labels) < 2:  # nothing to tell apart: every candidate was one class
        return {"kind": "constant", "classes": labels}
    vec = DictVectorizer()
    x = vec.fit_transform(features).tocsr()
    # saga (multinomial) takes 32-bit sparse indices; it fits here in about a second where
    # lbfgs takes twenty, to the same held-out F1
    x.indices, x.indptr = x.indices.astype(np.int32), x.indptr.astype(np.int32)
    learner = LogisticRegression(C=c, solver="saga", max_iter=200, random_state=seed)
    with warnings.catch_warnings():  # saga stops at max_iter on a few hard pairs: measured
        warnings.simplefilter("ignore", ConvergenceWarning)
        learner.fit(x, classes)
    return {
        "kind": "logistic",
        "vocabulary": {name: int(i) for name, i in vec.vocabulary_.items()},
        "classes": [str(k) for k in learner.classes_],
        "coef": np.round(learner.coef_, 6).tolist(),
        "intercept": np.round(learner.intercept_, 6).tolist(),
    }


class Scorer:
    """Class probabilities of candidate pairs from a model made by `fit`."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.classes: list[str] = list(model.get("classes", []))
        self.kind = model.get("kind", "constant")
        if self.kind == "logistic":
            self.vocabulary: dict[str, int] = dict(model["vocabulary"])
            self.coef = np.asarray(model["coef"], dtype=np.float64)
            self.coef_t = np.ascontiguousarray(self.coef.T)  # a row per feature (all are 0/1)
            self.intercept = np.asarray(model["intercept"], dtype=np.float64)

    def probabilities(self, features: Sequence[Mapping[str, float]]) -> np.ndarray:
        """One row per candidate, one column per class (`self.classes`)."""
        if self.kind != "logistic":
            return np.ones((len(features), len(self.classes)))
        # sparse rows: sum the weight columns of the features present (a dense matrix of
        # every pair by every feature would cost more than the parse)
        z = np.tile(self.intercept, (len(features), 1))
        coef_t = self.coef_t
        for n, f in enumerate(features):
            cols = [c for name in f if (c := self.vocabulary.get(name)) is not None]
            if cols:
                z[n] += coef_t[cols].sum(axis=0)
        if self.coef.shape[0] == 1:  # two classes: one logit for the second
            p = 1 / (1 + np.exp(-z[:, 0]))
            return np.stack([1 - p, p], axis=1)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
