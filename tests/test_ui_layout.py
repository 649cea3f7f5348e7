"""What the window looks like: usable at 1024×700, nothing cut off at the default size, a
graph that explains itself, a worked example that looks apart, label tags (issue 12,
defects 7–10 and 14)."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import load_schema
from ui.shell.main_window import MainWindow

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
TEXT = ("Russia and Iran back Syria against the Islamic State. Turkey opposes Iran. "
        "Moscow sells arms to Tehran while Ankara watches the Cooperation Council of "
        "Turkic-Speaking States.")
WORDS = (("Russia", "GPE"), ("Iran", "GPE"), ("Syria", "GPE"), ("the Islamic State", "ORG"),
         ("Turkey", "GPE"), ("Moscow", "GPE"), ("Tehran", "GPE"), ("Ankara", "GPE"),
         ("the Cooperation Council of Turkic-Speaking States", "ORG"))


def _record(**status: str) -> DocumentRecord:
    entities = tuple(EntityRecord(TEXT.index(w), TEXT.index(w) + len(w), label,
                                  origin="model:test@1" if status else "human",
                                  status=status.get("entities", "accepted"))
                     for w, label in WORDS)
    relations = (RelationRecord(0, 1, "ALLY_OF", False), RelationRecord(4, 1, "OPPOSES", True),
                 RelationRecord(5, 6, "SUPPLIES", True))
    return DocumentRecord(text=TEXT, title="Allies and rivals", entities=entities,
                          relations=relations)


@pytest.fixture
def open_window(qtbot, session, monkeypatch) -> Iterator[Callable[..., MainWindow]]:
    made: list[MainWindow] = []

    def make(size: str | None = None, **status: str) -> MainWindow:
        if size:
            monkeypatch.setenv("ARCMARK_WINDOW_SIZE", size)
        session.import_records([_record(**status)])
        window = MainWindow(session)
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(50)  # the default layout is applied again once laid out
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
        shiboken6.delete(window)  # with its timers, before the store closes


def fully_shown(widget: QWidget) -> bool:
    """On screen whole: visible, and no part clipped by a parent."""
    return widget.isVisible() and widget.visibleRegion().boundingRect().size() == widget.size()


def column_in_view(table, col: int) -> bool:
    header = table.horizontalHeader()
    left = header.sectionViewportPosition(col)
    return (not table.isColumnHidden(col) and left >= 0
            and left + header.sectionSize(col) <= table.viewport().width())


# --- 7: 1024×700 ----------------------------------------------------------------------------

def test_the_window_is_usable_at_1024_by_700(qtbot, open_window):
    """At 1024×700 the window takes that size, even with a long job running; the text, the
    entity table and the inspector keep room; every toolbar button is shown; a long Undo
    text is shortened; enlarging again gives the room back."""
    window = open_window("1024x700")
    window.status.show_job("Pre-annotating “" + "a very long document title " * 6 + "”", 3, 10)
    window.resize(1024, 700)
    qtbot.wait(20)
    assert (window.width(), window.height()) == (1024, 700)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700
    assert window.view.width() >= 400
    assert window.table.columnWidth(0) >= 150 and column_in_view(window.table, 0)
    relation = window.relation_ui.inspector.relation
    assert window.relation_ui.inspector.height() >= 200 and fully_shown(relation.delete)
    start = TEXT.index("the Cooperation")
    window.perform(lambda: window.session.relabel_entity(
        next(i for i, s in window.view.spans().items() if s.start == start), "FAC"))
    assert window.actions.undo.isEnabled()
    undo = window.toolbar.widgetForAction(window.actions.undo)
    assert undo.sizeHint().width() <= 200 and "…" in window.actions.undo.iconText()
    for action in window.toolbar.actions():
        if not action.isSeparator() and action.isVisible():  # the layer chooser: only with layers
            assert fully_shown(window.toolbar.widgetForAction(action)), action.text()
    small = (window.table.width(), window.view.width())
    window.resize(1600, 1000)
    qtbot.wait(20)
    assert window.table.width() >= small[0] and window.view.width() > small[1]


# --- 8: nothing cut off at the default size --------------------------------------------------

def test_nothing_is_cut_off_at_the_default_size(qtbot, open_window, session):
    """At the default 1520×950: the entity table's Text column, five rows of the document
    list, the inspector's Delete button and the relation table's Tail and Note columns."""
    session.import_records([DocumentRecord(text=f"Document number {n}.", title=f"Doc {n}")
                            for n in range(8)])
    window = open_window("1520x950")
    assert window.table.columnWidth(0) >= 150 and column_in_view(window.table, 0)
    documents = window.documents.table
    assert documents.viewport().height() >= 5 * documents.verticalHeader().defaultSectionSize()
    # the titles keep their room ("Doc 7" whole) however many columns the list has
    assert documents.columnWidth(0) >= documents.fontMetrics().horizontalAdvance("Document 00")
    assert fully_shown(window.relation_ui.inspector.relation.delete)
    from ui.relations.relation_table import NOTE, TAIL

    relations = window.relation_ui.table.table
    assert column_in_view(relations, TAIL) and column_in_view(relations, NOTE)


# --- 9: the graph ---------------------------------------------------------------------------

def test_an_empty_graph_says_why(qtbot, open_window):
    """Relations on unreviewed suggestions: the graph tab (Ctrl+2) draws nothing and says
    that the relations wait for their entities to be accepted."""
    window = open_window(entities="suggested")
    window.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(window.documents.table, Qt.Key.Key_2, CTRL)
    graph = window.corpus_ui.graph
    qtbot.waitUntil(lambda: bool(graph.view.empty_text))
    text = graph.view.empty_text
    assert "3 relations" in text and "not accepted" in text and "9 suggestions" in text
    assert not graph.view.graph_scene.edge_items


def test_the_graph_has_a_node_legend_and_keeps_edge_labels_off_the_discs(qtbot, open_window):
    """Accepted actors: a legend of the discs' labels, and each edge label clear of discs."""
    window = open_window()
    window.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(window.documents.table, Qt.Key.Key_2, CTRL)
    graph = window.corpus_ui.graph
    scene = graph.view.graph_scene
    qtbot.waitUntil(lambda: len(scene.edge_items) == 3)
    assert graph.view.empty_text == ""
    assert [name for name, _ in graph.view.node_legend] == ["GPE"]
    discs = [QRectF(n.pos().x() - n.radius, n.pos().y() - n.radius, 2 * n.radius, 2 * n.radius)
             for n in scene.node_items.values()]
    for edge in scene.edge_items:
        from PySide6.QtGui import QFontMetricsF

        metrics = QFontMetricsF(edge.font)
        w, h = metrics.horizontalAdvance(edge.text) + 8, metrics.height() + 2
        label = QRectF(edge.mid.x() - w / 2, edge.mid.y() - h / 2, w, h)
        assert not any(label.intersects(d) for d in discs), edge.text


