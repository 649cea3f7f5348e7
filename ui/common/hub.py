"""The window's hub: what its parts share, instead of the whole window.

A part (entity review, relation controller, corpus views) gets the hub and the few
widgets it works on. Through the hub it reaches the session, runs an edit (`perform`:
stored, undoable, redrawn and announced by the window), says a line in the status bar
and opens a document; and it hears what happened (`change_applied`, `document_opened`,
`store_changed` after background work or another connection's writes).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from annotate.model import Change
    from annotate.session import Session


class Hub(QObject):
    change_applied = Signal(object)  # the Change just redrawn
    document_opened = Signal(object)  # the id of the document now shown, or None
    store_changed = Signal()  # the store was written outside this window's edits, then reread

    def __init__(self, session: Session, *,
                 perform: Callable[[Callable[[], Change | None]], Change | None],
                 say: Callable[..., None], open_document: Callable[[int | None], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._perform, self._say, self._open = perform, say, open_document
        self.last_message = ""

    def perform(self, fn: Callable[[], Change | None]) -> Change | None:
        """Run one session verb; the window applies and announces its Change. None if
        refused (the reason is in `last_message`) or failed."""
        return self._perform(fn)

    def say(self, message: str, *, error: bool = False) -> None:
        """A transient line in the status bar (refused edits, hints)."""
        self.last_message = message
        self._say(message, error=error)

    def open_document(self, doc_id: int | None) -> None:
        self._open(doc_id)
