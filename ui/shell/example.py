"""Help → Open the Worked Example: the sample article fully annotated, in its own window.

The example is imported from `seeds/example/worked-example.jsonl` into a store of its own
in the user data folder, recreated each time, so whatever the user tries there
never touches their corpus.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from ui.shell.errors import show_user_error, user_errors

if TYPE_CHECKING:
    from ui.shell.window_frame import WindowFrame

EXAMPLE_FILE = Path("example", "worked-example.jsonl")
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def example_store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("arcmark", appauthor=False)) / "example.db"


def example_file(seeds: Path | None) -> Path:
    for folder in (seeds, SEEDS):
        if folder is not None and (Path(folder) / EXAMPLE_FILE).is_file():
            return Path(folder) / EXAMPLE_FILE
    return SEEDS / EXAMPLE_FILE


def build_example_store(source: Path, path: Path | None = None):  # type: ignore[no-untyped-def]
    """A fresh store at `path` holding the worked example; returns its Session."""
    from annotate.corpus_io import import_path
    from annotate.model import ArcmarkError
    from annotate.session import Session
    from storage.store import Store

    path = path or example_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = Store(path)
    try:
        session = Session(store)
        report = import_path(session, source)
        if report.errors:
            raise ArcmarkError(report.errors[0])
    except BaseException:
        store.close()
        raise
    return session


def open_example(window: WindowFrame) -> WindowFrame | None:
    """Open the worked example in a second window built like `window` (its class, its
    seeds folder and model)."""
    seeds, model = getattr(window, "seeds", None), getattr(window, "model", None)
    try:
        session = build_example_store(example_file(seeds))
    except (*user_errors(), OSError) as exc:
        show_user_error(window, exc)
        return None
    example = type(window)(session, model=model, remember_layout=False,  # type: ignore[call-arg]
                           example=True)
    # its own look: a blue frame around the toolbar and status bar, no way to open another
    example.setStyleSheet("QToolBar#mainToolbar, QStatusBar { background: #e3efff; }")
    example.relation_actions.open_example.setVisible(False)
    example.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    store = session.store
    example.destroyed.connect(lambda *_: store.close())
    example.show()
    example.say("The worked example: a finished annotation, kept apart from your corpus")
    return example
