"""What a feature part installed into a ready window (the model loop, teams, the reader)
reaches of that window, named here so the part need not import the main window.

These parts still take the window itself (unlike the document, relation and corpus parts,
which take the hub and their widgets); the protocol is the list of what they touch.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QSettings, SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu, QTabWidget, QToolBar

    from annotate.model import Change
    from annotate.session import Session
    from ui.shell.worker import BackgroundRunner, Job


class WindowHost(Protocol):
    session: Session
    settings: QSettings
    model: str | None
    runner: BackgroundRunner
    change_applied: SignalInstance
    document_opened: SignalInstance
    first_shown: SignalInstance
    # widgets and parts of the window
    actions: Any
    menus: dict[str, QMenu]
    tabs: QTabWidget
    toolbar: QToolBar
    view: Any
    presenter: Any
    review: Any
    documents: Any
    relation_ui: Any
    corpus_ui: Any

    def perform(self, fn: Callable[[], Change | None]) -> Change | None: ...
    def say(self, message: str, *, error: bool = False) -> None: ...
    def open_document(self, doc_id: int | None) -> None: ...
    def submit(self, title: str, fn: Callable[..., object],
               then: Callable[[object], None] | None = None, **kwargs: object) -> Job: ...
    def import_paths(self, paths: list[Path]) -> Job: ...
    def _job_args(self) -> dict[str, object]: ...
    def _update_actions(self) -> None: ...
    # of QMainWindow
    def addAction(self, action: QAction) -> None: ...
    def installEventFilter(self, watcher: QObject) -> None: ...
    def setAcceptDrops(self, on: bool) -> None: ...
