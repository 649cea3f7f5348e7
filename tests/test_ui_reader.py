"""The reader in the window: drops and import dialogs take received documents, zoom and font
are remembered, the dark look follows the desktop, reading mode hides the panels, the
reading position of each document comes back, and File → Export Document as… writes a report."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFontMetricsF, QTextCursor

from annotate.corpus_io import import_path
from annotate.formats import read_path
from annotate.schema import load_schema
from tests.conftest import ROOT
from ui.document.document_view import FONT_POINTS
from ui.shell.dialogs import IMPORT_FILTER
from ui.shell.main_window import MainWindow

DATA = ROOT / "tests" / "data" / "reader"
EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"


@pytest.fixture
def window(qtbot, session):
    import_path(session, EXAMPLE)
    import_path(session, DATA / "herald-sun-surveillance.html")
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.reader_ui.comfort.set_theme("light")


def _drop(win: MainWindow, paths: list[Path]) -> QDropEvent:
    """Drop files on the window. Qt delivers a drop only during a real drag (none can run
    offscreen), so the event goes where Qt hands it: the reader's filter on the window."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    event.setAccepted(False)
    if win.reader_ui.eventFilter(win, enter):
        win.reader_ui.eventFilter(win, event)
    return event


def test_import_dialog_offers_the_received_formats():
    """The Import Files dialog's first filter lists web pages, PDF, Word and e-mail files."""
    first = IMPORT_FILTER.split(";;")[0]
    for pattern in ("*.html", "*.htm", "*.pdf", "*.docx", "*.eml", "*.txt", "*.jsonl"):
        assert pattern in first


def test_dropping_received_files_imports_them_in_the_background(qtbot, window, tmp_path):
    """A PDF, a DOCX and an e-mail dropped on the window are imported; other files are ignored."""
    stray = tmp_path / "picture.png"
    stray.write_bytes(b"\x89PNG")
    files = [DATA / "bulletin-two-columns.pdf", DATA / "briefing.docx",
             DATA / "forwarded-article.eml", stray]
    before = len(window.session.documents())
    with qtbot.waitSignal(window.runner.job_finished, timeout=120_000):
        event = _drop(window, files)
    assert event.isAccepted()
    titles = {d.title for d in window.session.documents()}
    assert len(titles) == before + 3
    assert {"Regional Security Review", "Briefing: Turkey and Russia",
            "FW: Turkey fights alongside Russia and Iran"} <= titles
    assert len(window.documents.visible_ids()) == before + 3


def test_dropping_only_unknown_files_is_refused(window, tmp_path):
    """A drop with nothing importable is not accepted and starts no import."""
    stray = tmp_path / "notes.odt"
    stray.write_bytes(b"PK")
    event = _drop(window, [stray])
    assert not event.isAccepted() and not window.runner.busy


def test_zoom_keys_change_the_text_size_and_are_remembered(qtbot, window, session):
    """Ctrl++ twice, Ctrl+- once, then Ctrl+0; a new window starts at the remembered size."""
    view = window.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.font().pointSizeF() == pytest.approx(FONT_POINTS + 1)
    second = MainWindow(session)
    qtbot.addWidget(second)
    assert second.view.font().pointSizeF() == pytest.approx(FONT_POINTS + 1)
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.font().pointSizeF() == pytest.approx(FONT_POINTS)
    assert float(QSettings("Arcmark", "Arcmark").value("reader/font_points")) == FONT_POINTS


def test_font_family_is_remembered_for_the_next_window(qtbot, window, session):
    """A chosen text font is the document view's font in the next window too."""
    family = window.view.font().family()
    other = "DejaVu Serif" if family != "DejaVu Serif" else "DejaVu Sans Mono"
    window.reader_ui.comfort.set_font_family(other)
    assert window.view.font().family() == other
    second = MainWindow(session)
    qtbot.addWidget(second)
    assert second.view.font().family() == other


def test_dark_look_follows_the_desktop_unless_chosen(window, monkeypatch):
    """'Follow the Desktop' is dark exactly when the desktop is; Light and Dark override it."""
    comfort = window.reader_ui.comfort
    assert comfort.theme() == "system"
    monkeypatch.setattr(type(comfort), "desktop_is_dark", lambda self: True)
    comfort._on_hints_color_scheme_changed(Qt.ColorScheme.Dark)
    assert comfort.dark and window.view.is_dark()
    base = window.view.palette().color(window.view.backgroundRole())
    assert base.lightness() < 60
    comfort.set_theme("light")
    assert not window.view.is_dark()
    comfort._on_hints_color_scheme_changed(Qt.ColorScheme.Dark)  # a choice is kept
    assert not window.view.is_dark()
    monkeypatch.setattr(type(comfort), "desktop_is_dark", lambda self: False)
    comfort.set_theme("dark")
    assert window.view.is_dark()


