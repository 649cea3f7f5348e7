"""The window driven with keys and clicks on a real store: entity review end to end."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from annotate.model import DocumentRecord, EntityRecord
from ui.shell.main_window import MainWindow

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
TEXT = "Vladimir Putin met Recep Tayyip Erdogan in Moscow. Russia and Turkey are allies."
MODEL = "model:test_model@1.0"


def _suggest(text: str, word: str, label: str) -> EntityRecord:
    start = text.index(word)
    return EntityRecord(start, start + len(word), label, origin=MODEL, status="suggested")


@pytest.fixture
def make_window(session, qtbot):
    def make(*records: DocumentRecord) -> MainWindow:
        if records:
            session.import_records(list(records))
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        window.view.setFocus()
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window(DocumentRecord(text=TEXT, title="Putin meets Erdogan", entities=(
        _suggest(TEXT, "Moscow", "GPE"), _suggest(TEXT, "Russia", "GPE"),
        _suggest(TEXT, "Turkey", "ORG"))))


def stored(window: MainWindow) -> dict[tuple[int, int], tuple[str, str]]:
    """(start, end) -> (label, status) of the open document, read from the store."""
    doc_id = window.presenter.doc_id
    return {(e.start, e.end): (e.label, e.status) for e in window.session.entities(doc_id)}


def shown(window: MainWindow) -> dict[tuple[int, int], tuple[str, str]]:
    """The same, read from the document view's spans."""
    return {(s.start, s.end): (s.label, s.status) for s in window.view.spans().values()}


def entity_at(window: MainWindow, word: str) -> int:
    start = window.view.text().index(word)
    return next(i for i, s in window.view.spans().items() if s.start == start)


def press(qtbot, window: MainWindow, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.view, key, modifiers)


def test_window_shows_the_document_with_its_title(window):
    """The title names Arcmark and the document; the suggestions are highlighted."""
    assert "Arcmark" in window.windowTitle() and "Putin meets Erdogan" in window.windowTitle()
    assert shown(window) == stored(window)
    assert len(shown(window)) == 3
    assert window.status.save_state() == "All changes saved"
    assert window.status.counts.text().startswith("3 entities · 3 to review")


def test_selecting_text_and_pressing_a_label_key_stores_the_entity(qtbot, window):
    """Select text, press P: a PERSON entity with exactly those offsets, in store and view."""
    window.view.select_text(0, 14)
    press(qtbot, window, Qt.Key.Key_P)
    assert stored(window)[(0, 14)] == ("PERSON", "accepted")
    assert shown(window)[(0, 14)] == ("PERSON", "accepted")
    assert window.session.undo_text == "Add PERSON “Vladimir Putin”"
    assert window.actions.undo.text() == "&Undo Add PERSON “Vladimir Putin”"
    assert window.status.save_state() == "All changes saved"


def test_shift_key_labels_and_snapping_widens_to_words(qtbot, window):
    """A partial selection snaps to whole words; Shift+O is ORDINAL, not ORG."""
    start = TEXT.index("Recep")
    window.view.select_text(start + 2, start + 14)  # "cep Tayyip E"
    press(qtbot, window, Qt.Key.Key_O, SHIFT)
    assert stored(window)[(start, start + len("Recep Tayyip Erdogan"))] == ("ORDINAL", "accepted")


def test_snapping_can_be_switched_off(qtbot, window):
    window.actions.snap.setChecked(False)
    window.view.select_text(2, 8)
    press(qtbot, window, Qt.Key.Key_P)
    assert (2, 8) in stored(window)


def test_reject_accept_relabel_delete_with_undo_and_redo(qtbot, window):
    """Each review key changes the store and the highlights; undo and redo follow."""
    moscow = entity_at(window, "Moscow")
    span = (TEXT.index("Moscow"), TEXT.index("Moscow") + 6)
    window.review.select(moscow)
    press(qtbot, window, Qt.Key.Key_X)
    assert stored(window)[span] == ("GPE", "rejected") == shown(window)[span]
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(window)[span] == ("GPE", "suggested") == shown(window)[span]
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored(window)[span] == ("GPE", "rejected") == shown(window)[span]
    window.review.select(moscow)
    press(qtbot, window, Qt.Key.Key_A)
    assert stored(window)[span] == ("GPE", "accepted") == shown(window)[span]
    window.review.select(moscow)
    press(qtbot, window, Qt.Key.Key_L)
    assert stored(window)[span] == ("LOC", "accepted") == shown(window)[span]
    window.review.select(moscow)
    press(qtbot, window, Qt.Key.Key_Delete)
    assert span not in stored(window) and span not in shown(window)
    assert window.actions.undo.text() == "&Undo Delete LOC “Moscow”"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(window)[span] == ("LOC", "accepted") == shown(window)[span]
    assert window.view.selected_span() == moscow  # undo shows what it restored
    press(qtbot, window, Qt.Key.Key_Y, CTRL)
    assert span not in stored(window) and span not in shown(window)


def test_accepting_moves_to_the_next_suggestion(qtbot, window):
    window.review.select(entity_at(window, "Moscow"))
    press(qtbot, window, Qt.Key.Key_Return)
    assert window.view.selected_span() == entity_at(window, "Russia")


