"""Relations in the window, driven with the mouse and the keyboard on a real store."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from annotate.model import DocumentRecord, EntityRecord, Relation
from tests.ui_windows import add_relation, shown_window
from ui.shell.main_window import MainWindow
from ui.relations.relation_builder import LabelMenu
from ui.relations.relation_table import RelationTableModel, relation_row

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton
SENTENCES = ("Tayyip Erdogan leads Turkey. ",
             "Russia and Turkey fight Islamic State in Syria. ",
             "Moscow sells the S-400 to Ankara.")
TEXT = "".join(SENTENCES)
ENTITIES = (("Tayyip Erdogan", "PERSON", 0), ("Turkey", "GPE", 0), ("Russia", "GPE", 0),
            ("Turkey", "GPE", 1), ("Islamic State", "ORG", 0), ("Syria", "GPE", 0),
            ("Moscow", "GPE", 0), ("S-400", "PRODUCT", 0), ("Ankara", "GPE", 0))


def _record() -> DocumentRecord:
    entities = []
    for word, label, nth in ENTITIES:
        start = -1
        for _ in range(nth + 1):
            start = TEXT.index(word, start + 1)
        entities.append(EntityRecord(start, start + len(word), label))
    sentences, at = [], 0
    for sentence in SENTENCES:
        sentences.append((at, at + len(sentence.rstrip())))
        at += len(sentence)
    return DocumentRecord(text=TEXT, title="Allies", entities=tuple(entities),
                          sentences=tuple(sentences))


@pytest.fixture
def window(qtbot, session) -> Iterator[MainWindow]:
    for window in shown_window(qtbot, session, _record()):
        window.view.setFocus()
        yield window


def entity(window: MainWindow, word: str, nth: int = 0) -> int:
    starts = [i for i in range(len(TEXT)) if TEXT.startswith(word, i)]
    start = starts[nth]
    return next(i for i, s in window.view.spans().items() if s.start == start)


def stored(window: MainWindow) -> list[Relation]:
    return window.session.relations(window.presenter.doc_id)


def triples(window: MainWindow) -> set[tuple[int, str, int]]:
    return {(r.head_id, r.label, r.tail_id) for r in stored(window)}


def drawn(window: MainWindow) -> set[tuple[int, str, int]]:
    return {(a.head_id, a.label, a.tail_id) for a in window.view.arcs().values()}


def listed(window: MainWindow) -> set[tuple[int, str, int]]:
    return {(r.head_id, r.label, r.tail_id) for r in window.relation_ui.table.source.rows()}


def centre(window: MainWindow, span_id: int) -> QPoint:
    return window.view.span_rects(span_id)[0].center().toPoint()


def popup(qtbot) -> LabelMenu:
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), LabelMenu))
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, LabelMenu)
    return menu


def add(window: MainWindow, head: int, tail: int, label: str) -> int:
    return add_relation(window, head, label, tail)


def test_click_head_ctrl_click_tail_and_a_label_key_stores_the_relation(qtbot, window):
    """Mouse: click Erdogan, Ctrl-click Turkey, press 7 (LEADS): stored with its evidence."""
    erdogan, turkey = entity(window, "Tayyip Erdogan"), entity(window, "Turkey")
    viewport = window.view.viewport()
    qtbot.mouseClick(viewport, LEFT, pos=centre(window, erdogan))
    qtbot.mouseClick(viewport, LEFT, CTRL, pos=centre(window, turkey))
    menu = popup(qtbot)
    assert window.view.marked() == (erdogan, turkey)
    offered = [label.name for label in menu.allowed]
    assert "LEADS" in offered and "MEMBER_OF" not in offered  # its tails are ORG/NORP
    qtbot.keyClick(menu, "7")
    (rel,) = stored(window)
    assert (rel.head_id, rel.label, rel.tail_id, rel.directed) == (erdogan, "LEADS", turkey, True)
    assert (rel.evidence_start, rel.evidence_end) == (0, len(SENTENCES[0].rstrip()))
    assert drawn(window) == listed(window) == triples(window)
    assert window.view.marked() == (None, None)
    assert window.relation_ui.inspector.relation.relation.id == rel.id


def test_shift_click_picks_the_tail_too(qtbot, window):
    """Shift-click works like Ctrl-click; clicking a label in the menu stores it."""
    russia, syria = entity(window, "Russia"), entity(window, "Syria")
    viewport = window.view.viewport()
    qtbot.mouseClick(viewport, LEFT, pos=centre(window, russia))
    qtbot.mouseClick(viewport, LEFT, SHIFT, pos=centre(window, syria))
    menu = popup(qtbot)
    menu.label_actions["FIGHTS_AGAINST"].trigger()
    assert triples(window) == {(russia, "FIGHTS_AGAINST", syria)}


def test_dragging_from_one_entity_to_another_proposes_the_relation(qtbot, window):
    """Mouse: press on Moscow, move, release on Ankara; pick SUPPLIES with its key."""
    moscow, ankara = entity(window, "Moscow"), entity(window, "Ankara")
    viewport = window.view.viewport()
    start, end = centre(window, moscow), centre(window, ankara)
    qtbot.mousePress(viewport, LEFT, pos=start)
    qtbot.mouseMove(viewport, start + QPoint(12, 0))
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, LEFT, pos=end)
    menu = popup(qtbot)
    qtbot.keyClick(menu, "s")
    (rel,) = stored(window)
    assert (rel.head_id, rel.label, rel.tail_id) == (moscow, "SUPPLIES", ankara)
    assert (rel.evidence_start, rel.evidence_end) == (TEXT.index("Moscow"), len(TEXT))
    # drawn selected at once (not dimmed behind the selected entity), its row current
    assert window.view.selected_arc() == rel.id == window.relation_ui.table.selected_relation()


def test_keyboard_only_cycle_mark_head_mark_tail_label_key(qtbot, window):
    """Keyboard: Tab to Russia, [, Tab to Turkey, ], 1 (ALLY_OF): stored, evidence filled."""
    view = window.view
    russia, turkey = entity(window, "Russia"), entity(window, "Turkey", 1)
    while view.selected_span() != russia:
        qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.keyClick(view, "[")
    assert view.marked() == (russia, None)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.selected_span() == turkey
    qtbot.keyClick(view, "]")
    menu = popup(qtbot)
    assert view.marked() == (russia, turkey)
    qtbot.keyClick(menu, "1")
    (rel,) = stored(window)
    assert (rel.head_id, rel.label, rel.tail_id, rel.directed) == (russia, "ALLY_OF", turkey, False)
    start = TEXT.index(SENTENCES[1])
    assert (rel.evidence_start, rel.evidence_end) == (start, start + len(SENTENCES[1].rstrip()))
    assert drawn(window) == listed(window) == triples(window)
    assert window.relation_ui.table.source.rows()[0].evidence == SENTENCES[1].rstrip()
    qtbot.waitUntil(view.hasFocus)  # the keyboard is back in the text
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.selected_span() == entity(window, "Islamic State")


def test_escape_cancels_the_relation_being_built(qtbot, window):
    """Esc in the label menu stores nothing and clears the head/tail marks."""
    view = window.view
    window.review.select(entity(window, "Russia"))
    qtbot.keyClick(view, "[")
    window.review.select(entity(window, "Syria"))
    qtbot.keyClick(view, "]")
    menu = popup(qtbot)
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.marked() == (None, None))
    assert stored(window) == []
    window.review.select(entity(window, "Russia"))
    qtbot.keyClick(view, "[")
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # also in the text, before the menu
    assert view.marked() == (None, None)


def test_a_label_the_schema_does_not_allow_is_refused_with_the_reason(qtbot, window):
    """PERSON -> PRODUCT with the LEADS key: refused, the reason shown, nothing stored."""
    erdogan, s400 = entity(window, "Tayyip Erdogan"), entity(window, "S-400")
    menu = window.relation_ui.builder.propose(erdogan, s400)
    assert menu is not None and "LEADS" not in menu.label_actions
    assert set(menu.label_actions) == {"SUPPLIES", "SAME_AS"}
    qtbot.keyClick(popup(qtbot), "7")
    message = window.statusBar().currentMessage()
    assert "LEADS cannot link PERSON to PRODUCT" in message
    assert menu.isVisible() and "LEADS cannot link" in menu.actions()[-1].text()
    assert stored(window) == [] and window.view.arcs() == {}
    qtbot.keyClick(menu, "s")  # an allowed one still works from the same menu
    assert triples(window) == {(erdogan, "SUPPLIES", s400)}


def test_pairs_the_schema_never_links_offer_nothing(qtbot, window):
    """PRODUCT -> PRODUCT-like pairs with no label: the menu says so."""
    s400, syria = entity(window, "S-400"), entity(window, "Syria")
    menu = window.relation_ui.builder.propose(s400, syria)
    assert menu is not None
    assert [label.name for label in menu.allowed] == ["SAME_AS"]


def test_a_symmetric_relation_entered_both_ways_is_stored_once(qtbot, window):
    """ALLY_OF Turkey -> Russia is stored in text order; Russia -> Turkey again is refused."""
    russia, turkey = entity(window, "Russia"), entity(window, "Turkey", 1)
    builder = window.relation_ui.builder
    builder.propose(turkey, russia)
    qtbot.keyClick(popup(qtbot), "1")
    assert triples(window) == {(russia, "ALLY_OF", turkey)}
    builder.propose(russia, turkey)
    menu = popup(qtbot)
    qtbot.keyClick(menu, "1")
    assert "already exists" in window.statusBar().currentMessage()
    assert len(stored(window)) == 1 and len(window.view.arcs()) == 1
    assert window.relation_ui.table.source.rowCount() == 1


def test_edit_swap_delete_undo_redo_change_store_and_drawing(qtbot, window):
    """Inspector edits reach the store and the arcs; undo and redo follow."""
    erdogan, turkey = entity(window, "Tayyip Erdogan"), entity(window, "Turkey")
    russia = entity(window, "Russia")
    rid = add(window, russia, turkey, "SUPPORTS")
    ui = window.relation_ui
    table = ui.table.table
    first_row = table.visualRect(table.model().index(0, 0)).center()
    qtbot.mouseClick(table.viewport(), LEFT, pos=first_row)
    panel = ui.inspector.relation
    assert panel.relation.id == rid and window.view.selected_arc() == rid
    # relabel
    at = panel.label.findData("OPPOSES")
    panel.label.setCurrentIndex(at)
    panel.label.activated.emit(at)
    assert window.session.relation(rid).label == "OPPOSES"
    assert window.view.arcs()[rid].label == "OPPOSES"
    assert ui.table.source.row(rid).label == "OPPOSES"
    # confidence and note
    qtbot.mouseClick(panel.confidence.button(2), LEFT)
    assert window.session.relation(rid).confidence == "high"
    panel.note.setFocus()
    qtbot.keyClicks(panel.note, "press reports")
    assert window.session.relation(rid).note == ""  # not per keystroke
    qtbot.keyClick(panel.note, Qt.Key.Key_Return)
    assert window.session.relation(rid).note == "press reports"
    assert ui.table.source.row(rid).note == "press reports"
    # swap
    qtbot.mouseClick(panel.swap, LEFT)
    rel = window.session.relation(rid)
    assert (rel.head_id, rel.tail_id) == (turkey, russia)
    assert (window.view.arcs()[rid].head_id, window.view.arcs()[rid].tail_id) == (turkey, russia)
    # undo the swap, redo it
    window.actions.undo.trigger()
    assert window.session.relation(rid).head_id == russia
    assert window.view.arcs()[rid].head_id == russia
    window.actions.redo.trigger()
    assert window.view.arcs()[rid].head_id == turkey
    # delete, undo, redo
    qtbot.mouseClick(panel.delete, LEFT)
    assert stored(window) == [] and rid not in window.view.arcs() and listed(window) == set()
    assert panel.relation is None
    window.actions.undo.trigger()
    assert triples(window) == drawn(window) == listed(window) == {(turkey, "OPPOSES", russia)}
    assert panel.relation.id == rid  # the relation brought back is shown again
    window.actions.redo.trigger()
    assert stored(window) == [] and drawn(window) == listed(window) == set()
    assert erdogan  # untouched


def test_the_swap_button_is_off_for_symmetric_relations(qtbot, window):
    russia, turkey = entity(window, "Russia"), entity(window, "Turkey", 1)
    rid = add(window, russia, turkey, "ALLY_OF")
    window.relation_ui.set_current(rid)
    assert not window.relation_ui.inspector.relation.swap.isEnabled()
    assert not window.relation_ui.actions.swap.isEnabled()


def test_deleting_an_entity_removes_its_relations_and_undo_restores_them(qtbot, window):
    """Delete Turkey: its two relations leave store, table and arcs; undo brings all back."""
    erdogan, turkey, russia = (entity(window, "Tayyip Erdogan"), entity(window, "Turkey"),
                               entity(window, "Russia"))
    syria = entity(window, "Syria")
    add(window, erdogan, turkey, "LEADS")
    add(window, russia, turkey, "SUPPORTS")
    add(window, russia, syria, "FIGHTS_AGAINST")
    before = triples(window)
    window.review.select(turkey)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert triples(window) == drawn(window) == listed(window) == {(russia, "FIGHTS_AGAINST", syria)}
    window.actions.undo.trigger()
    assert triples(window) == drawn(window) == listed(window) == before


def test_relabelling_an_entity_updates_its_rows(qtbot, window):
    """The table shows the entities' current text and label after an entity edit."""
    russia, syria = entity(window, "Russia"), entity(window, "Syria")
    rid = add(window, russia, syria, "FIGHTS_AGAINST")
    window.perform(lambda: window.session.relabel_entity(russia, "NORP"))
    assert window.relation_ui.table.source.row(rid).head_label == "NORP"


