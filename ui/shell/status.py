"""The status bar's permanent parts and the find bar above the text."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QStatusBar, QToolButton,
    QWidget,
)

SAVED = "All changes saved"
JOB_TEXT_PX = 280


class StatusPanel(QWidget):
    """Job progress with Cancel, the open document's counts, the save state and the store."""

    cancel_requested = Signal()

    def __init__(self, bar: QStatusBar, store_path: str) -> None:
        super().__init__(bar)
        self.job_label = QLabel(self)
        self.job_label.setObjectName("jobLabel")
        self.job_label.setMaximumWidth(JOB_TEXT_PX)  # a long title never widens the window
        self.progress = QProgressBar(self)
        self.progress.setObjectName("jobProgress")
        self.progress.setFixedWidth(160)
        self.progress.setMaximumHeight(16)
        self.progress.setTextVisible(False)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setObjectName("jobCancel")
        self.cancel.clicked.connect(self.cancel_requested)
        self.counts = QLabel(self)
        self.counts.setObjectName("countsLabel")
        self.saved = QLabel(SAVED, self)
        self.saved.setObjectName("saveState")
        self.store = QLabel(self)
        self.store.setObjectName("storePath")
        self.store.setToolTip(f"The store: {store_path}")
        self.store.setText(_elide_path(store_path))
        self.store.setStyleSheet("color: #5f6b7a;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(10)
        for widget in (self.job_label, self.progress, self.cancel, _bar(self), self.counts,
                       _bar(self), self.saved, _bar(self), self.store):
            layout.addWidget(widget)
        self.set_saved(True)
        self.show_job(None)
        bar.addPermanentWidget(self)

    def show_job(self, title: str | None, done: int = 0, total: int = 0) -> None:
        """Show a running job's progress (total 0: busy without a count); None hides it."""
        running = title is not None
        for widget in (self.job_label, self.progress, self.cancel):
            widget.setVisible(running)
        if not running:
            self._rate_from = None
            return
        now = time.monotonic()
        if getattr(self, "_rate_from", None) is None or done < self._rate_from[1] or not total:
            self._rate_from = (now, done)  # (time, done) when counting started
        text = title + self._time_left(now, done, total)
        self.job_label.setToolTip(text)
        self.job_label.setText(self.job_label.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight, JOB_TEXT_PX))
        self.progress.setRange(0, max(total, 0))
        if total:
            self.progress.setValue(min(done, total))
            self.progress.setToolTip(f"{done:,} of {total:,}")

    def _time_left(self, now: float, done: int, total: int) -> str:
        """' · about 2 min left', from the pace since counting started (after 2 s)."""
        started, first = self._rate_from
        elapsed, progressed = now - started, done - first
        if not total or progressed <= 0 or elapsed < 2 or done >= total:
            return ""
        return " · " + format_time_left(elapsed / progressed * (total - done))

    def set_counts(self, entities: int, suggestions: int, relations: int) -> None:
        self.counts.setText(f"{entities} entities · {suggestions} to review · "
                            f"{relations} relations")

    def set_saved(self, saved: bool, message: str = "") -> None:
        if saved:
            self.saved.setText("✓ " + SAVED)
            self.saved.setStyleSheet("color: #1b7a3a;")
        else:
            self.saved.setText(message or "Not saved")
            self.saved.setStyleSheet("color: #b3261e; font-weight: 600;")

    def save_state(self) -> str:
        return self.saved.text().removeprefix("✓ ")


def format_time_left(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute left"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min left"
    return f"about {seconds / 3600:.1f} h left"


def _bar(parent: QWidget) -> QLabel:
    sep = QLabel("|", parent)
    sep.setStyleSheet("color: #c4c9d0;")
    return sep


def _elide_path(path: str, width: int = 40) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


class FindBar(QWidget):
    """Find in the open document: Enter finds the next match, Shift+Enter the previous,
    Escape closes. `find_requested(text, forward, case_sensitive)`."""

    find_requested = Signal(str, bool, bool)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.edit = QLineEdit(self)
        self.edit.setObjectName("findEdit")
        self.edit.setPlaceholderText("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.case = QCheckBox("Match case", self)
        self.result = QLabel(self)
        self.result.setStyleSheet("color: #b3261e;")
        previous = QToolButton(self)
        previous.setText("▲")
        previous.setToolTip("Previous match (Shift+Enter)")
        following = QToolButton(self)
        following.setText("▼")
        following.setToolTip("Next match (Enter)")
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        close.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        for widget in (self.edit, previous, following, self.case, self.result):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(close)
        self.edit.setMaximumWidth(360)
        self.edit.returnPressed.connect(lambda: self.request(True))
        following.clicked.connect(lambda: self.request(True))
        previous.clicked.connect(lambda: self.request(False))
        close.clicked.connect(self.close_bar)
        self.edit.textChanged.connect(lambda _t: self.result.clear())
        self.hide()

    def open_bar(self, text: str = "") -> None:
        if text:
            self.edit.setText(text)
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def request(self, forward: bool) -> None:
        if self.edit.text():
            self.find_requested.emit(self.edit.text(), forward, self.case.isChecked())

    def show_result(self, found: bool) -> None:
        self.result.setText("" if found else "Not found")

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == event.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                    event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
                self.request(False)
                return True
        return super().eventFilter(watched, event)
