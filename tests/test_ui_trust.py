"""Trust, driven with real keys and clicks: the window changes only what the analyst aims at
and shows what the store holds (issue 12, defects 1–6)."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotate.model import DocumentRecord, EntityRecord
from annotate.session import Session
from storage.store import Store
from tests.ui_windows import add_relation, entity_id, shown_window
from ui.shell.main_window import MainWindow

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton
TEXT = ("Russia and Iran back Syria. Turkey opposes Iran. "
        "Moscow sells arms to Tehran while Ankara watches.")
WORDS = (("Russia", "GPE"), ("Iran", "GPE"), ("Syria", "GPE"), ("Turkey", "GPE"),
         ("Moscow", "GPE"), ("Tehran", "GPE"), ("Ankara", "GPE"))
MODEL = "model:test_model@1.0"


def _record(title: str = "Allies") -> DocumentRecord:
    entities = tuple(EntityRecord(TEXT.index(w), TEXT.index(w) + len(w), label)
                     for w, label in WORDS)
    return DocumentRecord(text=TEXT, title=title, entities=entities)


@pytest.fixture
def window(qtbot, session) -> Iterator[MainWindow]:
    yield from shown_window(qtbot, session, _record())


@pytest.fixture
def other(db_path) -> Iterator[Session]:
    """A second connection to the same store, as another process would have."""
    store = Store(db_path)
    yield Session(store, annotator="other")
    store.close()


def eid(window: MainWindow, word: str) -> int:
    return entity_id(window, TEXT, word)


def relate(window: MainWindow, head: str, label: str, tail: str) -> int:
    return add_relation(window, eid(window, head), label, eid(window, tail))


def focused():
    return QApplication.focusWidget()


def type_keys(qtbot, text: str) -> None:
    """Type into whatever has the focus, key by key."""
    for ch in text:
        qtbot.keyClick(focused(), ch)


def store_state(session: Session, doc_id: int) -> tuple:
    return (sorted((e.start, e.end, e.label, e.status) for e in session.entities(doc_id)),
            sorted((r.head_id, r.label, r.tail_id, r.status) for r in session.relations(doc_id)))


# --- 1: a finished job never moves the focus where single keys edit --------------------------

def test_a_finished_import_leaves_the_focus_in_the_filter_being_typed_in(qtbot, window, tmp_path):
    """Typing in the Entity filter while an import runs: when it ends the focus stays in the
    filter, and Ctrl+A then letters edit the filter, never the store."""
    doc_id = window.presenter.doc_id
    window.open_document(None)  # nothing open: the import opens what it added
    before = store_state(window.session, doc_id)
    edit = window.corpus_ui.filters.entity_edit
    qtbot.mouseClick(edit, LEFT)
    assert focused() is edit
    source = tmp_path / "more.txt"
    source.write_text("Putin met Erdogan in Sochi.", encoding="utf-8")
    with qtbot.waitSignal(window.runner.job_finished, timeout=60_000):
        window.import_paths([source])
    qtbot.wait(50)
    assert focused() is edit
    qtbot.keyClick(focused(), Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "pgxa")
    assert edit.text() == "pgxa"
    assert store_state(window.session, doc_id) == before
    assert window.presenter.doc_id is not None  # the imported document is shown all the same


def test_opening_a_document_from_the_list_keeps_the_focus_in_the_list(qtbot, window, session):
    """Enter on a document in the list opens it; the focus stays in the list, so the next
    letters never label anything."""
    session.import_records([_record("Second")])
    window.documents.set_documents(session.documents())
    table = window.documents.table
    qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualRect(table.model().index(0, 0)).center())
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert focused() is table
    second = window.presenter.doc_id
    before = store_state(session, second)
    qtbot.keyClick(focused(), Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "pxa")
    assert store_state(session, second) == before


# --- 2: inspector and table agree; after a delete the focus is safe and Ctrl+Z works ----------

def test_inspector_and_table_agree_after_a_relabel_and_ctrl_z_undoes_the_delete(qtbot, window):
    """Relabel in the Inspector with the keyboard: the table highlights the same relation;
    the Inspector's Delete deletes it, the focus lands nowhere that types, Ctrl+Z restores it."""
    first = relate(window, "Russia", "ALLY_OF", "Iran")
    second = relate(window, "Turkey", "OPPOSES", "Iran")
    ui = window.relation_ui
    table = ui.table.table
    row = ui.table.proxy.mapFromSource(ui.table.source.index(ui.table.source.row_of(second), 0))
    qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualRect(row).center())
    panel = ui.inspector.relation
    assert panel.relation.id == second
    qtbot.mouseClick(panel.label, LEFT)
    QApplication.activePopupWidget().close() if QApplication.activePopupWidget() else None
    panel.label.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(panel.label, Qt.Key.Key_Down)
    relabelled = window.session.relation(second).label
    assert relabelled != "OPPOSES"
    assert ui.table.selected_relation() == panel.relation.id == second
    qtbot.mouseClick(panel.delete, LEFT)
    assert {r.id for r in window.session.relations(window.presenter.doc_id)} == {first}
    assert focused() not in (window.corpus_ui.filters.entity_edit, ui.table.filter,
                             window.documents.filter_edit)
    assert focused() not in window.key_widgets()
    qtbot.keyClick(focused(), Qt.Key.Key_Z, CTRL)
    assert window.session.relation(second).label == relabelled
    type_keys(qtbot, "x")
    assert len(window.session.relations(window.presenter.doc_id)) == 2