def test_clicking_an_arc_selects_its_row_and_a_row_selects_its_arc(qtbot, window):
    """Arc click -> row + inspector; row click -> arc selected and scrolled to."""
    russia, turkey, syria = (entity(window, "Russia"), entity(window, "Turkey", 1),
                             entity(window, "Syria"))
    first = add(window, russia, turkey, "ALLY_OF")
    second = add(window, russia, syria, "FIGHTS_AGAINST")
    view, ui = window.view, window.relation_ui
    view.viewport().repaint()
    qtbot.waitUntil(lambda: view.arc_label_rect(second) is not None)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.arc_label_rect(second).center().toPoint())
    assert view.selected_arc() == second
    assert ui.table.selected_relation() == second
    assert ui.inspector.relation.relation.id == second
    row = ui.table.proxy.mapFromSource(ui.table.source.index(ui.table.source.row_of(first), 0))
    rect = ui.table.table.visualRect(row)
    qtbot.mouseClick(ui.table.table.viewport(), LEFT, pos=rect.center())
    assert view.selected_arc() == first
    assert ui.inspector.relation.relation.id == first
    # Del in the table deletes the selected row's relation
    ui.table.table.setFocus()
    qtbot.keyClick(ui.table.table, Qt.Key.Key_Delete)
    assert {r.id for r in stored(window)} == {second}


