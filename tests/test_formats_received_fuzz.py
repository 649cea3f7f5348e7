"""Fuzzing the received-document importers: random and mutated bytes of every format either
import cleanly or give one line, and a refused file leaves the store exactly as it was."""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.corpus_io import import_path
from annotate.session import Session
from storage.store import Store
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "reader"
SAMPLES = {".html": "herald-sun-surveillance.html", ".pdf": "bulletin-two-columns.pdf",
           ".docx": "briefing.docx", ".eml": "forwarded-article.eml"}


@pytest.fixture(scope="module")
def shared():
    """One store for all examples: each example checks that a refusal changed nothing."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "fuzz.db")
        yield Session(store, annotator="fuzz"), Path(folder)
        store.close()


def _dump(session: Session) -> list[tuple]:
    conn = sqlite3.connect(session.store.path)
    try:
        return conn.execute("SELECT id, text, meta FROM documents ORDER BY id").fetchall()
    finally:
        conn.close()


def _check(shared, suffix: str, data: bytes) -> None:
    session, folder = shared
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    before = _dump(session)
    report = import_path(session, path)
    if report.errors:
        (line,) = report.errors
        assert line.startswith(f"input{suffix}: ") and "\n" not in line and len(line) < 300
        assert "Traceback" not in line
        assert _dump(session) == before
    else:
        stored = session.document(report.result.change.documents and
                                  max(report.result.change.documents)).text
        assert stored.strip() and "\x00" not in stored and "\r" not in stored


@st.composite
def mutated(draw, suffix: str) -> bytes:
    """The sample's bytes with a few bytes flipped, a slice cut or the tail dropped."""
    data = bytearray((DATA / SAMPLES[suffix]).read_bytes())
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(data) - 1))
        del data[start:start + draw(st.integers(1, 4096))]
    if data and draw(st.booleans()):  # the cut may have left nothing
        data = data[: draw(st.integers(1, len(data)))]
    return bytes(data)


FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("suffix", sorted(SAMPLES))
@FUZZ
@given(data=st.data())
def test_mutated_files_import_cleanly_or_give_one_line(shared, suffix, data):
    """A damaged web page, PDF, Word file or e-mail never raises and never half-imports."""
    _check(shared, suffix, data.draw(mutated(suffix)))


@pytest.mark.parametrize("suffix", sorted(SAMPLES))
@FUZZ
@given(blob=st.binary(min_size=0, max_size=2048))
def test_random_bytes_import_cleanly_or_give_one_line(shared, suffix, blob):
    """Random bytes under each received suffix are a document or one line, never a traceback."""
    _check(shared, suffix, blob)
