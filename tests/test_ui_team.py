"""The team in the window: curating by keys, the layer chooser, File → Merge Stores…,
the agreement section of the Statistics tab and the annotator's name."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings, Qt

from annotate.team.merge import merge_stores
from tests.helpers.team_stores import analyst_store
from ui.shell.main_window import MainWindow
from ui.shell.window_frame import STATS_TAB
from ui.team import annotator as annotator_ui


@pytest.fixture
def team_window(qtbot, session, tmp_path):
    """The window on a team store with alice's and bob's ten documents merged."""
    merge_stores(session, [analyst_store(tmp_path / f"{n}.db", n) for n in ("alice", "bob")])
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.open_document(1)
    return win


def rows(view) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    model = view.model
    return {u.text: model.cells(u) for u in model.units}


def select(view, text: str) -> None:  # type: ignore[no-untyped-def]
    row = next(i for i, u in enumerate(view.model.units) if u.text == text)
    view.table.selectRow(row)


def test_curating_by_keys_stores_the_chosen_annotations_and_exports_only_them(
        qtbot, team_window, tmp_path):
    """In the Curate tab: G takes all agreed, B takes bob's label for Erdogan, A takes
    alice's Iran, N on a relation takes neither, Ctrl+Z undoes the last take; the curated
    export holds exactly the chosen annotations."""
    w = team_window
    w.team_ui.show_curate.trigger()
    view = w.team_ui.curate
    assert w.tabs.currentWidget() is view and view.table.hasFocus()
    assert rows(view)["Erdogan"][:5] == ["Conflicting label", "Entity", "Erdogan", "PERSON", "ORG"]
    qtbot.keyClick(view.table, Qt.Key.Key_G)
    assert rows(view)["Turkey"][-1] == "GPE" and rows(view)["Turkey → Russia"][-1] == "ALLY_OF"
    select(view, "Erdogan")
    qtbot.keyClick(view.table, Qt.Key.Key_B)
    select(view, "Iran")
    qtbot.keyClick(view.table, Qt.Key.Key_A)
    select(view, "Russia → Turkey")
    qtbot.keyClick(view.table, Qt.Key.Key_B)
    assert rows(view)["Russia → Turkey"][-1] == "SUPPORTS"
    qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(view)["Russia → Turkey"][-1] == "—"
    select(view, "Erdogan → Putin")
    qtbot.keyClick(view.table, Qt.Key.Key_N)  # nothing curated there: refused, nothing changes
    assert rows(view)["Erdogan → Putin"][-1] == "—"
    assert rows(view)["Erdogan"][-1] == "ORG" and rows(view)["Iran"][-1] == "GPE"
    view.mark_button.click()
    assert w.session.document(1).status == "curated"
    out = tmp_path / "curated.jsonl"
    with qtbot.waitSignal(w.runner.job_finished, timeout=60_000):
        w.export("jsonl", out, "curated", "curated")
    [task] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    text = task["text"]
    assert sorted((text[s["start"]:s["end"]], s["label"]) for s in task["spans"]) == [
        ("Erdogan", "ORG"), ("Iran", "GPE"), ("Moscow", "GPE"), ("Putin", "PERSON"),
        ("Russia", "GPE"), ("Turkey", "GPE")]
    assert [r["label"] for r in task["relations"]] == ["ALLY_OF"]


def test_letter_keys_act_only_in_the_curate_table(qtbot, team_window):
    """A letter typed in the document view is not a curation key."""
    w = team_window
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_G)
    assert not [e for e in w.session.all_entities(1) if e.annotator == "curated"]


def test_the_layer_chooser_shows_one_analysts_version(qtbot, team_window):
    """In a team store, a document with several layers shows the window's annotator's own
    (empty) one; choosing bob shows bob's entities, all layers shows all."""
    w = team_window
    box = w.team_ui.layer_box
    assert w.team_ui.layer_box_action.isVisible()
    assert [box.itemText(i) for i in range(box.count())] == ["Mine (tester)", "All layers",
                                                             "alice", "bob"]
    assert w.presenter.counts()[0] == 0
    box.setCurrentIndex(1)
    box.activated.emit(1)
    assert len(w.presenter.entities()) == 11
    box.setCurrentIndex(3)
    box.activated.emit(3)
    assert sorted(e.text for e in w.presenter.entities()) == ["Erdogan", "Moscow", "Putin",
                                                             "Russia", "Turkey"]


def test_merge_and_agreement_from_the_window(qtbot, session, tmp_path):
    """File → Merge Stores… runs in the background; the Statistics tab then draws the
    agreement matrix of alice and bob."""
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    paths = [analyst_store(tmp_path / f"{n}.db", n) for n in ("alice", "bob")]
    with qtbot.waitSignal(win.runner.job_finished, timeout=60_000):
        win.team_ui.merge(paths)
    assert session.store.layer_counts().keys() == {"alice", "bob"}
    with qtbot.waitSignal(win.runner.job_finished, timeout=60_000):
        win.tabs.setCurrentIndex(STATS_TAB)
    section = win.team_ui.agreement
    assert section is not None and section.matrix.names == ["alice", "bob"]
    assert section.matrix.values[0][1] == pytest.approx(8 / 11)  # exact F1, all labels


def test_the_annotator_is_asked_once_and_never_offscreen(qtbot, monkeypatch):
    """Offscreen nothing is asked; a name given on the command line wins; a stored name
    is used without asking."""
    settings = QSettings("Arcmark", "Arcmark")
    monkeypatch.delenv("ARCMARK_ANNOTATOR", raising=False)
    assert annotator_ui.resolve_annotator(None, settings, None) == annotator_ui.os_user()
    assert settings.value(annotator_ui.SETTING) is None
    assert annotator_ui.resolve_annotator(None, settings, "dana") == "dana"
    settings.setValue(annotator_ui.SETTING, "erin")
    assert annotator_ui.resolve_annotator(None, settings, None) == "erin"
    dialog = annotator_ui.AnnotatorDialog(None, "erin")
    qtbot.addWidget(dialog)
    dialog.edit.setText("curated")
    assert "reserved" in dialog.problem.text()
    dialog.edit.setText("Frank")
    dialog.accept()
    assert dialog.name() == "Frank"
