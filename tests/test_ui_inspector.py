"""The inspector on the real window: what it offers for a relation and shows for an entity."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from annotate.model import DocumentRecord, EntityRecord
from ui.relations.inspector import RelationInspector, actor_text
from tests.ui_windows import add_relation, entity_id, shown_window
from ui.shell.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
TEXT = ("Russia and Turkey fight Islamic State. Moscow backs Ankara. "
        "Vladimir Putin leads the Russian Federation.")
WORDS = (("Russia", "GPE"), ("Turkey", "GPE"), ("Islamic State", "ORG"), ("Moscow", "GPE"),
         ("Ankara", "GPE"), ("Vladimir Putin", "PERSON"), ("the Russian Federation", "GPE"))
MODEL = "model:test_model@1.0"


@pytest.fixture
def window(qtbot, session) -> Iterator[MainWindow]:
    entities = [EntityRecord(TEXT.index(w), TEXT.index(w) + len(w), label) for w, label in WORDS]
    entities[1] = EntityRecord(entities[1].start, entities[1].end, "GPE", origin=MODEL,
                               status="suggested")
    yield from shown_window(qtbot, session,
                            DocumentRecord(text=TEXT, title="Actors", entities=tuple(entities)),
                            active=False)


def eid(window: MainWindow, word: str) -> int:
    return entity_id(window, TEXT, word)


def add(window: MainWindow, head: str, tail: str, label: str) -> int:
    return add_relation(window, eid(window, head), label, eid(window, tail))


def panel(window: MainWindow) -> RelationInspector:
    return window.relation_ui.inspector.relation


def test_the_label_list_holds_only_what_the_schema_allows_for_the_pair(window):
    """PERSON -> GPE: LEADS and LOCATED_IN are there, MEMBER_OF (tails ORG/NORP) is not."""
    rid = add(window, "Vladimir Putin", "the Russian Federation", "LEADS")
    window.relation_ui.set_current(rid)
    names = [panel(window).label.itemData(i) for i in range(panel(window).label.count())]
    allowed = [r.name for r in window.session.schema.allowed_relations("PERSON", "GPE")]
    assert names == allowed
    assert "LEADS" in names and "LOCATED_IN" in names and "MEMBER_OF" not in names
    assert panel(window).label.currentData() == "LEADS"
    # GPE LEADS PERSON is not in the schema: Swap is not offered, and says why
    assert not panel(window).swap.isEnabled()
    assert "The schema has no LEADS from GPE to PERSON" in panel(window).swap.toolTip()
    assert not window.relation_actions.swap.isEnabled()


def test_a_relabel_the_store_refuses_shows_the_stored_label_again(window):
    """Relabelling into a duplicate is refused; the combo goes back to the stored label."""
    add(window, "Russia", "Turkey", "ALLY_OF")
    rid = add(window, "Russia", "Turkey", "MEETS_WITH")
    window.relation_ui.set_current(rid)
    combo = panel(window).label
    at = combo.findData("ALLY_OF")
    combo.setCurrentIndex(at)
    combo.activated.emit(at)
    assert "already exists" in window.statusBar().currentMessage()
    assert window.session.relation(rid).label == "MEETS_WITH"
    assert combo.currentData() == "MEETS_WITH"


def test_confidence_buttons_set_and_clear_the_level(qtbot, window):
    rid = add(window, "Moscow", "Ankara", "SUPPORTS")
    window.relation_ui.set_current(rid)
    buttons = panel(window).confidence
    qtbot.mouseClick(buttons.button(0), LEFT)
    assert window.session.relation(rid).confidence == "low"
    qtbot.mouseClick(buttons.button(1), LEFT)
    assert window.session.relation(rid).confidence == "moderate"
    assert [b.isChecked() for b in buttons.buttons()] == [False, True, False]
    qtbot.mouseClick(buttons.button(1), LEFT)  # the level already set: cleared
    assert window.session.relation(rid).confidence is None
    assert not any(b.isChecked() for b in buttons.buttons())


def test_the_note_is_saved_when_editing_finishes_not_per_keystroke(qtbot, window):
    """Typing changes nothing; leaving the field stores the note once (one undo step)."""
    rid = add(window, "Moscow", "Ankara", "SUPPORTS")
    window.relation_ui.set_current(rid)
    note = panel(window).note
    note.setFocus()
    qtbot.keyClicks(note, "arms deal")
    assert window.session.relation(rid).note == ""
    window.relation_ui.table.table.setFocus()  # focus leaves the note
    qtbot.waitUntil(lambda: window.session.relation(rid).note == "arms deal")
    assert window.session.undo_text.startswith("Edit SUPPORTS (note)")
    window.actions.undo.trigger()
    assert window.session.relation(rid).note == "" and note.text() == ""


def test_symmetric_relations_cannot_be_swapped(window):
    rid = add(window, "Russia", "Turkey", "ALLY_OF")
    window.relation_ui.set_current(rid)
    assert not panel(window).swap.isEnabled()
    assert "symmetric" in panel(window).swap.toolTip()


def test_nothing_selected_disables_the_relation_fields(window):
    window.relation_ui.set_current(None)
    p = panel(window)
    assert not p.label.isEnabled() and not p.delete.isEnabled() and not p.note.isEnabled()


def test_the_selected_entity_shows_label_status_origin_and_its_actor(window):
    """SAME_AS links Russia, Moscow and the Russian Federation into one actor."""
    add(window, "Russia", "Moscow", "SAME_AS")
    add(window, "Moscow", "the Russian Federation", "SAME_AS")
    add(window, "Moscow", "Ankara", "SUPPORTS")
    window.review.select(eid(window, "Moscow"))
    shown = window.relation_ui.inspector.entity
    assert shown.title.text() == "“Moscow”  GPE"
    assert "Accepted" in shown.details.text() and "human" in shown.details.text()
    assert "3 relations" in shown.details.text()
    assert shown.actor.text() == "Actor: Russia = Moscow = the Russian Federation  (3 mentions)"
    window.review.select(eid(window, "Turkey"))
    assert "Suggestion" in shown.details.text() and "test_model@1.0" in shown.details.text()
    assert "no SAME_AS" in shown.actor.text()


def test_the_actor_follows_undo(window):
    """Undoing a SAME_AS link splits the actor again in the inspector."""
    add(window, "Russia", "Moscow", "SAME_AS")
    window.review.select(eid(window, "Russia"))
    shown = window.relation_ui.inspector.entity
    assert "Russia = Moscow" in shown.actor.text()
    window.actions.undo.trigger()
    window.review.select(eid(window, "Moscow"))
    window.review.select(eid(window, "Russia"))
    assert "no SAME_AS" in shown.actor.text()


def test_actor_text_names_each_mention_once():
    from annotate.model import Entity

    a = Entity(1, 1, 0, 6, "GPE", "Russia")
    b = Entity(2, 1, 10, 16, "GPE", "Russia")
    c = Entity(3, 1, 20, 26, "GPE", "Moscow")
    assert actor_text(a, [a, b, c]) == "Actor: Russia = Moscow  (3 mentions)"
    assert actor_text(a, [a]).startswith("Actor: this mention only")


def test_the_note_field_is_a_line_edit_committing_on_enter(qtbot, window):
    rid = add(window, "Russia", "Islamic State", "FIGHTS_AGAINST")
    window.relation_ui.set_current(rid)
    note = panel(window).note
    assert isinstance(note, QLineEdit)
    note.setFocus()
    qtbot.keyClicks(note, "air strikes")
    qtbot.keyClick(note, Qt.Key.Key_Return)
    assert window.session.relation(rid).note == "air strikes"
    assert window.relation_ui.table.source.row(rid).note == "air strikes"


def test_a_brat_normalization_shows_as_the_entitys_knowledge_base_reference(qtbot, session,
                                                                          tmp_path):
    """An imported N line: selecting its entity shows the reference; another entity none."""
    from annotate.corpus_io import import_path

    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "doc.txt").write_text("Carlos Salinas met Bush.", encoding="utf-8")
    (folder / "doc.ann").write_text(
        "T1\tPERSON 0 14\tCarlos Salinas\nT2\tPERSON 19 23\tBush\n"
        "N1\tReference T1 Wikipedia:64488\tCarlos Salinas de Gortari\n", encoding="utf-8")
    import_path(session, folder)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: len(window.view.spans()) == 2)
    spans = window.view.spans()
    shown = window.relation_ui.inspector.entity
    window.review.select(next(i for i, s in spans.items() if s.start == 0))
    assert shown.references.isVisible()
    assert shown.references.text() == "Knowledge base: Wikipedia:64488 (Carlos Salinas de Gortari)"
    window.review.select(next(i for i, s in spans.items() if s.start == 19))
    assert not shown.references.isVisible() and shown.references.text() == ""
