"""Where the analyst was in every document: kept per store and document, restored on opening.

The position is the code point at the start of the first line on screen, so it
survives a new font, zoom or window width. It is saved when another document is
opened, a moment after scrolling stops, and when the window closes.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, QTimer

from ui.document.document_view import DocumentView

SAVE_DELAY_MS = 600


class ReadingPositions(QObject):
    def __init__(self, view: DocumentView, settings: QSettings, store_path: str) -> None:
        super().__init__(view)
        self.view = view
        self.settings = settings
        self._prefix = "reader/position/" + store_path.replace("/", "|") + "/"
        self.doc_id: int | None = None
        self._text: str | None = None  # the open document's text, to tell its scrolling apart
        self._position: int | None = None
        self._restoring = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)
        view.verticalScrollBar().valueChanged.connect(self._on_scroll_value_changed)

    def top_offset(self) -> int:
        """The code point at the start of the first line on screen."""
        document = self.view.document()
        line = self.view.verticalScrollBar().value()
        block = document.findBlockByLineNumber(line)
        if not block.isValid():
            return 0
        self.view.blockBoundingRect(block)  # lays the block out
        layout = block.layout()
        n = min(max(line - block.firstLineNumber(), 0), max(layout.lineCount() - 1, 0))
        start = block.position() + (layout.lineAt(n).textStart() if layout.lineCount() else 0)
        return self.view.offsets.to_cp(start)

    def scroll_to(self, cp: int) -> None:
        """Put the line holding code point `cp` at the top of the view."""
        text_length = len(self.view.text())
        qt = self.view.offsets.to_qt(min(max(cp, 0), text_length))
        block = self.view.document().findBlock(qt)
        if not block.isValid():
            return
        self.view.blockBoundingRect(block)
        line = block.layout().lineForTextPosition(qt - block.position())
        number = block.firstLineNumber() + (line.lineNumber() if line.isValid() else 0)
        self._restoring = True
        try:
            self.view.verticalScrollBar().setValue(number)
        finally:
            self._restoring = False

    def saved(self, doc_id: int) -> int | None:
        value = self.settings.value(self._prefix + str(doc_id))
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    def save(self) -> None:
        self._timer.stop()
        if self.doc_id is not None and self._position is not None:
            self.settings.setValue(self._prefix + str(self.doc_id), self._position)

    def document_opened(self, doc_id: int | None) -> None:
        """Call after the view shows `doc_id`: keeps the last document's position and
        restores where the analyst left this one."""
        self.save()
        self.doc_id = doc_id
        self._text = self.view.text()
        self._position = self.saved(doc_id) if doc_id is not None else None
        self.restore()

    def restore(self) -> None:
        if self.doc_id is not None and self._position is not None:
            self.scroll_to(self._position)

    def _on_scroll_value_changed(self, _value: int) -> None:
        # a new document resets the scroll bar before the window says it is open
        if self._restoring or self.doc_id is None or self.view.text() is not self._text:
            return
        self._position = self.top_offset()
        self._timer.start()