def test_delete_key_on_a_selected_arc_deletes_the_relation(qtbot, window):
    russia, syria = entity(window, "Russia"), entity(window, "Syria")
    rid = add(window, russia, syria, "FIGHTS_AGAINST")
    window.view.select_arc(rid)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert stored(window) == [] and window.view.arcs() == {}
    assert len(window.session.entities(window.presenter.doc_id)) == len(ENTITIES)


def test_the_table_sorts_and_filters(qtbot, window):
    erdogan, turkey, russia = (entity(window, "Tayyip Erdogan"), entity(window, "Turkey"),
                               entity(window, "Russia"))
    syria = entity(window, "Syria")
    add(window, erdogan, turkey, "LEADS")
    add(window, russia, syria, "FIGHTS_AGAINST")
    panel = window.relation_ui.table
    qtbot.keyClicks(panel.filter, "fights")
    assert panel.proxy.rowCount() == 1
    panel.filter.clear()
    panel.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by label
    labels = [panel.proxy.index(r, 1).data() for r in range(panel.proxy.rowCount())]
    assert labels == ["→FIGHTS_AGAINST→", "→LEADS→"]


def test_relation_table_model_passes_the_model_tester(qtmodeltester, window):
    """RelationTableModel and its proxy obey Qt's model contract, through edits too."""
    erdogan, turkey, russia = (entity(window, "Tayyip Erdogan"), entity(window, "Turkey"),
                               entity(window, "Russia"))
    add(window, erdogan, turkey, "LEADS")
    rid = add(window, russia, turkey, "SUPPORTS")
    model = RelationTableModel()
    rows = window.relation_ui.table.source.rows()
    model.set_rows(rows)
    qtmodeltester.check(model)
    qtmodeltester.check(window.relation_ui.table.proxy)
    rel = window.session.relation(rid)
    moved = relation_row(rel, window.presenter.entity(erdogan), window.presenter.entity(turkey),
                         TEXT)
    model.upsert([moved])
    model.remove([rows[0].id])
    qtmodeltester.check(model)


