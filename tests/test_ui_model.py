"""The model loop in the real window: training and suggesting in the background, the
pre-annotation model menu, relation suggestions reviewed with real keys."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer

from annotate.corpus_io import import_path
from annotate.model import DocumentRecord
from storage.trained_models import trained_models
from ui.shell.main_window import MainWindow

RE3D = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "re3d-dev"
if not RE3D.is_dir():
    RE3D = Path("/work/shared/data/re3d-dev")
TEXT = ("Turkish President Recep Tayyip Erdogan met Vladimir Putin in Moscow. "
        "Erdogan, the president of Turkey, spoke.")
ENTITIES = [("Recep Tayyip Erdogan", "PERSON"), ("Vladimir Putin", "PERSON"),
            ("Moscow", "GPE"), ("Erdogan, the", "PERSON"), ("Turkey", "GPE")]


@pytest.fixture
def window(session, qtbot):
    def make() -> MainWindow:
        win = MainWindow(session)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        return win

    return make


def _ticking() -> tuple[QTimer, list[float]]:
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    return timer, ticks


def _assert_ticked(ticks: list[float], started: float, finished: float) -> None:
    """The event loop kept turning: no stretch of the job without a tick (from its start to
    the first tick, between ticks, and from the last tick to its end) reached half the job's
    time (0.2 s at least, a second at most); a job that blocked the GUI thread would leave
    one gap as long as itself."""
    during = [t for t in ticks if started <= t <= finished]
    marks = [started, *during, finished]
    gaps = [b - a for a, b in zip(marks, marks[1:])]
    bound = min(1.0, max(0.5 * (finished - started), 0.2))
    assert max(gaps) < bound, \
        f"the window stood still for {max(gaps):.2f} s of {finished - started:.2f} s"


def test_training_runs_in_the_background_and_lists_the_new_version(qtbot, window, session,
                                                                   tmp_path):
    """Annotate → Train Model trains while a timer keeps ticking; the status bar shows the
    epoch, the new version joins the model menu and can be chosen for pre-annotation."""
    folder = tmp_path / "reviewed"
    folder.mkdir()
    shutil.copy(RE3D / "annotation.conf", folder)
    for ann in sorted(RE3D.glob("*.ann"))[:5]:
        shutil.copy(ann, folder)
        shutil.copy(ann.with_suffix(".txt"), folder)
    import_path(session, folder, status="done")
    win = window()
    win.model_ui.epochs = 2
    messages: list[str] = []
    win.runner.job_progress.connect(lambda _job, _d, _t, message: messages.append(message))
    timer, ticks = _ticking()
    started = time.monotonic()
    with qtbot.waitSignal(win.runner.job_finished, timeout=300_000):
        win.model_ui.train.trigger()  # Annotate → Train Model
        assert win.runner.busy and not win.model_ui.train.isEnabled()
    finished = time.monotonic()
    timer.stop()
    _assert_ticked(ticks, started, finished)
    assert any(m.startswith("Training: epoch 2/2, loss") for m in messages)
    assert len(trained_models(session.store)) == 1
    assert "Model v1 trained" in win.statusBar().currentMessage()
    texts = [a.text() for a in win.model_ui.model_menu.actions()]
    assert texts[2].startswith("Version 1 — entity F1")
    win.model_ui.model_menu.actions()[1].trigger()
    assert win.model == "latest"
    win.corpus_ui.stats.refresh()  # Statistics: model quality per training round
    (round_one,) = win.corpus_ui.stats.training.rounds
    assert round_one["version"] == 1 and 0 <= round_one["f"] <= 1


def _document_with_accepted_entities(session) -> int:
    doc = session.import_records([DocumentRecord(text=TEXT, title="Meeting")]).documents_added[0]
    for text, label in ENTITIES:
        start = TEXT.index(text)
        name = text.split(",")[0]  # "Erdogan, the": the second Erdogan
        session.add_entity(doc, start, start + len(name), label)
    return doc


def test_relation_suggestions_are_reviewed_with_tab_a_and_x(qtbot, window, session):
    """Relation → Suggest Relations (patterns, before any training) runs in the background
    while a timer ticks; suggestions are dashed arcs; in the relation table Tab reaches
    one, A accepts it and moves on, X rejects the next, and the store holds both decisions."""
    doc = _document_with_accepted_entities(session)
    win = window()
    win.open_document(doc)
    # the suggester's modules and pipeline loaded first (the job reuses a loaded
    # pipeline): a C extension's first import and spaCy's first load of a model hold
    # Python's lock for a while whatever thread does them; the check is about the job's work
    from sklearn import linear_model  # noqa: F401

    from annotate.nlp import resolve_model_name
    from annotate.relation_worker import load_pipeline

    load_pipeline(resolve_model_name(None))

    timer, ticks = _ticking()
    started = time.monotonic()
    with qtbot.waitSignal(win.runner.job_finished, timeout=300_000):
        win.model_ui.suggest.trigger()
    finished = time.monotonic()
    timer.stop()
    _assert_ticked(ticks, started, finished)
    suggested = [r for r in session.relations(doc) if r.status == "suggested"]
    assert {r.label for r in suggested} == {"MEETS_WITH", "LEADS"}
    assert all(win.view.arcs()[r.id].suggested for r in suggested)
    table = win.relation_ui.table.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    first = win.relation_ui.current
    assert first in {r.id for r in suggested}
    qtbot.keyClick(table, Qt.Key.Key_A)
    assert session.relation(first).status == "accepted"
    second = win.relation_ui.current
    assert second != first and second in {r.id for r in suggested}
    qtbot.keyClick(table, Qt.Key.Key_X)
    assert session.relation(second).status == "rejected"
    assert second not in win.view.arcs() and not win.view.arcs()[first].suggested
    with qtbot.waitSignal(win.runner.job_finished, timeout=300_000):
        win.model_ui.suggest.trigger()  # a rejected suggestion never comes back
    assert session.relation(second).status == "rejected"
    assert len(session.relations(doc)) == 2


def test_threshold_hides_weak_suggestions(qtbot, window, session):
    """View → Relation Suggestions hides suggestions scored below the chosen threshold;
    the stored suggestions are untouched."""
    doc = _document_with_accepted_entities(session)
    win = window()
    win.open_document(doc)
    with qtbot.waitSignal(win.runner.job_finished, timeout=300_000):
        win.model_ui.suggest.trigger()
    shown = set(win.view.arcs())
    assert len(shown) == 2  # pattern suggestions score 0.5
    strict = next(a for a in win.model_ui.threshold_group.actions() if a.data() == 0.7)
    strict.trigger()
    assert win.view.arcs() == {} and win.relation_ui.table.source.rows() == []
    assert len(session.relations(doc)) == 2
    next(a for a in win.model_ui.threshold_group.actions() if a.data() == 0.0).trigger()
    assert set(win.view.arcs()) == shown


def test_document_list_sorts_by_what_is_left_to_review(qtbot, window, session):
    """Clicking the Review header orders the documents by the suggestions left to review
    (one way or the other), the count shown in the column."""
    from annotate.suggestions import Annotated

    counts = {"One left": 1, "Three left": 3, "None left": 0}
    writer = session.suggestion_writer("test_model@1")
    for title, n in counts.items():
        text = f"{title}: Alpha Beta Gamma Delta."
        doc = session.import_records([DocumentRecord(text=text, title=title)]).documents_added[0]
        words = [(text.index(w), text.index(w) + len(w), "ORG") for w in ("Alpha", "Beta", "Gamma")]
        writer.write([Annotated(doc, tuple(words[:n]), ())])
    win = window()
    panel = win.documents
    header = panel.table.horizontalHeader()
    assert panel.model.headerData(4, Qt.Orientation.Horizontal) == "Review"
    # in a narrow panel the count columns give way to the titles: widen it, as a reader
    # who wants them does
    win.resize(1600, 1000)
    qtbot.wait(50)
    win.resizeDocks([win.document_dock], [600], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: not panel.table.isColumnHidden(4))
    x = header.sectionViewportPosition(4) + header.sectionSize(4) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))
    titles = [panel.model.summary(i).title for i in panel.visible_ids()]
    assert titles in (sorted(counts, key=counts.get), sorted(counts, key=counts.get, reverse=True))
    row = panel.model.row_of(next(i for i in panel.visible_ids()
                                  if panel.model.summary(i).title == "Three left"))
    assert panel.model.index(row, 4).data() == "3"


def test_a_selected_suggestion_arc_is_accepted_with_a_in_the_text(qtbot, window, session):
    """With a dashed arc selected in the text (no entity), A accepts that relation and X
    rejects the next; with an entity selected, A still acts on the entity."""
    doc = _document_with_accepted_entities(session)
    win = window()
    win.open_document(doc)
    with qtbot.waitSignal(win.runner.job_finished, timeout=300_000):
        win.model_ui.suggest.trigger()
    first, second = sorted(r.id for r in session.relations(doc))
    win.view.setFocus()
    win.view.select_arc(first)  # as a click on the arc does
    qtbot.keyClick(win.view, Qt.Key.Key_A)
    assert session.relation(first).status == "accepted"
    assert win.view.selected_arc() == second
    qtbot.keyClick(win.view, Qt.Key.Key_X)
    assert session.relation(second).status == "rejected"
    entity = session.entities(doc)[0]
    win.review.select(entity.id)
    qtbot.keyClick(win.view, Qt.Key.Key_X)
    assert session.entity(entity.id).status == "rejected"


def test_tab_in_the_text_stops_on_suggested_relations_and_a_x_decide_them(qtbot, window, session):
    """In the document view Tab walks the entities and the shown relation suggestions, each
    arc right after the later of its two entities (a suggestion below the threshold is no
    stop); A accepts the arc Tab reached and X rejects another, focus staying in the text."""
    from annotate.relation_suggest import write_suggestions

    doc = _document_with_accepted_entities(session)
    ents = sorted(session.entities(doc), key=lambda e: e.start)
    write_suggestions(session, [(doc, ents)], [[(0, 1, "MEETS_WITH", 0.9),
                                                (1, 2, "LOCATED_IN", 0.2),
                                                (3, 4, "LEADS", 0.8)]], "model:test")
    ids = {r.label: r.id for r in session.relations(doc)}
    win = window()
    win.open_document(doc)
    next(a for a in win.model_ui.threshold_group.actions() if a.data() == 0.5).trigger()
    assert ids["LOCATED_IN"] not in win.view.arcs()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    win.view.setFocus()
    qtbot.waitUntil(win.view.hasFocus)
    win.review.select(ents[0].id)
    stops = []
    for _ in range(7):
        qtbot.keyClick(win.view, Qt.Key.Key_Tab)
        stops.append(win.view.selected_arc() or win.view.selected_span())
    e = [x.id for x in ents]
    assert stops == [e[1], ids["MEETS_WITH"], e[2], e[3], e[4], ids["LEADS"], e[0]]
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    assert win.view.selected_arc() == ids["MEETS_WITH"] and win.view.selected_span() is None
    qtbot.keyClick(win.view, Qt.Key.Key_A)
    assert session.relation(ids["MEETS_WITH"]).status == "accepted"
    win.review.select(e[3])
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    assert win.view.selected_arc() == ids["LEADS"]
    qtbot.keyClick(win.view, Qt.Key.Key_X)
    assert session.relation(ids["LEADS"]).status == "rejected"
    assert session.relation(ids["LOCATED_IN"]).status == "suggested"
    assert {a: session.entity(a).status for a in e} == {a: "accepted" for a in e}
    assert win.view.hasFocus()
    next(a for a in win.model_ui.threshold_group.actions() if a.data() == 0.0).trigger()