# --- 3: rejecting an entity rejects its relations, in one undoable step ----------------------

def test_rejecting_an_entity_rejects_its_relations_everywhere_and_undo_restores_all(qtbot, window,
                                                                                   tmp_path):
    """X on Iran: Iran and its two relations are rejected in one step, the message says so,
    table, statistics and export drop them; one Ctrl+Z brings all three back."""
    relate(window, "Russia", "ALLY_OF", "Iran")
    relate(window, "Turkey", "OPPOSES", "Iran")
    kept = relate(window, "Moscow", "SUPPLIES", "Tehran")
    session, doc_id = window.session, window.presenter.doc_id
    window.view.setFocus(Qt.FocusReason.MouseFocusReason)
    window.review.select(eid(window, "Iran"))
    qtbot.keyClick(window.view, Qt.Key.Key_X)
    assert window.statusBar().currentMessage().startswith("Reject “Iran” and its 2 relations")
    statuses = {r.label: r.status for r in session.relations(doc_id)}
    assert statuses == {"ALLY_OF": "rejected", "OPPOSES": "rejected", "SUPPLIES": "accepted"}
    assert [r.id for r in window.relation_ui.table.source.rows()] == [kept]
    assert set(window.view.arcs()) == {kept}
    assert session.stats()["relations_by_label"] == {"SUPPLIES": 1}
    exported = _export_jsonl(session, tmp_path)
    assert {r["label"] for r in exported[0]["relations"] if r.get("status", "accepted")
            != "rejected"} == {"SUPPLIES"}
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert {r.status for r in session.relations(doc_id)} == {"accepted"}
    assert len(window.relation_ui.table.source.rows()) == 3
    assert session.entity(eid(window, "Iran")).status == "accepted"


def test_a_rejected_entity_cannot_take_a_new_relation(window):
    """The rule holds both ways: no relation is added on a rejected entity."""
    window.perform(lambda: window.session.reject_entity(eid(window, "Iran")))
    assert window.perform(lambda: window.session.add_relation(
        eid(window, "Russia"), eid(window, "Iran"), "ALLY_OF")) is None
    assert "rejected" in window.statusBar().currentMessage()


def _export_jsonl(session: Session, tmp_path) -> list[dict]:
    from annotate.corpus_io import export_path

    out = tmp_path / "out.jsonl"
    export_path(session, "jsonl", out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]


# --- 4: other connections' commits are noticed; bulk actions act on what is on screen ---------

def _suggest(other: Session, doc_id: int, word: str, label: str = "GPE") -> None:
    start = TEXT.index(word)
    other.add_entity(doc_id, start, start + len(word), label, status="suggested")


def test_what_another_process_writes_is_shown_without_reopening(qtbot, window, other):
    """Another connection adds a suggestion and a document: the open document's highlights,
    its entity table, the counts and the document list show them within a poll."""
    doc_id = window.presenter.doc_id
    window.perform(lambda: window.session.delete_entity(eid(window, "Ankara")))
    _suggest(other, doc_id, "Ankara")
    other.import_records([DocumentRecord(text="Baku and Yerevan talk.", title="Elsewhere")])
    qtbot.waitUntil(lambda: len(window.view.spans()) == len(WORDS), timeout=20_000)
    assert {(s.start, s.status) for s in window.view.spans().values()} == \
        {(e.start, e.status) for e in window.session.entities(doc_id)}
    assert window.table.source.rowCount() == len(WORDS)
    assert "1 to review" in window.status.counts.text()
    assert window.documents.model.rowCount() == 2


