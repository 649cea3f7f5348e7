"""Agreement figures: a small example worked by hand, and the same figures as
scikit-learn and krippendorff give on the same data."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.session import Session
from annotate.team.agreement import ALL_LABELS, agreement
from annotate.team.agreement_data import TOKEN, _token_bounds
from annotate.team.merge import merge_stores
from storage.store import Store
from tests.helpers.team_stores import analyst_store

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
HAND_TEXT = "Anna met Bob in Paris."


def annotate_as(path, name: str, entities, relations=()):  # type: ignore[no-untyped-def]
    """A store of `name` with the one document."""
    with Store(path) as store:
        Session(store, annotator=name).import_records([DocumentRecord(
            text=HAND_TEXT, entities=tuple(EntityRecord(s, e, label) for s, e, label in entities),
            relations=tuple(RelationRecord(h, t, label, directed=False)
                            for h, t, label in relations))])
    return path


@pytest.fixture
def hand(session, tmp_path):
    """alice: Anna PERSON, Bob PERSON, Paris GPE, Anna MEETS_WITH Bob; bob: Anna PERSON,
    Bob ORG, "in Paris" GPE, Anna MEETS_WITH Bob."""
    merge_stores(session, [
        annotate_as(tmp_path / "alice.db", "alice",
                    [(0, 4, "PERSON"), (9, 12, "PERSON"), (16, 21, "GPE")], [(0, 1, "MEETS_WITH")]),
        annotate_as(tmp_path / "bob.db", "bob",
                    [(0, 4, "PERSON"), (9, 12, "ORG"), (13, 21, "GPE")], [(0, 1, "MEETS_WITH")])])
    return agreement(session)


def figure(report, label: str):  # type: ignore[no-untyped-def]
    return next(p for p in report.entities if p.label == label)


def test_a_small_example_worked_by_hand(hand):
    """Tokens Anna|met|Bob|in|Paris|. — alice P O P O G O, bob P O R G G O: exact F1 1/3,
    overlap F1 2/3, kappa (2/3 - 5/18) / (1 - 5/18) = 7/13, alpha 1 - (4/12) / (100/132)
    = 0.56; PERSON exact F1 2/3; the relation joins the same spans: F1 1."""
    overall = figure(hand, ALL_LABELS)
    assert (overall.a_count, overall.b_count) == (3, 3)
    assert overall.exact_f1 == pytest.approx(1 / 3, abs=1e-12)
    assert overall.overlap_f1 == pytest.approx(2 / 3, abs=1e-12)
    assert overall.kappa == pytest.approx(7 / 13, abs=1e-12)
    assert overall.alpha == pytest.approx(0.56, abs=1e-12)
    assert figure(hand, "PERSON").exact_f1 == pytest.approx(2 / 3, abs=1e-12)
    assert figure(hand, "ORG").exact_f1 == 0.0
    assert [(r.label, r.f1) for r in hand.relations] == [("MEETS_WITH", 1.0), (ALL_LABELS, 1.0)]
    assert hand.matrix("PERSON") == [[1.0, pytest.approx(2 / 3)], [pytest.approx(2 / 3), 1.0]]
    assert [(d.agreed, d.annotations) for d in hand.ranked] == [(1, 5)]


@pytest.fixture
def team(tmp_path):
    """The ten documents merged from alice's and bob's stores, and carol's (three layers)."""
    with Store(tmp_path / "team.db") as store:
        session = Session(store, annotator="curator")
        paths = [analyst_store(tmp_path / f"{n}.db", n) for n in ("alice", "bob")]
        merge_stores(session, paths)
        yield session


def token_codes(session: Session, name: str, labels: list[str]) -> np.ndarray:
    """The test's own token labelling: regex tokens, the first entity overlapping each."""
    out = []
    for doc in session.corpus():
        ents = sorted((e.start, e.end, e.label) for e in doc.entities
                      if e.annotator == name and e.status == "accepted")
        for m in re.finditer(r"\w+|[^\w\s]", doc.document.text):
            hit = [lab for s, e, lab in ents if s < m.end() and m.start() < e]
            out.append(labels.index(hit[0]) + 1 if hit else 0)
    return np.array(out)


