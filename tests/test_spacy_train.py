"""The spaCy export trains: `spacy train` runs an epoch on it with a NER config, unchanged."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"


def run(*args: str, cwd) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    out = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out


@pytest.mark.slow
def test_spacy_train_runs_on_an_exported_corpus(tmp_path):
    main = str(ROOT / "main.py")
    run(main, "import", "--db", "c.db", str(EXAMPLE), cwd=tmp_path)
    run(main, "export", "--db", "c.db", "--format", "spacy", "--out", "train.spacy", cwd=tmp_path)
    run("-m", "spacy", "init", "config", "ner.cfg", "--lang", "en", "--pipeline", "ner",
        "--optimize", "efficiency", cwd=tmp_path)
    trained = run("-m", "spacy", "train", "ner.cfg", "--paths.train", "train.spacy",
                  "--paths.dev", "train.spacy", "--training.max_epochs", "1",
                  "--training.max_steps", "20", "--output", "out", cwd=tmp_path)
    assert "Saved pipeline" in trained.stdout
    import spacy

    nlp = spacy.load(tmp_path / "out" / "model-last")
    assert {"GPE", "PERSON", "ORG"} <= set(nlp.get_pipe("ner").labels)
