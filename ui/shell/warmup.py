"""What the corpus views need, imported ahead of time on a background thread once the
window has settled, and then (back on the GUI thread) a call to build the views hidden.

The Graph and Statistics tabs (and the agreement figures that follow statistics) are
built the first time they are opened, and their modules, with numpy and networkx under
them, were imported then: on the GUI thread, a tenth of a second or more of a window
that does not answer, and numpy's start-up in a reading thread holds Python's lock in
one C call for tens of milliseconds. Imported here instead, a moment after the window
first showed its document, and the panels built then while hidden (nothing read), the
first opening of a tab only shows it and starts its reads.

An import that fails here is left for the view to report when it is opened.
"""
from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

WARM_UP_AFTER_MS = 1500
MODULES = (
    "ui.corpus.stats_panel", "ui.corpus.graph_panel", "ui.corpus.graph_view",
    "ui.corpus.search_panel", "ui.team.agreement_view", "ui.team.jobs",
    "annotate.statistics", "annotate.corpus_graph", "annotate.team.agreement",
    "annotate.team.report", "numpy", "networkx",
)

_started = threading.Event()


class _Warmer(QObject):
    imported = Signal()  # emitted on the importing thread, delivered on the GUI thread


def warm_up_later(owner: QObject, then: Callable[[], None] | None = None) -> None:
    """Import MODULES on a background thread WARM_UP_AFTER_MS from now, then call `then`
    on the GUI thread (once per process; not at all if `owner` is gone by then)."""
    if _started.is_set():
        return
    warmer = _Warmer(owner)
    if then is not None:
        warmer.imported.connect(then)
    QTimer.singleShot(WARM_UP_AFTER_MS, warmer, lambda: _start(warmer))


def _start(warmer: _Warmer) -> None:
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_import_all, args=(warmer,), name="arcmark-warm-up",
                     daemon=True).start()


def _import_all(warmer: _Warmer) -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - the view reports it when it is opened
            continue
    try:
        warmer.imported.emit()
    except RuntimeError:  # the window (and its warmer) closed meanwhile
        pass