def test_highlighted_text_stays_legible_in_both_looks(qtbot, window):
    """In each look, the ink over a label's highlight contrasts with it (rendered pixels)."""
    from PySide6.QtGui import QColor

    view = window.view
    span = next(iter(view.spans().values()))
    for dark in (False, True):
        window.reader_ui.comfort.set_theme("dark" if dark else "light")
        view.scroll_to_span(span.id)
        qtbot.wait(50)
        rect = view.span_rects(span.id)[0].toAlignedRect()
        image = view.viewport().grab(rect).toImage()
        colours = [QColor(image.pixel(x, y)) for x in range(image.width())
                   for y in range(2, image.height() - 3)]
        light = max(c.lightnessF() for c in colours)
        darkest = min(c.lightnessF() for c in colours)
        assert light - darkest > 0.45, (dark, light, darkest)


def test_reading_mode_hides_the_panels_and_centres_a_readable_column(qtbot, window):
    """F11: docks, toolbar and menus hidden, text in a ~70-character column; F11 brings back all."""
    view = window.view
    view.setFocus()
    visible_before = {d.objectName() for d in window.docks if d.isVisible()}
    qtbot.keyClick(view, Qt.Key.Key_F11)
    assert window.reader_ui.reading_mode.isChecked()
    assert not any(d.isVisible() for d in window.docks)
    assert not window.toolbar.isVisible() and not window.menuBar().isVisible()
    qtbot.wait(50)
    column = view.viewport().width()
    chars = column / QFontMetricsF(view.font()).averageCharWidth()
    assert 60 <= chars <= 95
    assert abs(view.viewportMargins().left() - view.viewportMargins().right()) <= 1
    qtbot.keyClick(view, Qt.Key.Key_F11)
    assert {d.objectName() for d in window.docks if d.isVisible()} == visible_before
    assert window.toolbar.isVisible() and window.menuBar().isVisible()


def test_reading_position_of_each_document_comes_back(qtbot, window, session):
    """Scroll down in one document, open another and come back: the same line is on top;
    a new window on the store opens it there too."""
    doc_id = window.presenter.doc_id
    other = next(d.id for d in session.documents() if d.id != doc_id)
    positions = window.reader_ui.positions
    bar = window.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    top = positions.top_offset()
    assert top > 0
    window.open_document(other)
    assert window.presenter.doc_id == other and positions.top_offset() == 0
    window.open_document(doc_id)
    assert positions.top_offset() == top
    positions.save()
    second = MainWindow(session)
    qtbot.addWidget(second)
    second.resize(1300, 850)
    second.show()
    qtbot.waitExposed(second)
    second.open_document(doc_id)
    assert second.reader_ui.positions.top_offset() == top


def _top_line_holds(win: MainWindow, cp: int) -> bool:
    """The first line on screen holds code point `cp` (at any width)."""
    cursor = QTextCursor(win.view.document())
    cursor.setPosition(win.view.offsets.to_qt(cp))
    rect = win.view.cursorRect(cursor)
    return 0 <= rect.top() < rect.height()


def test_the_last_document_reopens_where_it_was_left(qtbot, window, session):
    """Closing the window and starting again: the last document is shown at the same line
    (the new window's panels may give the text another width: the line holding the same
    code point is at the top)."""
    bar = window.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)
    top = window.reader_ui.positions.top_offset()
    doc_id = window.presenter.doc_id
    window.close()
    second = MainWindow()  # as the app starts: the frame on screen first, then the store
    qtbot.addWidget(second)
    second.resize(1300, 850)
    second.show()
    qtbot.waitExposed(second)
    second.attach(session)
    qtbot.waitUntil(lambda: _top_line_holds(second, top), timeout=3000)
    assert second.presenter.doc_id == doc_id and second.view.verticalScrollBar().value() > 0


def test_pdf_over_the_page_bound_is_refused(monkeypatch):
    """A PDF with more pages than the bound is one line, read no further."""
    from annotate.formats import pdf

    monkeypatch.setattr(pdf, "MAX_PAGES", 1)
    (batch,) = list(read_path(DATA / "bulletin-two-columns.pdf", schema=load_schema()))
    assert batch.error == "bulletin-two-columns.pdf: 2 pages; at most 1 are read"


def test_source_line_shows_a_received_documents_metadata(window, session):
    """Above the text: author, date, site and URL of the web page; nothing for a plain one."""
    page = next(d for d in session.documents() if d.title.startswith("Angry media"))
    window.open_document(page.id)
    line = window.reader_ui.source
    assert line.isVisible()
    assert line.text().startswith("Laurie Oakes  ·  2015-03-13  ·  HeraldSun  ·  http://www.heraldsun")


def test_document_list_tooltip_names_the_source(window, session):
    """Hovering a received document in the list shows its author, date, site and URL."""
    from PySide6.QtCore import Qt as QtNs

    model = window.documents.model
    page = next(d for d in session.documents() if d.title.startswith("Angry media"))
    tip = model.data(model.index(model.row_of(page.id), 0), QtNs.ItemDataRole.ToolTipRole)
    assert "Laurie Oakes  ·  2015-03-13  ·  HeraldSun" in tip and "heraldsun.com.au" in tip


def test_export_document_as_writes_the_report(qtbot, window, tmp_path, monkeypatch):
    """File → Export Document as…: the chosen file is written and the status bar says so."""
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "report"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "PDF document (*.pdf)")))
    file_menu = window.menus["file"]
    assert window.reader_ui.export_document in file_menu.actions()
    window.reader_ui.export_document.trigger()
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "report.pdf" in window.statusBar().currentMessage()
