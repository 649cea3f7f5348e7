"""The reader's part of the window: its actions and menus, drag and drop, the source line,
reading comfort and positions, and File → Export Document as….

`install_reader_ui(window)` is called once the window shows a store. The part is handed
the window's few collaborators it uses (its document view, settings, menus, the import
it starts, the open document's id) and keeps all of its connects here.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QFontDialog, QLabel, QMenu, QSizePolicy

from ui.reader.comfort import ReadingComfort
from ui.reader.positions import ReadingPositions

if TYPE_CHECKING:
    from ui.common.host import WindowHost

REPORT_FILTER = "PDF document (*.pdf);;Web page, one file (*.html);;SVG picture (*.svg)"
_SOURCE_KEYS = ("author", "date", "site", "pages", "url", "file_name")


def droppable(paths: list[Path]) -> list[Path]:
    """The dropped files and folders that an import reads."""
    from annotate.formats import importable_suffixes

    suffixes = set(importable_suffixes())
    return [p for p in paths if p.is_dir() or (p.is_file() and p.suffix.lower() in suffixes)]


def source_line(meta: dict) -> str:
    """One line about where a received document came from ('' for none)."""
    parts = []
    for key in _SOURCE_KEYS:
        value = meta.get(key)
        if value in (None, "", [], {}):
            continue
        parts.append(f"{value} pages" if key == "pages" else str(value))
    return "  ·  ".join(parts)


def report_name(title: str) -> str:
    """A file name from a document's title."""
    stem = re.sub(r"[^\w\- ]+", "", title, flags=re.UNICODE).strip()[:60].strip()
    return (stem or "report") + ".pdf"


