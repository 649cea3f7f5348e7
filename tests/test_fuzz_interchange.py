"""Fuzzing the interchange importers (Prodigy, Label Studio, doccano export shape, INCEpTION
XMI, brat events and normalizations): random bytes, random JSON shapes and mutated real
files import cleanly or are refused with one line naming the file, leaving the store as
it was; never an exception."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.session import Session
from storage.store import Store
from tests.test_hostile_fuzz import FUZZ, check_import, fresh

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def fuzz_session(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    yield Session(store, annotator="fuzz")
    store.close()

LS_KEYS = st.sampled_from(["data", "annotations", "predictions", "completions", "result", "type",
                           "value", "start", "end", "labels", "from_id", "to_id", "direction",
                           "id", "text", "completed_by", "was_cancelled", "model_version"])
LS_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.text(max_size=12)
    | st.sampled_from(["labels", "relation", "right", "left", "bi", "GPE"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(LS_KEYS, inner, max_size=6),
    max_leaves=30)


@FUZZ
@given(data=st.binary(max_size=600), fmt=st.sampled_from(["labelstudio", "xmi", "prodigy"]))
def test_fuzz_random_bytes_in_each_new_format(fuzz_session, tmp_path_factory, data, fmt):
    """Random bytes read as each new format."""
    suffix = ".xmi" if fmt == "xmi" else ".json"
    path = fresh(tmp_path_factory, "random" + suffix)
    path.write_bytes(data)
    check_import(fuzz_session, path, fmt=fmt)


@FUZZ
@given(task=st.fixed_dictionaries({"data": st.fixed_dictionaries(
    {"text": st.sampled_from(["Iran met 😀 Turkey.", "", "x"])})},
    optional={"annotations": LS_JSON, "predictions": LS_JSON, "completions": LS_JSON}))
def test_fuzz_label_studio_shapes(fuzz_session, tmp_path_factory, task):
    """Label Studio tasks with random annotations, predictions and regions."""
    path = fresh(tmp_path_factory, "tasks.json")
    path.write_text(json.dumps([task]), encoding="utf-8")
    check_import(fuzz_session, path)


def _mutations(original: bytes) -> st.SearchStrategy[bytes]:
    """The file with a slice cut out, bytes flipped or a slice repeated."""
    n = len(original)
    index = st.integers(0, max(n - 1, 0))
    return st.one_of(
        st.tuples(index, index).map(lambda p: original[:min(p)] + original[max(p):]),
        st.tuples(index, st.binary(min_size=1, max_size=8)).map(
            lambda p: original[:p[0]] + p[1] + original[p[0] + len(p[1]):]),
        st.tuples(index, index).map(lambda p: original[:max(p)] + original[min(p):]))


@FUZZ
@given(data=st.data(), name=st.sampled_from([
    "inception/ne_spans.xmi", "inception/token_relation.xmi",
    "labelstudio/named_entity_tasks.json", "labelstudio/named_entity_annotation.json",
    "prodigy/annotations.jsonl"]))
def test_fuzz_mutated_real_files(fuzz_session, tmp_path_factory, data, name):
    """Real files of each tool, cut, flipped or repeated."""
    original = (DATA / name).read_bytes()
    if name.startswith("prodigy"):
        original = original[:4000]  # the first task or so: keeps each example quick
    mutated = data.draw(_mutations(original))
    path = fresh(tmp_path_factory, Path(name).name)
    path.write_bytes(mutated)
    check_import(fuzz_session, path)


ANN_LINES = st.sampled_from([
    "T1\tProtein 0 4\tIL-2", "T2\tBind 5 10\tbinds", "E1\tBind:T2 Theme:T1",
    "E2\tBind:T2 Theme:E1 Cause:E9", "E3\tBind", "E4\tBind:T1 Theme", "N1\tReference T1 UniProt:1\tx",
    "N2\tReference T9 x:1\ty", "N3\tReference", "#1\tLemma T2\tbind", "#2\tAnnotatorNotes E1\tok",
    "A1\tNegation E1", "A2\tNegation E7", "*\tEquiv T1 T1", "*\tEquiv E1 T1", "R1\tRel Arg1:E1 Arg2:T1",
    "R2\tRel Arg1:T1 Arg2:T1", "T1\tProtein 0 4\tIL-2"])


@FUZZ
@given(lines=st.lists(ANN_LINES, max_size=10))
def test_fuzz_brat_event_and_normalization_lines(fuzz_session, tmp_path_factory, lines):
    """Event, normalization, note and set lines in any order, with dangling or repeated ids."""
    folder = fresh(tmp_path_factory, "brat")
    folder.mkdir()
    (folder / "doc.txt").write_text("IL-2 binds STAT5.", encoding="utf-8")
    (folder / "doc.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    check_import(fuzz_session, folder / "doc.ann")