def test_relation_counts_show_in_the_document_list(qtbot, window):
    russia, syria = entity(window, "Russia"), entity(window, "Syria")
    add(window, russia, syria, "FIGHTS_AGAINST")
    (summary,) = window.session.documents()
    assert summary.relation_count == 1
    model = window.documents.model
    column = model.COLUMNS.index("Rel.")  # the relations column
    assert model.index(0, column).data() == "1"


def test_arc_display_modes_are_in_the_relation_menu(qtbot, window):
    menu = window.relation_ui.menu
    texts = [a.text() for a in menu.actions()]
    assert any("Mark as &Head" == t for t in texts) and any("Delete" in t for t in texts)
    arcs = next(a.menu() for a in menu.actions() if a.menu() is not None and "Arc" in a.text())
    arcs.actions()[2].trigger()  # no relations
    assert window.view.arc_mode() == "none"
    arcs.actions()[1].trigger()
    assert window.view.arc_mode() == "selected"
    arcs.actions()[0].trigger()  # the mode is remembered in the settings: leave the default
    assert window.view.arc_mode() == "all"


def test_the_worked_example_opens_in_its_own_window_with_its_arcs(qtbot, window, db_path):
    """Help -> Open the Worked Example: a second window on a fresh example store."""
    own = window.session.store.path
    window.relation_actions.open_example.trigger()
    example = window.example_window
    assert example is not None  # not left to qtbot: opening the example again closes it
    assert example.session.store.path != own and example.session.store.path.name == "example.db"
    assert len(example.view.arcs()) >= 15
    assert example.relation_ui.table.source.rowCount() == len(example.view.arcs())
    qtbot.waitExposed(example)
    qtbot.wait(20)  # the window lays itself out first
    example.resize(1400, 900)  # the offscreen screen is small
    qtbot.waitUntil(lambda: len(set(example.view.painted_arcs())) >= 5)  # drawn on screen
    assert len(window.session.documents()) == 1  # the user's corpus is untouched
    # opening it again starts from a fresh copy
    example.perform(lambda: example.session.delete_relation(next(iter(example.view.arcs()))))
    window.relation_actions.open_example.trigger()
    again = window.example_window
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: not shiboken6.isValid(example))  # the first one closed
    assert len(again.view.arcs()) == 39
    assert again.remember_layout is False and window.remember_layout is True
    window.settings.setValue("window/geometry", b"user layout")
    again.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)  # qtbot deletes it
    again.close()  # the example window leaves the user's saved layout alone
    assert window.settings.value("window/geometry") == b"user layout"