class ReaderUi(QObject):
    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window = window
        self.comfort = ReadingComfort(window, window.view, window.settings)
        self.positions = ReadingPositions(window.view, window.settings,
                                          str(window.session.store.path))
        self.source = QLabel(window)
        self.source.setObjectName("documentSource")
        self.source.setTextFormat(Qt.TextFormat.PlainText)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source.setStyleSheet("padding: 3px 12px; color: palette(mid);")
        # a long URL must not widen the window: the line is cut at the view's edge instead
        self.source.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        window.view.parentWidget().layout().insertWidget(
            window.view.parentWidget().layout().indexOf(window.view), self.source)
        self._sources: dict[int, str] = {}
        window.documents.model.describe = self.describe
        self._make_actions()
        self._build_menus()
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        self._connect()
        self._on_window_document_opened(window.presenter.doc_id)

    # --- actions ------------------------------------------------------------------------------

    def _action(self, text: str, keys: list[str] | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setStatusTip(tip)
        self.window.addAction(action)  # works while the menu bar is hidden (reading mode)
        return action

    def _make_actions(self) -> None:
        self.export_document = self._action(
            "Export Document &as…", tip="Save the open document with its highlights and "
                                        "relations as a PDF, a web page or an SVG picture")
        self.zoom_in = self._action("Zoom &In", ["Ctrl++", "Ctrl+="], "Bigger text")
        self.zoom_out = self._action("Zoom &Out", ["Ctrl+-"], "Smaller text")
        self.zoom_reset = self._action("&Actual Size", ["Ctrl+0"], "Text at its default size")
        self.choose_font = self._action("Text &Font…", tip="The font of the document text")
        self.reading_mode = self._action("&Reading Mode", ["F11"],
                                         "Panels hidden, the text centred on the whole screen")
        self.reading_mode.setCheckable(True)
        self.themes = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for key, text in (("system", "Follow the &Desktop"), ("light", "&Light"), ("dark", "&Dark")):
            action = QAction(text, self.themes)
            action.setCheckable(True)
            action.setData(key)
            self.theme_actions[key] = action
        self.theme_actions[self.comfort.theme()].setChecked(True)

    def _build_menus(self) -> None:
        menus = self.window.menus
        file: QMenu = menus["file"]
        export = next(a for a in file.actions() if a is self.window.actions.export)
        file.insertAction(file.actions()[file.actions().index(export) + 1], self.export_document)
        view: QMenu = menus["view"]
        first = view.actions()[0] if view.actions() else None
        for action in (self.reading_mode, self.zoom_in, self.zoom_out, self.zoom_reset,
                       self.choose_font):
            view.insertAction(first, action)
        theme = QMenu("&Theme", view)
        theme.addActions(list(self.theme_actions.values()))
        view.insertMenu(first, theme)
        view.insertSeparator(first)

    def _connect(self) -> None:
        w = self.window
        self.export_document.triggered.connect(self._on_export_document_triggered)
        self.zoom_in.triggered.connect(lambda: self.comfort.zoom(1))
        self.zoom_out.triggered.connect(lambda: self.comfort.zoom(-1))
        self.zoom_reset.triggered.connect(lambda: self.comfort.zoom(0))
        self.choose_font.triggered.connect(self._on_choose_font_triggered)
        self.reading_mode.toggled.connect(self.comfort.set_reading_mode)
        self.comfort.reading_mode_changed.connect(self.reading_mode.setChecked)
        self.themes.triggered.connect(lambda a: self.comfort.set_theme(str(a.data())))
        w.document_opened.connect(self._on_window_document_opened)
        w.first_shown.connect(self.positions.restore_saved)
        QGuiApplication.instance().aboutToQuit.connect(self.positions.save)

    # --- slots --------------------------------------------------------------------------------

    def _on_window_document_opened(self, doc_id: int | None) -> None:
        self.positions.document_opened(doc_id)
        document = self.window.presenter.document
        line = source_line(document.meta) if document is not None else ""
        self.source.setText(line)
        self.source.setToolTip(line)
        self.source.setVisible(bool(line))
        self.export_document.setEnabled(doc_id is not None)

    def describe(self, doc_id: int) -> str:
        """The source line of a stored document (for the document list's tooltips)."""
        if doc_id not in self._sources:
            from ui.shell.errors import user_errors

            try:
                self._sources[doc_id] = source_line(self.window.session.document(doc_id).meta)
            except user_errors():
                return ""
        return self._sources[doc_id]

    def _on_choose_font_triggered(self) -> None:
        ok, font = QFontDialog.getFont(self.window.view.font(), self.window, "Text Font")
        if ok:
            self.comfort.set_font_family(font.family())

    def _on_export_document_triggered(self) -> None:
        document = self.window.presenter.document
        if document is None:
            return
        start = Path(str(self.window.settings.value("export/dir") or Path.home()))
        name, chosen = QFileDialog.getSaveFileName(self.window, "Export Document as",
                                                   str(start / report_name(document.title)),
                                                   REPORT_FILTER)
        if name:
            out = Path(name)
            if not out.suffix:
                out = out.with_suffix(".html" if "html" in chosen else
                                      ".svg" if "svg" in chosen else ".pdf")
            self.window.settings.setValue("export/dir", str(out.parent))
            self.export_report(document.id, out)

    def export_report(self, doc_id: int, out: Path) -> bool:
        """Write the document's report to `out` (.pdf, .html or .svg); errors are a dialog."""
        from annotate.report import build_report
        from ui.reader.report_render import write_report
        from ui.shell.errors import show_user_error, user_errors

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            line = write_report(build_report(self.window.session, doc_id),
                                self.window.session.schema, out)
        except user_errors() as exc:
            QGuiApplication.restoreOverrideCursor()
            show_user_error(self.window, exc)
            return False
        QGuiApplication.restoreOverrideCursor()
        self.window.say(line[:1].upper() + line[1:])
        return True

    # --- drag and drop, and closing -----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self._dropped(event):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            paths = self._dropped(event)
            if paths:
                event.acceptProposedAction()
                self.window.import_paths(paths)
                return True
        elif kind == QEvent.Type.Close:
            self.comfort.set_reading_mode(False)  # the saved layout keeps the panels
            self.positions.save()
        return False

    def _dropped(self, event) -> list[Path]:  # type: ignore[no-untyped-def]
        mime = event.mimeData()
        if not mime.hasUrls() or self.window.session.read_only:
            return []
        return droppable([Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()])


def install_reader_ui(window: WindowHost) -> ReaderUi:
    return ReaderUi(window)
