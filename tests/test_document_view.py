"""The document view: real widget, real painting, real mouse events (offscreen)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, QRect, Qt  # noqa: E402
from PySide6.QtGui import QColor, QContextMenuEvent, QKeyEvent, QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.document.document_view import DocumentView, ViewArc, ViewSpan  # noqa: E402

MAGENTA = "#d0308a"  # a colour nothing else in the view uses
TEAL = "#1aa39a"
TEXT = ("😀 Vladimir Putin met Recep Tayyip Erdogan in Sochi on Tuesday.\r\n"
        "Russia and Turkey agreed on a ceasefire in Idlib.\n\n"
        "Plain words with nothing to highlight at all here.")


def _span(text: str, word: str, span_id: int, colour: str = MAGENTA, status: str = "accepted",
          label: str = "PERSON") -> ViewSpan:
    start = text.index(word)
    return ViewSpan(span_id, start, start + len(word), label, colour, status, f"{label} {status}")


@pytest.fixture
def view(qtbot):
    widget = DocumentView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _image(view: DocumentView):
    view.viewport().repaint()
    return view.viewport().grab().toImage()


def _count(image, rect: QRect, colour: str, tolerance: int = 6) -> int:
    """Pixels of `rect` within `tolerance` of `colour`."""
    target = QColor(colour)
    rect = rect.intersected(image.rect())
    found = 0
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            c = image.pixelColor(x, y)
            found += max(abs(c.red() - target.red()), abs(c.green() - target.green()),
                         abs(c.blue() - target.blue())) <= tolerance
    return found


def _rect(view: DocumentView, span_id: int) -> QRect:
    rects = view.span_rects(span_id)
    assert rects, "span is not on screen"
    return rects[0].toAlignedRect()


def _centre(view: DocumentView, span_id: int) -> QPoint:
    return view.span_rects(span_id)[0].center().toPoint()


def test_object_name_and_plain_text_shown_literally(view):
    """HTML-looking text is shown as is; the text given is the text kept."""
    text = "<b>Russia</b> <img src=x> &amp; Turkey\u00a0now"
    view.set_document(text, [])
    assert view.objectName() == "documentView"
    assert view.document().toPlainText() == text.replace("\u00a0", " ")
    assert view.text() == text


def test_highlight_paints_label_colour_only_on_the_entity(view):
    """An accepted entity is filled with its label colour; plain text around is not."""
    span = _span(TEXT, "Vladimir Putin", 1)
    view.set_document(TEXT, [span])
    image = _image(view)
    rect = _rect(view, 1)
    assert _count(image, rect, MAGENTA) > rect.width() * rect.height() * 0.3
    plain = view.document().findBlockByNumber(3)
    assert _count(image, QRect(0, 0, image.width(), image.height()), MAGENTA) < (
        rect.width() * rect.height() * 1.1)
    assert plain.text().startswith("Plain")


def test_highlight_geometry_matches_qt_after_emoji(view):
    """After a leading emoji, "Vladimir Putin"'s box spans exactly Qt's positions of it."""
    span = _span(TEXT, "Vladimir Putin", 1)
    view.set_document(TEXT, [span])
    _image(view)
    box = view.span_rects(1)[0]
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.offsets.to_qt(span.start))
    left = view.cursorRect(cursor).left()
    cursor.setPosition(view.offsets.to_qt(span.end))
    right = view.cursorRect(cursor).left()
    assert abs(box.left() - left) <= 2 and abs(box.right() - right) <= 2
    cursor.setPosition(view.offsets.to_qt(span.start))
    cursor.setPosition(view.offsets.to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == "Vladimir Putin"


def test_crlf_text_highlights_exactly(view):
    """An entity after a CRLF covers exactly its characters."""
    span = _span(TEXT, "Turkey", 1)
    view.set_document(TEXT, [span])
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.offsets.to_qt(span.start))
    cursor.setPosition(view.offsets.to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == "Turkey"


def test_suggested_looks_different_from_accepted(view):
    """A suggestion is painted paler (dashed edges) than an accepted entity of the same label."""
    accepted = _span(TEXT, "Russia", 1)
    suggested = _span(TEXT, "Turkey", 2, status="suggested")
    view.set_document(TEXT, [accepted, suggested])
    image = _image(view)
    full_a = _count(image, _rect(view, 1), MAGENTA)
    full_s = _count(image, _rect(view, 2), MAGENTA)
    assert full_a > 4 * max(full_s, 1)
    pale = QColor(MAGENTA)
    blended = QColor((pale.red() + 0xfd) // 2, (pale.green() + 0xfd) // 2,
                     (pale.blue() + 0xfb) // 2)
    assert _count(image, _rect(view, 2), blended.name(), tolerance=14) > 20


def test_upsert_and_remove_update_the_picture(view):
    """Adding, relabelling and removing one entity change what is painted."""
    view.set_document(TEXT, [])
    span = _span(TEXT, "Erdogan", 7)
    view.upsert_spans([span])
    assert _count(_image(view), _rect(view, 7), MAGENTA) > 20
    view.upsert_spans([_span(TEXT, "Erdogan", 7, colour=TEAL, label="GPE")])
    image = _image(view)
    assert _count(image, _rect(view, 7), TEAL) > 20
    assert _count(image, _rect(view, 7), MAGENTA) == 0
    rect = _rect(view, 7)
    view.remove_spans([7])
    assert _count(_image(view), rect, TEAL) == 0
    assert view.span_at(span.start) == []


def test_hidden_labels_and_rejected_are_not_painted(view):
    """Hidden labels and rejected entities (unless shown) are neither painted nor found."""
    person = _span(TEXT, "Vladimir Putin", 1)
    rejected = _span(TEXT, "Sochi", 2, colour=TEAL, status="rejected", label="GPE")
    view.set_document(TEXT, [person, rejected])
    assert view.span_at(rejected.start) == []
    view.set_show_rejected(True)
    assert view.span_at(rejected.start) == [2]
    assert _count(_image(view), _rect(view, 2), TEAL) == 0  # rejected: no fill
    rect = _rect(view, 1)
    view.set_hidden_labels({"PERSON"})
    assert _count(_image(view), rect, MAGENTA) == 0
    assert view.span_at(person.start) == []
    view.set_hidden_labels(set())
    assert _count(_image(view), rect, MAGENTA) > 20


def test_overlapping_entities_stay_distinguishable(view):
    """An entity inside another is inset, so the outer colour shows around it."""
    outer = _span(TEXT, "Recep Tayyip Erdogan", 1, colour=TEAL, label="PERSON")
    inner = _span(TEXT, "Erdogan", 2, colour=MAGENTA, label="PERSON")
    view.set_document(TEXT, [outer, inner])
    image = _image(view)
    inner_rect = _rect(view, 2)
    assert _count(image, inner_rect, MAGENTA) > 20
    assert _count(image, inner_rect, TEAL) > 5
    assert view.span_at(inner.start) == [2, 1]  # shortest first


def test_click_selects_entity_and_emits(view, qtbot):
    """Clicking an entity emits span_clicked with its id and selects it; clicking text clears."""
    view.set_document(TEXT, [_span(TEXT, "Russia", 3), _span(TEXT, "Turkey", 4)])
    _image(view)
    with qtbot.waitSignal(view.span_clicked) as clicked, \
            qtbot.waitSignal(view.span_selection_changed) as changed:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_centre(view, 3))
    assert clicked.args[0] == 3 and changed.args == [3]
    assert view.selected_span() == 3
    plain = view.span_rects(4)[0].toAlignedRect().bottomRight() + QPoint(200, -5)
    with qtbot.waitSignal(view.span_selection_changed) as changed:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=plain)
    assert changed.args == [None]


def test_click_with_modifier_reports_it(view, qtbot):
    """span_clicked carries the keyboard modifiers as an int."""
    view.set_document(TEXT, [_span(TEXT, "Russia", 3)])
    _image(view)
    with qtbot.waitSignal(view.span_clicked) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.ControlModifier, _centre(view, 3))
    assert clicked.args == [3, Qt.KeyboardModifier.ControlModifier.value]


def test_drag_from_entity_to_entity_proposes_relation(view, qtbot):
    """Dragging from one entity onto another emits relation_dragged(head, tail)."""
    view.set_document(TEXT, [_span(TEXT, "Russia", 3), _span(TEXT, "Turkey", 4)])
    _image(view)
    start, end = _centre(view, 3), _centre(view, 4)
    with qtbot.waitSignal(view.relation_dragged) as dragged:
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(view.viewport(), start + QPoint(10, 0))
        qtbot.mouseMove(view.viewport(), end)
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert dragged.args == [3, 4]


def _with_arcs(view):
    spans = [_span(TEXT, "Vladimir Putin", 1), _span(TEXT, "Erdogan", 2, colour=TEAL),
             _span(TEXT, "Sochi", 3, colour=TEAL, label="GPE"),
             _span(TEXT, "Russia", 4, label="GPE"), _span(TEXT, "Turkey", 5, label="GPE")]
    arcs = [ViewArc(10, 1, 2, "MEETS_WITH", "#00838f", False),
            ViewArc(11, 2, 3, "LOCATED_IN", "#5d4037", True),
            ViewArc(12, 4, 5, "ALLY_OF", "#2e7d32", False),
            ViewArc(13, 1, 4, "LEADS", "#6a1b9a", True)]  # across lines
    view.set_document(TEXT, spans, arcs)
    _image(view)
    return spans, arcs


def test_arcs_are_drawn_above_lines_in_their_colour(view):
    """Every relation on screen is painted, with its label above the text line."""
    _with_arcs(view)
    assert set(view.painted_arcs()) == {10, 11, 12, 13}
    image = _image(view)
    label = view.arc_label_rect(12).toAlignedRect()
    assert label.bottom() < _rect(view, 4).top()
    assert _count(image, label.adjusted(-2, -2, 2, 2), "#2e7d32", tolerance=20) > 10


def test_clicking_an_arc_selects_it(view, qtbot):
    """Clicking an arc's label emits arc_clicked and selects it, clearing the entity selection."""
    _with_arcs(view)
    view.select_span(1)
    _image(view)
    with qtbot.waitSignal(view.arc_clicked) as clicked, \
            qtbot.waitSignal(view.arc_selection_changed) as changed:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.arc_label_rect(11).center().toPoint())
    assert clicked.args == [11] and changed.args == [11]
    assert view.selected_arc() == 11 and view.selected_span() is None