def test_figures_equal_scikit_learn_and_krippendorff(team):
    """Every pair figure equals the libraries' own result on the same token data, to 1e-9."""
    report = agreement(team)
    labels = [e.name for e in team.schema.entity_labels]
    a, b = token_codes(team, "alice", labels), token_codes(team, "bob", labels)
    for p in report.entities:
        if p.label == ALL_LABELS:
            x, y = a, b
        else:
            code = labels.index(p.label) + 1
            x, y = a == code, b == code
        assert p.kappa == pytest.approx(cohen_kappa_score(x, y), abs=1e-9)
        expected = krippendorff.alpha(reliability_data=np.vstack([x, y]).astype(float),
                                      level_of_measurement="nominal")
        assert p.alpha == pytest.approx(expected, abs=1e-9)
    assert figure(report, "GPE").exact_f1 == pytest.approx(6 / 7, abs=1e-12)
    assert figure(report, "PERSON").overlap_f1 == pytest.approx(2 / 3, abs=1e-12)
    assert {r.label: r.f1 for r in report.relations} == {
        "ALLY_OF": 1.0, "MEETS_WITH": 0.0, "SUPPORTS": 0.0, ALL_LABELS: 0.5}


def test_three_annotators_measure_the_team_with_alpha_fleiss_and_lights_kappa(team, tmp_path):
    """With a third layer, the team's alpha is krippendorff's over all three (missing
    where one did not annotate), Fleiss' kappa statsmodels' over the tokens all three
    coded, and Light's kappa the mean of the pairs' kappas."""
    doc_ids = team.store.document_ids()[:4]
    for doc_id in doc_ids:
        for e in team.all_entities(doc_id):
            if e.annotator == "alice" and e.text != "Moscow":
                team.add_entity(doc_id, e.start, e.end, e.label)
    report = agreement(team)
    assert report.annotators == ["alice", "bob", "curator"]
    labels = [e.name for e in team.schema.entity_labels]
    rows = []
    for name in report.annotators:
        codes = []
        for doc in team.corpus():
            mine = token_codes_of(doc, name, labels)
            present = any(e.annotator == name and e.status == "accepted" for e in doc.entities)
            codes += mine if present else [np.nan] * len(mine)
        rows.append(codes)
    expected = krippendorff.alpha(reliability_data=np.array(rows, float),
                                  level_of_measurement="nominal")
    assert report.team_alpha == pytest.approx(expected, abs=1e-9)
    pairs = [p.kappa for p in report.entities if p.label == ALL_LABELS]
    assert len(pairs) == 3
    assert report.team_lights_kappa == pytest.approx(sum(pairs) / 3, abs=1e-12)
    # Fleiss' kappa over the tokens all three coded, as statsmodels computes it
    complete = np.array(rows, float)
    complete = complete[:, ~np.isnan(complete).any(axis=0)]
    table, _ = aggregate_raters(complete.T.astype(int))
    assert report.team_kappa == pytest.approx(fleiss_kappa(table, method="fleiss"), abs=1e-9)
    assert report.to_dict()["team"]["fleiss_kappa"] == report.team_kappa


def test_fleiss_kappa_of_a_hand_worked_table():
    """Fleiss' kappa of three raters on four items, worked by hand: P_i = (1, 1/3, 1, 1/3),
    P̄ = 2/3; p_j = (6/12, 6/12), P̄e = 1/2; kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3."""
    from annotate.team.agreement import _fleiss

    ratings = np.array([[1, 1, 1], [1, 1, 0], [0, 0, 0], [1, 0, 0]], float).T
    assert _fleiss(ratings) == pytest.approx(1 / 3, abs=1e-12)


def token_codes_of(doc, name: str, labels: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    ents = sorted((e.start, e.end, e.label) for e in doc.entities
                  if e.annotator == name and e.status == "accepted")
    out = []
    for m in re.finditer(r"\w+|[^\w\s]", doc.document.text):
        hit = [lab for s, e, lab in ents if s < m.end() and m.start() < e]
        out.append(float(labels.index(hit[0]) + 1) if hit else 0.0)
    return out


def test_documents_are_ranked_by_disagreement(team):
    """A document where the analysts agree fully comes last."""
    doc_id = team.store.document_ids()[5]
    for e in team.all_entities(doc_id):
        if e.text in ("Iran", "Erdogan"):
            team.delete_entity(e.id)
    ranked = agreement(team).ranked
    assert ranked[-1].doc_id == doc_id and ranked[-1].disagreement == 0.0
    assert ranked[0].disagreement == pytest.approx(3 / 7)


def test_the_command_prints_the_figures_as_json(team):
    """`main.py agreement --json` prints what `agreement()` returns."""
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "agreement", "--db",
                           str(team.store.path), "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(json.dumps(agreement(team).to_dict()))


@given(st.text(alphabet=st.sampled_from("ab_ 9.,\n\t—éß中\u0301\u00a0\U0001F600-\x7f\x85\u2028"),
               max_size=60))
@settings(max_examples=300, deadline=None)
def test_tokens_are_those_the_token_pattern_finds(text):
    """The vectorised tokenizer finds exactly the spans of `\\w+|[^\\w\\s]`."""
    starts, ends = _token_bounds(text)
    assert list(zip(starts.tolist(), ends.tolist())) == [m.span() for m in TOKEN.finditer(text)]
