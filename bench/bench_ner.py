"""Pre-annotation: `main.py ner` against raw spaCy `nlp.pipe`, both as whole processes.

    python -m bench.bench_ner

The corpus: 1 MB of news text (documents of 3-6 kB made from the sentences of the
seed article), imported into a store before the clock starts. Interleaved, each
a new process, process start and model load counted on both sides:

- raw: a script that imports spaCy, loads the model with the components
  pre-annotation runs (tok2vec, senter, ner), reads the texts from the store with
  sqlite3 and runs `nlp.pipe` over them (same batch size as Arcmark), taking each
  document's entities as (start, end, label);
- Arcmark: `main.py ner --db STORE` on a fresh copy of the store (reads, runs the
  model, writes suggestions and sentences, commits), then with `--processes 2`;
- for the record, the raw script with `n_process=2`: how far two processes scale on
  this machine at this moment.

Words are whitespace-separated words of the texts. Targets: Arcmark >= 0.9x the
raw words/s; `--processes 2`'s scaling (its words/s over Arcmark's single-process
words/s) >= 0.95x spaCy's own `n_process=2` scaling measured in the same rounds: on a
shared machine what two processes gain swings with the load, for both alike.
"""
from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._util import (
    MAIN, PYTHON, ROOT, at_least, child_env, info, interleaved, make_store, median,
    news_documents, run_script, run_timed, say, word_count,
)

CORPUS_CHARS = 1_000_000

RAW = """
import sqlite3, sys
import spacy
store, model, batch_size, processes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
nlp = spacy.load(model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
nlp.enable_pipe("senter")
texts = [row[0] for row in sqlite3.connect(store).execute("SELECT text FROM documents ORDER BY id")]
entities = [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in nlp.pipe(texts, batch_size=batch_size, n_process=processes)]
assert len(entities) == len(texts)
"""


def arcmark(base: Path, work: Path, env: dict[str, str], processes: int, documents: int) -> float:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copy(base, work)
    seconds = run_timed([PYTHON, MAIN, "ner", "--db", work, "--processes", str(processes)], env)
    with sqlite3.connect(work) as conn:
        done = conn.execute("SELECT count(*) FROM model_runs").fetchone()[0]
    if done != documents:
        raise RuntimeError(f"main.py ner annotated {done} of {documents} documents")
    return seconds


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    import inspect

    from annotate.nlp import EXCLUDE, resolve_model_name
    from annotate.preannotate import preannotate

    batch_size = inspect.signature(preannotate).parameters["batch_size"].default
    if set(EXCLUDE) != {"tagger", "parser", "attribute_ruler", "lemmatizer"}:
        raise RuntimeError(f"pre-annotation now excludes {EXCLUDE}: update the raw script")
    model = resolve_model_name()
    docs = news_documents(CORPUS_CHARS, seed=1)
    words = word_count([text for _, text in docs])
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp_name:
        tmp = Path(tmp_name)
        base = tmp / "corpus.db"
        make_store(base, docs)
        env = child_env(tmp)
        say(f"ner: {len(docs)} documents, {sum(len(t) for _, t in docs) / 1e6:.2f} MB, "
            f"{words:,} words, model {model}, batch size {batch_size}")
        times = interleaved({
            "raw nlp.pipe": lambda: run_script(RAW, [base, model, batch_size, 1], env),
            "main.py ner": lambda: arcmark(base, tmp / "one.db", env, 1, len(docs)),
            "main.py ner --processes 2": lambda: arcmark(base, tmp / "two.db", env, 2, len(docs)),
            "raw nlp.pipe n_process=2": lambda: run_script(RAW, [base, model, batch_size, 2], env),
        }, log=say)
    raw, one, two, raw_two = (words / median(times[k]) for k in times)
    detail = f"{words:,} words in {len(docs)} documents; process start and model load counted"
    return [
        info("ner: raw nlp.pipe (tok2vec+senter+ner)", raw, "words/s", detail),
        info("ner: main.py ner", one, "words/s"),
        at_least("ner: main.py ner / raw nlp.pipe", one / raw, "x", 0.9),
        info("ner: main.py ner --processes 2", two, "words/s"),
        info("ner: --processes 2 / 1 process", two / one, "x"),
        info("ner: raw nlp.pipe n_process=2 / 1 process (the library's own scaling here)",
             raw_two / raw, "x"),
        at_least("ner: --processes 2 scaling / raw n_process=2 scaling",
                 (two / one) / (raw_two / raw), "x", 0.95),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run())