def test_arc_modes(view):
    """'none' draws no arcs; 'selected' only the selected entity's; 'all' every one."""
    _with_arcs(view)
    view.set_arc_mode("none")
    _image(view)
    assert view.painted_arcs() == []
    view.set_arc_mode("selected")
    view.select_span(2)
    _image(view)
    assert set(view.painted_arcs()) == {10, 11}
    view.set_arc_mode("all")
    _image(view)
    assert set(view.painted_arcs()) == {10, 11, 12, 13}
    with pytest.raises(ValueError):
        view.set_arc_mode("some")


def test_arcs_of_hidden_entities_are_not_drawn_and_removal_works(view):
    """An arc disappears with its entity's label hidden, and with remove_arcs."""
    _with_arcs(view)
    view.set_hidden_labels({"GPE"})
    _image(view)
    assert set(view.painted_arcs()) == {10}
    view.set_hidden_labels(set())
    view.remove_arcs([10])
    view.upsert_arcs([ViewArc(14, 3, 5, "PART_OF", "#0277bd", True)])
    _image(view)
    assert set(view.painted_arcs()) == {11, 12, 13, 14}


def test_text_selection_in_code_points_with_emoji(view, qtbot):
    """select_text / text_selection speak code points even after an emoji and a CRLF."""
    view.set_document(TEXT, [])
    start = TEXT.index("Turkey")
    with qtbot.waitSignal(view.text_selection_changed) as changed:
        view.select_text(start, start + 6)
    assert changed.args == [(start, start + 6)]
    assert view.text_selection() == (start, start + 6)
    assert view.textCursor().selectedText() == "Turkey"
    view.select_text(3, 3)
    assert view.text_selection() is None