def _cvd_distance(a: str, b: str) -> float:
    """The smallest CIELAB distance between two colours as seen with normal, deutan, protan
    and tritan vision (Machado et al. 2009, full severity)."""
    matrices = [np.eye(3),
                np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                          [-0.011820, 0.042940, 0.968881]]),
                np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                          [-0.003882, -0.048116, 1.051998]]),
                np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                          [0.004733, 0.691367, 0.303900]])]

    def lab(hex_colour: str, m: np.ndarray) -> np.ndarray:
        rgb = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        linear = np.clip(m @ np.where(rgb <= 0.04045, rgb / 12.92,
                                      ((rgb + 0.055) / 1.055) ** 2.4), 0, 1)
        xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]]) @ linear / np.array([0.95047, 1.0, 1.08883])
        f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    return min(float(np.linalg.norm(lab(a, m) - lab(b, m))) for m in matrices)


def test_label_colours_stay_apart_for_colour_blind_readers():
    """Every two entity labels, and every two relation labels, of the default schema differ
    for normal, deutan, protan and tritan vision; the pairs read together differ most."""
    schema = load_schema()
    entity = {e.name: e.colour for e in schema.entity_labels}
    relation = {r.name: r.colour for r in schema.relation_labels}
    for colours in (entity, relation):
        assert min(_cvd_distance(a, b) for a, b in itertools.combinations(colours.values(), 2)) > 6.5
    for a, b in (("DATE", "TIME"), ("NORP", "LANGUAGE"), ("NORP", "ORDINAL"),
                 ("LANGUAGE", "ORDINAL"), ("FAC", "QUANTITY"), ("FAC", "CARDINAL"),
                 ("QUANTITY", "CARDINAL")):
        assert _cvd_distance(entity[a], entity[b]) > 15, (a, b)
    for a, b in (("OPPOSES", "FIGHTS_AGAINST"), ("MEMBER_OF", "PART_OF"),
                 ("MEETS_WITH", "NEGOTIATES_WITH")):
        assert _cvd_distance(relation[a], relation[b]) > 30, (a, b)


# --- 10: the worked example looks apart ----------------------------------------------------

def test_the_worked_example_window_is_marked_and_closes_with_ctrl_w_or_ctrl_q(qtbot,
                                                                              open_window):
    """Its title and a banner say it is the worked example; Ctrl+W closes it, and Ctrl+Q in
    a second one closes only that one."""
    window = open_window()
    example = window.open_example()
    qtbot.waitExposed(example)
    assert "Worked Example" in example.windowTitle()
    assert "Worked Example" not in window.windowTitle()
    banner = example.findChild(QLabel, "exampleBanner")
    assert banner is not None and banner.isVisible()
    assert window.findChild(QLabel, "exampleBanner") is None
    assert not example.relation_actions.open_example.isVisible()
    example.activateWindow()
    qtbot.waitUntil(example.isActiveWindow)
    example.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(example.documents.table, Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not shiboken6.isValid(example) or not example.isVisible())
    again = window.open_example()
    qtbot.waitExposed(again)
    again.activateWindow()
    qtbot.waitUntil(again.isActiveWindow)
    again.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(again.documents.table, Qt.Key.Key_Q, CTRL)
    qtbot.waitUntil(lambda: not shiboken6.isValid(again) or not again.isVisible())
    assert window.isVisible()


# --- 14: label tags --------------------------------------------------------------------------

def test_label_tags_write_each_label_above_its_entity(qtbot, open_window):
    """Ctrl+Shift+T (View → Label Tags): each entity's label is drawn above it, the lines
    move apart to make room; pressed again, the tags go."""
    window = open_window("1400x900")
    view = window.view
    view.setFocus(Qt.FocusReason.MouseFocusReason)
    russia = next(i for i, s in view.spans().items() if s.start == 0)
    top_before = view.span_rects(russia)[0].top()
    qtbot.keyClick(view, Qt.Key.Key_T, CTRL | SHIFT)
    assert window.actions.label_tags.isChecked()
    view.viewport().repaint()
    tags = view.painted_tags
    assert tags and view.span_rects(russia)[0].top() > top_before
    first = view.span_rects(russia)[0]
    assert any(t.bottom() <= first.top() + 1 and abs(t.left() - first.left()) < 1 for t in tags)
    qtbot.keyClick(view, Qt.Key.Key_T, CTRL | SHIFT)
    assert not window.actions.label_tags.isChecked()
    assert view.span_rects(russia)[0].top() == pytest.approx(top_before)
    QApplication.processEvents()
