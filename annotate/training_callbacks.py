"""The functions Arcmark's training config names, registered in spaCy's registries.

`spacy train CONFIG --code annotate/training_callbacks.py` runs the same config that
`main.py train` keeps beside each model (`training.cfg`), with the console logger.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import IO, Any

from spacy.util import registry

# the progress callback of the training running on this thread (see `training_progress`)
_local = threading.local()


class TrainingCancelled(Exception):
    """Raised inside spaCy's training loop when the analyst cancels."""


@registry.callbacks("arcmark.ner_setup.v1")
def ner_setup(labels: list[str], incorrect_spans_key: str) -> Callable[[Any], Any]:
    """After the pipeline is built from the base: the NER knows every label of the store's
    schema, and takes the spans under `incorrect_spans_key` as known-wrong (a sourced
    component keeps its base settings, so they are set here)."""

    def setup(nlp: Any) -> Any:
        ner = nlp.get_pipe("ner")
        ner.cfg["incorrect_spans_key"] = incorrect_spans_key
        ner.moves.cfg["neg_key"] = incorrect_spans_key
        for label in labels:
            if label not in ner.labels:
                ner.add_label(label)
        return nlp

    return setup


@registry.loggers("arcmark.progress.v1")
def progress_logger() -> Callable[..., Any]:
    """Hands every step to the callback set by `training_progress`, which may raise
    TrainingCancelled; prints nothing."""

    def setup(nlp: Any, stdout: IO[str] | None = None, stderr: IO[str] | None = None
              ) -> tuple[Callable[[dict[str, Any] | None], None], Callable[[], None]]:
        def log_step(info: dict[str, Any] | None) -> None:
            callback = getattr(_local, "callback", None)
            if callback is not None:
                callback(info)

        return log_step, lambda: None

    return setup


class training_progress:  # noqa: N801  (a context manager used like a function)
    """`with training_progress(callback):` spaCy's loop on this thread reports to it."""

    def __init__(self, callback: Callable[[dict[str, Any] | None], None]) -> None:
        self.callback = callback

    def __enter__(self) -> None:
        _local.callback = self.callback

    def __exit__(self, *exc: object) -> None:
        _local.callback = None