def test_span_at_and_next_span_cycle_in_text_order(view):
    """span_at finds entities by code point; next_span walks visible ones in order, wrapping."""
    spans = [_span(TEXT, "Vladimir Putin", 1), _span(TEXT, "Erdogan", 2),
             _span(TEXT, "Sochi", 3, status="rejected"), _span(TEXT, "Russia", 4)]
    view.set_document(TEXT, spans)
    assert view.span_at(TEXT.index("Putin")) == [1]
    assert view.span_at(TEXT.index("met")) == []
    assert view.next_span(1) == 1
    view.select_span(1)
    assert view.next_span(1) == 2
    view.select_span(2)
    assert view.next_span(1) == 4  # the rejected one is hidden
    view.select_span(4)
    assert view.next_span(1) == 1
    assert view.next_span(-1) == 2


def test_find_selects_matches_and_wraps(view):
    """find selects the next match (case-insensitive by default) and wraps around."""
    text = "Russia met Turkey. RUSSIA left. russia stayed."
    view.set_document(text, [])
    assert view.find("russia")
    assert view.text_selection() == (0, 6)
    assert view.find("russia")
    assert view.text_selection() == (19, 25)
    assert view.find("russia", case_sensitive=True)
    assert view.text_selection() == (32, 38)
    assert view.find("russia", case_sensitive=True)
    assert view.text_selection() == (32, 38)  # the only one: wraps onto itself
    assert view.find("Turkey", forward=False)
    assert view.text_selection() == (11, 17)
    assert not view.find("Iran")