def test_accept_all_accepts_only_the_suggestions_on_screen_and_says_how_many(qtbot, window,
                                                                             other):
    """Ctrl+Shift+A right after another process wrote a suggestion (before the window could
    show it) accepts the one shown, says "1", and leaves the unseen one suggested."""
    doc_id = window.presenter.doc_id
    for word in ("Tehran", "Ankara"):
        window.perform(lambda w=word: window.session.delete_entity(eid(window, w)))
    _suggest(other, doc_id, "Tehran")
    qtbot.waitUntil(lambda: len(window.view.spans()) == len(WORDS) - 1, timeout=20_000)
    _suggest(other, doc_id, "Ankara")  # not polled yet: nothing runs the event loop
    window.view.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL | SHIFT)
    statuses = {e.text: e.status for e in window.session.entities(doc_id)}
    assert statuses["Tehran"] == "accepted" and statuses["Ankara"] == "suggested"
    assert "Accept 1 suggestion" in window.statusBar().currentMessage()
    assert "Ctrl+Z" in window.statusBar().currentMessage()


# --- 5: Shift+Tab and Ctrl+Q work ------------------------------------------------------------

def test_shift_tab_selects_the_previous_entity(qtbot, window):
    """A real Shift+Tab (Qt delivers Backtab with Shift) moves to the previous entity."""
    window.view.setFocus(Qt.FocusReason.MouseFocusReason)
    window.review.select(eid(window, "Syria"))
    qtbot.keyClick(window.view, Qt.Key.Key_Backtab, SHIFT)
    assert window.view.selected_span() == eid(window, "Iran")
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    assert window.view.selected_span() == eid(window, "Syria")


def test_ctrl_q_closes_the_window(qtbot, window):
    """Ctrl+Q, pressed in the document list, closes the window."""
    window.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(window.documents.table, Qt.Key.Key_Q, CTRL)
    assert not window.isVisible()


# --- 6: the entity filter follows the store ---------------------------------------------------

def test_the_entity_filter_takes_in_documents_written_after_it_was_typed(qtbot, window, other):
    """Filter on "Sochi", then another process imports a document naming it: the list
    shows it without retyping."""
    edit = window.corpus_ui.filters.entity_edit
    qtbot.mouseClick(edit, LEFT)
    type_keys(qtbot, "Sochi")
    qtbot.waitUntil(lambda: window.documents.visible_ids() == [], timeout=20_000)
    text = "Putin met Erdogan in Sochi."
    at = text.index("Sochi")
    other.import_records([DocumentRecord(text=text, title="Sochi", entities=(
        EntityRecord(at, at + 5, "GPE"),))])
    qtbot.waitUntil(lambda: len(window.documents.visible_ids()) == 1, timeout=20_000)
    assert focused() is edit and edit.text() == "Sochi"


def test_an_imported_relation_on_a_rejected_entity_is_stored_rejected(session):
    """The rule holds for imports too: a file's relation on a rejected entity is rejected."""
    text = "Russia and Iran back Syria."
    entities = (EntityRecord(0, 6, "GPE"), EntityRecord(11, 15, "GPE", status="rejected"),
                EntityRecord(21, 26, "GPE"))
    from annotate.model import RelationRecord

    doc = session.import_records([DocumentRecord(text=text, entities=entities, relations=(
        RelationRecord(0, 1, "ALLY_OF", False), RelationRecord(0, 2, "ALLY_OF", False)))])
    statuses = sorted(r.status for r in session.relations(doc.documents_added[0]))
    assert statuses == ["accepted", "rejected"]
    assert session.stats()["relations_by_label"] == {"ALLY_OF": 1}


def test_opening_a_search_hit_keeps_the_focus_in_the_results(qtbot, window):
    """Ctrl+Shift+F, type, Enter, Enter on a hit: the text shows the match, the focus stays in
    the results, and the next letters label nothing."""
    doc_id = window.presenter.doc_id
    before = store_state(window.session, doc_id)
    window.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL | SHIFT)
    panel = window.corpus_ui.search_panel
    assert focused() is panel.edit
    type_keys(qtbot, "Tehran")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0)
    assert focused() is panel.results
    qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    assert window.presenter.doc_id == doc_id
    assert focused() is panel.results and focused() not in window.key_widgets()
    type_keys(qtbot, "pxa")
    assert store_state(window.session, doc_id) == before
