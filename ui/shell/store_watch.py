"""Noticing what other connections write to the open store.

Another process (`main.py ner`, a second window) or the window's own background jobs
commit through connections of their own. SQLite's data_version pragma on the window's
connection changes exactly when one of them commits; `StoreWatcher` polls it (one cheap
pragma, no table read) and says so, and the window then reads again what it shows.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from storage.store import StoreError

if TYPE_CHECKING:
    from annotate.session import Session

POLL_MS = 1000


class StoreWatcher(QObject):
    changed = Signal()  # another connection committed since the last look

    def __init__(self, session: Session, parent: QObject | None = None,
                 interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.session = session
        self._version = self._read()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def _read(self) -> int | None:
        try:
            return self.session.data_version()
        except StoreError:
            return None  # the file is gone or locked for long: the next edit says so

    def check(self) -> bool:
        """Look now; emits `changed` (and returns True) if another connection committed."""
        version = self._read()
        if version is None or version == self._version:
            return False
        self._version = version
        self.changed.emit()
        return True

    @property
    def version(self) -> int | None:
        """The data version the window last caught up with."""
        return self._version

    def catch_up(self) -> None:
        """The window has just read the store again itself (after its own background job):
        what was committed so far is seen."""
        version = self._read()
        if version is not None:
            self._version = version

    def set_interval(self, interval_ms: int) -> None:
        self._timer.setInterval(interval_ms)

    def stop(self) -> None:
        self._timer.stop()