def test_letter_keys_are_left_to_window_shortcuts_and_never_edit(view, qtbot):
    """The view is read-only and does not claim annotation keys, so window QActions get them."""
    view.set_document(TEXT, [])
    keys = [(Qt.Key.Key_P, "p"), (Qt.Key.Key_G, "g"), (Qt.Key.Key_1, "1"), (Qt.Key.Key_Tab, "\t"),
            (Qt.Key.Key_Delete, ""), (Qt.Key.Key_Backspace, ""), (Qt.Key.Key_Return, "\r"),
            (Qt.Key.Key_Equal, "=")]
    for key, text in keys:
        override = QKeyEvent(QEvent.Type.ShortcutOverride, key,
                             Qt.KeyboardModifier.NoModifier, text)
        override.ignore()  # as Qt's shortcut map sends it
        QApplication.sendEvent(view, override)
        assert not override.isAccepted(), text
    qtbot.keyClicks(view, "xyz")
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert view.document().toPlainText() == TEXT.replace("\r\n", "\n")


def test_shift_arrows_select_text(view, qtbot):
    """Text can be selected with the keyboard."""
    view.set_document(TEXT, [])
    view.setFocus()
    view.select_text(2, 2)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.text_selection() == (2, 4)


def test_context_menu_request_carries_entity_and_selection(view, qtbot):
    """A right click on an entity asks for a menu with its id."""
    view.set_document(TEXT, [_span(TEXT, "Russia", 3)])
    _image(view)
    pos = _centre(view, 3)
    with qtbot.waitSignal(view.context_menu_requested) as requested:
        event_pos = view.viewport().mapToGlobal(pos)
        QApplication.sendEvent(view.viewport(), QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, pos, event_pos))
    assert requested.args[0] == 3 and requested.args[1] is None
    assert view.selected_span() == 3


def test_relation_markers_and_selection_outline_are_painted(view):
    """The head/tail being picked and the selected entity get distinct outlines."""
    view.set_document(TEXT, [_span(TEXT, "Russia", 3), _span(TEXT, "Turkey", 4),
                             _span(TEXT, "Idlib", 5)])
    view.set_marked(3, 4)
    view.select_span(5)
    image = _image(view)
    grow = QRect(-5, -5, 10, 10)
    for span_id, colour in ((3, "#1565c0"), (4, "#ad1457"), (5, "#1b1f24")):
        rect = _rect(view, span_id)
        area = rect.adjusted(grow.left(), grow.top(), grow.width(), grow.height())
        assert _count(image, area, colour, tolerance=40) > 10, span_id
    assert view.marked() == (3, 4)


def test_scroll_to_span_brings_it_on_screen(view):
    """scroll_to_span scrolls a far entity into the viewport."""
    text = "\n".join(f"Paragraph {i} talks about nothing in particular." for i in range(400))
    text += "\nAnkara at the end."
    view.set_document(text, [_span(text, "Ankara", 9, label="GPE")])
    _image(view)
    assert view.span_rects(9) == []
    view.scroll_to_span(9)
    _image(view)
    rects = view.span_rects(9)
    assert rects and 0 <= rects[0].top() and rects[0].bottom() <= view.viewport().height()