def test_accept_all_suggestions_of_the_document_and_of_one_label(qtbot, window):
    window.review.accept_all("ORG")
    assert {v for v in stored(window).values()} == {("GPE", "suggested"), ("ORG", "accepted")}
    press(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    assert {status for _, status in stored(window).values()} == {"accepted"}
    assert window.status.counts.text().startswith("3 entities · 0 to review")
    summary = window.documents.model.summary(window.presenter.doc_id)
    assert summary is not None and summary.suggested_count == 0


def test_tab_and_j_k_move_between_entities(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Tab)
    first = window.view.selected_span()
    assert first == entity_at(window, "Moscow")
    press(qtbot, window, Qt.Key.Key_J)
    assert window.view.selected_span() == entity_at(window, "Russia")
    press(qtbot, window, Qt.Key.Key_K)
    assert window.view.selected_span() == first


def test_entity_table_and_view_selection_stay_in_sync(qtbot, window):
    """Selecting a row selects the highlight, and clicking a highlight selects the row."""
    table = window.table
    russia = entity_at(window, "Russia")
    row = table.proxy.mapFromSource(table.source.index(table.source.row_of(russia), 0))
    table.selectionModel().setCurrentIndex(row, table.selectionModel().SelectionFlag.ClearAndSelect
                                           | table.selectionModel().SelectionFlag.Rows)
    assert window.view.selected_span() == russia
    turkey = entity_at(window, "Turkey")
    rect = window.view.span_rects(turkey)[0]
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center().toPoint())
    assert window.view.selected_span() == turkey
    assert table.selected_entity() == turkey


def test_label_keys_also_work_in_the_entity_table(qtbot, window):
    moscow = entity_at(window, "Moscow")
    window.review.select(moscow)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F)
    assert window.session.entity(moscow).label == "FAC"


def test_review_keys_do_not_fire_while_typing_in_the_filter(qtbot, window):
    window.review.select(entity_at(window, "Moscow"))
    qtbot.keyClicks(window.documents.filter_edit, "xa")
    assert {status for _, status in stored(window).values()} == {"suggested"}


def test_a_refused_edit_is_a_status_line_not_a_dialog(qtbot, window):
    moscow = entity_at(window, "Moscow")
    window.review.select(moscow)
    press(qtbot, window, Qt.Key.Key_G)  # already GPE
    assert "already GPE" in window.statusBar().currentMessage()


def test_emoji_before_the_entity_highlights_exactly(qtbot, make_window):
    """Qt counts 😀 as two positions; the highlight still covers exactly "Vladimir Putin"."""
    text = "😀 Vladimir Putin visited Ankara."
    window = make_window(DocumentRecord(text=text, title="emoji"))
    window.view.select_text(2, 16)
    press(qtbot, window, Qt.Key.Key_P)
    assert stored(window) == {(2, 16): ("PERSON", "accepted")}
    span = next(iter(window.view.spans().values()))
    assert text[span.start:span.end] == "Vladimir Putin"
    start, end = window.view.offsets.to_qt(span.start), window.view.offsets.to_qt(span.end)
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == "Vladimir Putin"


def test_html_in_the_text_is_shown_literally(make_window):
    text = "<b>Russia</b> <img src=x> and <i>Turkey</i> &amp; Iran"
    window = make_window(DocumentRecord(text=text, title="<b>bold</b>"))
    assert window.view.document().toPlainText() == text
    assert "<b>bold</b>" in window.windowTitle()


def test_show_rejected_and_hidden_labels(qtbot, window):
    moscow = entity_at(window, "Moscow")
    window.review.select(moscow)
    press(qtbot, window, Qt.Key.Key_X)
    assert not window.view.is_span_visible(window.view.spans()[moscow])
    window.actions.show_rejected.setChecked(True)
    assert window.view.is_span_visible(window.view.spans()[moscow])
    window.palette.set_hidden("GPE", True)
    assert window.view.hidden_labels() == {"GPE"}
    assert window.table.proxy.rowCount() == 1  # only the ORG is left in the table


def test_find_bar_selects_the_match(qtbot, window):
    press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.edit, "erdogan")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    start = TEXT.index("Erdogan")
    assert window.view.text_selection() == (start, start + 7)


def test_next_document_and_marking_done_are_undoable(qtbot, make_window):
    window = make_window(DocumentRecord(text="First article about Russia.", title="First"),
                         DocumentRecord(text="Second article about Turkey.", title="Second"))
    assert window.presenter.document.title == "First"
    press(qtbot, window, Qt.Key.Key_PageDown, CTRL)
    assert window.presenter.document.title == "Second"
    window.actions.mark_done.trigger()
    doc_id = window.presenter.doc_id
    assert window.session.document(doc_id).status == "done"
    assert window.documents.model.summary(doc_id).status == "done"
    window.actions.previous_document.trigger()
    assert window.presenter.document.title == "First"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # the undo reopens the document it changed
    assert window.session.document(doc_id).status == "new"
    assert window.presenter.doc_id == doc_id


def test_right_click_menu_labels_the_selection(qtbot, window):
    window.view.select_text(0, 14)
    menu = window.review.context_menu(None, (0, 14), window.view.mapToGlobal(
        window.view.rect().center()))
    person = next(a for a in menu.actions() if a.text() == "PERSON")
    person.trigger()
    menu.close()
    assert stored(window)[(0, 14)] == ("PERSON", "accepted")


def test_tooltip_names_label_origin_and_status(window):
    span = window.view.spans()[entity_at(window, "Moscow")]
    assert "GPE" in span.tooltip and "test_model@1.0" in span.tooltip and "Suggestion" in span.tooltip


def test_deleting_the_open_document_opens_another(make_window):
    window = make_window(DocumentRecord(text="First article about Russia.", title="First"),
                         DocumentRecord(text="Second article about Turkey.", title="Second"))
    first = window.presenter.doc_id
    window.perform(lambda: window.session.delete_document(first))
    assert window.presenter.document.title == "Second"
    assert len(window.documents.model.ids()) == 1
    window.actions.undo.trigger()
    assert len(window.documents.model.ids()) == 2