def test_marking_works_from_the_entity_table_and_ctrl_e_asks_for_the_label(qtbot, window):
    """[ on a row of the entity table marks the head; Ctrl+E with another entity selected
    opens the label menu for head -> selected."""
    erdogan, turkey = entity(window, "Tayyip Erdogan"), entity(window, "Turkey")
    table = window.table
    window.review.select(erdogan)
    table.setFocus()
    qtbot.keyClick(table, "[")
    assert window.view.marked() == (erdogan, None)
    window.review.select(turkey)
    qtbot.keyClick(table, Qt.Key.Key_E, CTRL)
    qtbot.keyClick(popup(qtbot), "7")
    assert triples(window) == {(erdogan, "LEADS", turkey)}


def test_marking_the_tail_without_a_head_says_what_to_do(qtbot, window):
    window.review.select(entity(window, "Turkey"))
    qtbot.keyClick(window.view, "]")
    assert "Mark the head first" in window.statusBar().currentMessage()
    assert QApplication.activePopupWidget() is None and stored(window) == []


def test_the_shortcuts_dialog_lists_relation_keys_too(qtbot, window):
    """F1 lists the review keys, the entity label keys, the Relation menu and relation label keys."""
    from PySide6.QtWidgets import QApplication, QDialog, QTableWidget

    window.actions.shortcuts.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QDialog) and w.objectName() == "shortcutsDialog")
    table = dialog.findChild(QTableWidget)
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Relation › Mark as Head"] == "[" and rows["Relation › Mark as Tail"] == "]"
    assert rows["New Relation’s Label › ALLY_OF"] == "1"
    assert rows["Entity › Label Selection As › PERSON"] == "P"
    dialog.close()
