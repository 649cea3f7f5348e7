"""Fuzzing every importer and the command line with hostile files.

Random bytes, random JSON shapes, random `.ann` lines and mutated real files (from
../shared/data) either import cleanly or are refused with one line naming the file; never
an exception, never a hang, and a refused file leaves the store exactly as it was."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.corpus_io import import_path
from annotate.session import Session
from storage.store import Store
from tests.conftest import ROOT

DATA = ROOT.parent / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def fuzz_session(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    yield Session(store, annotator="fuzz")
    store.close()


def content(session: Session) -> tuple:
    """Everything a refused import could have changed."""
    db = session.store.db
    return tuple(db.execute(f"SELECT count(*), max(id) FROM {t}").fetchone()
                 for t in ("documents", "entities", "relations", "history"))


def check_import(session: Session, path: Path, **options: object) -> None:
    before = content(session)
    report = import_path(session, path, **options)
    for line in report.errors + report.notes:
        assert "\n" not in line and len(line) <= 400, line
    for line in report.errors:
        assert line.startswith(path.name) or Path(path).is_dir(), line
    if report.errors and not report.files_ok:
        assert content(session) == before


def fresh(tmp_path_factory, name: str) -> Path:
    return tmp_path_factory.mktemp("f") / name


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "spans", "relations", "label", "entities", "meta", "start",
                         "end", "start_offset", "end_offset", "id", "head_id", "child_id",
                         "from_id", "to_id", "type", "origin", "status", "_arcmark", "tokens",
                         "evidence_start", "evidence_end", "note", "answer", "sentences"])
        | st.text(max_size=8), inner, max_size=6),
    max_leaves=25)
RECORDS = st.fixed_dictionaries(
    {"text": st.sampled_from(["Iran met Turkey in Astana.", "", "\x00x", "Россия"])},
    optional={"spans": JSON, "relations": JSON, "label": JSON, "entities": JSON, "meta": JSON,
              "_arcmark": JSON})


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".md", ".jsonl", ".json"]))
def test_fuzz_random_bytes(fuzz_session, tmp_path_factory, data, suffix):
    """Random bytes under any importable name."""
    path = fresh(tmp_path_factory, "random" + suffix)
    path.write_bytes(data)
    check_import(fuzz_session, path)


@FUZZ
@given(records=st.lists(RECORDS | JSON, min_size=1, max_size=3),
       fmt=st.sampled_from([None, "jsonl", "prodigy", "doccano"]))
def test_fuzz_random_json_shapes(fuzz_session, tmp_path_factory, records, fmt):
    """Random JSON shapes, read as ours, Prodigy's or doccano's."""
    path = fresh(tmp_path_factory, "shapes.jsonl")
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    check_import(fuzz_session, path, fmt=fmt)


ANN_LINE = st.one_of(
    st.builds(lambda i, lab, a, b: f"T{i}\t{lab} {a} {b}\tx", st.integers(0, 3),
              st.sampled_from(["GPE", "ORG", "Nope", ""]), st.integers(-2, 40) | st.just(10**50),
              st.integers(-2, 40)),
    st.builds(lambda i, lab, a, b: f"R{i}\t{lab} Arg1:T{a} Arg2:T{b}", st.integers(0, 3),
              st.sampled_from(["ALLY_OF", "MEETS_WITH", "X"]), st.integers(0, 4),
              st.integers(0, 4)),
    st.builds(lambda i, t: f"#{i}\tAnnotatorNotes T{t}\tnote", st.integers(0, 3),
              st.integers(0, 4)),
    st.text(max_size=40),
)


@FUZZ
@given(lines=st.lists(ANN_LINE, max_size=6))
def test_fuzz_random_ann_lines(fuzz_session, tmp_path_factory, lines):
    """A brat folder whose .ann holds random lines."""
    folder = fresh(tmp_path_factory, "brat")
    folder.mkdir()
    (folder / "a.txt").write_text("Iran met Turkey in Astana and Moscow.\n", encoding="utf-8")
    (folder / "a.ann").write_text("\n".join(lines) + "\n", encoding="utf-8",
                                  errors="surrogatepass")
    check_import(fuzz_session, folder)


REAL = sorted(p for p in DATA.rglob("*") if p.suffix in (".ann", ".jsonl") and p.is_file()
              and p.stat().st_size < 200_000)


@pytest.mark.skipif(not REAL, reason="the shared data sets are not present")
@FUZZ
@given(index=st.integers(0, max(len(REAL) - 1, 0)), at=st.floats(0, 1),
       cut=st.integers(0, 50), insert=st.binary(max_size=20))
def test_fuzz_mutated_real_files(fuzz_session, tmp_path_factory, index, at, cut, insert):
    """Real brat and JSONL files with bytes cut out and random bytes put in."""
    source = REAL[index]
    folder = fresh(tmp_path_factory, "real")
    shutil.copytree(source.parent, folder, ignore=shutil.ignore_patterns("*.md", "LICENSE"))
    data = source.read_bytes()
    pos = int(at * len(data))
    (folder / source.name).write_bytes(data[:pos] + insert + data[pos + cut:])
    target = folder if source.suffix == ".ann" else folder / source.name
    check_import(fuzz_session, target)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=200))
def test_fuzz_command_line_import_is_one_line_or_success(tmp_path_factory, data):
    """The command line answers a random file with success or exit 1 and one line per
    bad file, never a traceback."""
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "x.jsonl"
    path.write_bytes(data)
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "import", "--db",
                             str(folder / "s.db"), str(path)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    if result.returncode == 1:
        assert [ln for ln in result.stderr.splitlines() if ln.startswith("arcmark: ")]
        assert not (folder / "s.db").exists()  # a failed import leaves no store
