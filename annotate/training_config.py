"""The spaCy training config `main.py train` runs (and saves beside the model).

Every component comes from the base pipeline (`source`); all but `ner` are frozen. The
NER is set up by `arcmark.ner_setup.v1` (the schema's labels, `incorrect_spans_key`);
progress goes to `arcmark.progress.v1`. The same file runs with the stock loop:
`spacy train training.cfg --code annotate/training_callbacks.py
--training.logger.@loggers spacy.ConsoleLogger.v1`.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from annotate.training_data import INCORRECT_SPANS_KEY

BATCH_DOCS = 2  # documents per update: an analyst's corpus is small, updates should be many


def training_config(base: str, work: Path, *, labels: list[str], epochs: int, train_docs: int,
                    seed: int = 0) -> Any:
    """A spaCy `Config` fine-tuning `base`'s NER on work/train.spacy, scored on work/dev.spacy."""
    import spacy
    from spacy.util import load_config

    from annotate import training_callbacks  # noqa: F401  (registers the functions)

    base_nlp_config = load_config(_config_path(base))
    pipeline = list(base_nlp_config["nlp"]["pipeline"])
    disabled = list(base_nlp_config["nlp"].get("disabled", []))
    data: dict[str, Any] = {
        "paths": {"train": str(work / "train.spacy"), "dev": str(work / "dev.spacy")},
        "system": {"seed": seed, "gpu_allocator": None},
        "nlp": {
            "lang": base_nlp_config["nlp"]["lang"], "pipeline": pipeline, "disabled": disabled,
            "batch_size": 256, "tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"},
            "after_pipeline_creation": {"@callbacks": "arcmark.ner_setup.v1", "labels": labels,
                                        "incorrect_spans_key": INCORRECT_SPANS_KEY},
        },
        "components": {name: {"source": base} for name in pipeline},
        "corpora": {name: {"@readers": "spacy.Corpus.v1", "path": f"${{paths.{name}}}",
                           "max_length": 0, "gold_preproc": False, "limit": 0, "augmenter": None}
                    for name in ("train", "dev")},
        "training": {
            "seed": "${system.seed}", "gpu_allocator": "${system.gpu_allocator}",
            "dropout": 0.1, "accumulate_gradient": 1, "patience": 0, "max_epochs": epochs,
            "max_steps": 0, "eval_frequency": max(1, math.ceil(train_docs / BATCH_DOCS)),
            "frozen_components": [n for n in pipeline if n != "ner"],
            "annotating_components": [], "before_to_disk": None, "before_update": None,
            "train_corpus": "corpora.train", "dev_corpus": "corpora.dev",
            "batcher": {"@batchers": "spacy.batch_by_sequence.v1", "size": BATCH_DOCS,
                        "get_length": None},
            "logger": {"@loggers": "arcmark.progress.v1"},
            "optimizer": {"@optimizers": "Adam.v1", "learn_rate": 0.001, "L2": 0.01,
                          "grad_clip": 1.0, "use_averages": True, "L2_is_weight_decay": True,
                          "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
            "score_weights": {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
        },
        "initialize": {"vectors": None, "init_tok2vec": None, "vocab_data": None,
                       "lookups": None, "before_init": None, "after_init": None,
                       "components": {}, "tokenizer": {}},
    }
    return spacy.util.Config(data)


def _config_path(base: str) -> Path:
    """The config.cfg of a model package or folder."""
    folder = Path(base)
    if not folder.is_dir():
        import spacy.util

        folder = spacy.util.get_package_path(base)
        inner = [p for p in folder.iterdir() if p.is_dir() and (p / "config.cfg").is_file()]
        if inner and not (folder / "config.cfg").is_file():
            folder = inner[0]
    return folder / "config.cfg"
