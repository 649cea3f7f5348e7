"""Random sessions on the real window (hypothesis stateful): keys typed into whichever widget
has the focus, clicks on highlights and arcs, background jobs finishing, another connection
writing the store. After every step: (a) the store changed only by what the analyst aimed
at the focused widget, (b) what the window shows is what the store holds."""
from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest
import shiboken6
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.session import Session
from storage.store import Store
from ui.shell.main_window import MainWindow

NO, CTRL, SHIFT, ALT = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier,
                        Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier)
K = Qt.Key
TEXTS = ("Russia and Iran back Syria. Turkey opposes Iran in Idlib.",
         "Moscow sells arms to Tehran. Ankara watches Damascus.")
# single keys (review keys, label keys, typing) and window commands; never ones that open
# a modal dialog (Ctrl+O, Ctrl+Shift+X) or quit
KEYS = [(K.Key_A, NO), (K.Key_X, NO), (K.Key_P, NO), (K.Key_G, NO), (K.Key_J, NO),
        (K.Key_K, NO), (K.Key_1, NO), (K.Key_Tab, NO), (K.Key_Backtab, SHIFT),
        (K.Key_Delete, NO), (K.Key_Return, NO), (K.Key_Escape, NO), (K.Key_BracketLeft, NO),
        (K.Key_BracketRight, NO), (K.Key_Down, NO), (K.Key_Space, NO), (K.Key_A, CTRL),
        (K.Key_Z, CTRL), (K.Key_Z, CTRL | SHIFT), (K.Key_A, CTRL | SHIFT), (K.Key_F, CTRL),
        (K.Key_F6, NO), (K.Key_2, ALT), (K.Key_E, CTRL | SHIFT), (K.Key_PageDown, CTRL)]
_counter = itertools.count()


def _records() -> list[DocumentRecord]:
    out = []
    for text in TEXTS:
        words = [w.strip(".") for w in text.split() if w[0].isupper()]
        entities = tuple(EntityRecord(text.index(w), text.index(w) + len(w), "GPE",
                                      origin="model:test@1", status="suggested")
                         for w in words)
        out.append(DocumentRecord(text=text, title=words[0], entities=entities,
                                  relations=(RelationRecord(0, 1, "ALLY_OF", False),)))
    return out


def _store_state(session: Session) -> tuple:
    docs = tuple((d.id, d.status) for d in session.documents())
    entities = tuple((e.id, e.start, e.end, e.label, e.status) for d in docs
                     for e in session.entities(d[0]))
    relations = tuple((r.id, r.label, r.status, r.confidence, r.note, r.head_id, r.tail_id)
                      for d in docs for r in session.relations(d[0]))
    return docs, entities, relations


class WindowSession(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        QSettings("Arcmark", "Arcmark").clear()
        self.folder = Path(tempfile.mkdtemp(prefix="arcmark-stateful-"))
        self.db = self.folder / "corpus.db"
        self.own = Store(self.db)
        session = Session(self.own, annotator="analyst")
        session.import_records(_records())
        self.other_store = Store(self.db)
        self.other = Session(self.other_store, annotator="other")
        self.window = MainWindow(session)
        self.window.store_watch.set_interval(20)
        self.window.resize(1400, 900)
        self.window.show()
        QTest.qWaitForWindowExposed(self.window)
        self.window.activateWindow()
        QTest.qWait(30)

    def teardown(self) -> None:
        self.window.close()
        shiboken6.delete(self.window)
        self.other_store.close()
        self.own.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self.window.session

    def _editing(self, widget: QWidget | None) -> bool:
        """Whether single keys in `widget` are meant to edit: the text, the tables, the
        inspector's fields (its note, label list and buttons)."""
        w = self.window
        inspector = w.relation_ui.inspector
        return widget is not None and (widget in w.key_widgets() or inspector.isAncestorOf(widget))

    def _settle(self) -> None:
        for _ in range(5):
            QTest.qWait(5)

    def _wait_for_store_seen(self) -> None:
        for _ in range(200):
            QTest.qWait(10)
            if self.window.store_watch.version == self.session.data_version():
                break
        self._settle()

    # --- steps ------------------------------------------------------------------------------

    @rule(place=st.sampled_from(["documents", "document filter", "entity filter", "text",
                                  "entities", "relations", "note", "find"]))
    def click_into(self, place: str) -> None:
        """The analyst clicks a widget: it gets the focus."""
        w = self.window
        widget = {"documents": w.documents.table.viewport(),
                  "document filter": w.documents.filter_edit,
                  "entity filter": w.corpus_ui.filters.entity_edit,
                  "text": w.view.viewport(), "entities": w.table.viewport(),
                  "relations": w.relation_ui.table.table.viewport(),
                  "note": w.relation_ui.inspector.relation.note,
                  "find": w.find_bar.edit}[place]
        if not widget.isVisible() or not widget.isEnabled():
            return
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, NO, widget.rect().center())
        self._settle()

    @rule(key=st.sampled_from(KEYS))
    def press(self, key: tuple[Qt.Key, Qt.KeyboardModifier]) -> None:
        """A key typed into whatever has the focus (or the open popup)."""
        target = QApplication.activePopupWidget() or QApplication.focusWidget() or self.window
        before = _store_state(self.session)
        aimed = self._editing(target) or QApplication.activePopupWidget() is not None
        QTest.keyClick(target, key[0], key[1])
        self._settle()
        if _store_state(self.session) != before:
            command = bool(key[1] & (CTRL | ALT))
            assert aimed or command, f"{key} in {target.objectName()} changed the store"

    @rule(index=st.integers(0, 20))
    def click_highlight(self, index: int) -> None:
        view = self.window.view
        spans = sorted(view.spans())
        if not spans:
            return
        rects = view.span_rects(spans[index % len(spans)])
        if rects:
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, NO,
                             rects[0].center().toPoint())
        self._settle()

    @rule(index=st.integers(0, 20))
    def click_arc(self, index: int) -> None:
        view = self.window.view
        arcs = sorted(view.painted_arcs())
        if not arcs:
            return
        rect = view.arc_label_rect(arcs[index % len(arcs)])
        if rect is not None:
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, NO,
                             rect.center().toPoint())
        self._settle()

    @rule()
    def background_import_finishes(self) -> None:
        """An import runs in the background and ends; the focus stays where it was."""
        focus = QApplication.focusWidget()
        source = self.folder / f"more-{next(_counter)}.txt"
        source.write_text(f"Baku and Yerevan talk again, round {next(_counter)}.",
                          encoding="utf-8")
        self.window.import_paths([source])
        for _ in range(500):
            QTest.qWait(10)
            if not self.window.runner.busy:
                break
        self._wait_for_store_seen()
        assert QApplication.focusWidget() is focus or not self._editing(
            QApplication.focusWidget())

    @rule(index=st.integers(0, 20), accept=st.booleans())
    def another_connection_writes(self, index: int, accept: bool) -> None:
        """Another process adds a suggestion (or accepts one) in some document."""
        docs = self.other.documents()
        doc = docs[index % len(docs)]
        entities = self.other.entities(doc.id)
        suggested = [e for e in entities if e.status == "suggested"]
        if accept and suggested:
            self.other.accept_entity(suggested[index % len(suggested)].id)
        else:
            text = self.other.document(doc.id).text
            taken = {(e.start, e.end) for e in entities}
            for word in text.replace(".", " ").replace(",", " ").split():
                start = text.index(word)
                if (start, start + len(word)) not in taken and word[0].islower():
                    self.other.add_entity(doc.id, start, start + len(word), "LOC",
                                          status="suggested")
                    break
        self._wait_for_store_seen()

    # --- what the window shows is what the store holds ------------------------------------------

    @invariant()
    def shows_what_the_store_holds(self) -> None:
        w, session = self.window, self.session
        doc_id = w.presenter.doc_id
        listed = {i: w.documents.model.summary(i) for i in w.documents.model.ids()}
        stored_docs = {d.id: d for d in session.documents()}
        assert listed == stored_docs
        if doc_id is None:
            assert not w.view.spans()
            return
        entities = {e.id: e for e in session.entities(doc_id)}
        assert {i: (s.start, s.end, s.label, s.status) for i, s in w.view.spans().items()} == \
            {i: (e.start, e.end, e.label, e.status) for i, e in entities.items()}
        assert {e.id: e for e in w.table.source.entities()} == entities
        relations = {r.id: r for r in session.relations(doc_id) if r.status != "rejected"}
        assert set(w.view.arcs()) == set(relations) == set(w.relation_ui.table.source.ids())
        for row in w.relation_ui.table.source.rows():
            rel = relations[row.id]
            assert (row.label, row.confidence, row.note) == (rel.label, rel.confidence, rel.note)
        shown = w.relation_ui.inspector.relation.relation
        if shown is not None:
            stored = session.relation(shown.id)
            assert (shown.label, shown.confidence) == (stored.label, stored.confidence)
        highlighted = w.relation_ui.table.selected_relation()
        assert highlighted is None or (shown is not None and highlighted == shown.id)
        live = [e for e in entities.values() if e.status != "rejected"]
        counts = (f"{len(live)} entities · {sum(e.status == 'suggested' for e in live)} to review"
                  f" · {len(relations)} relations")
        assert w.status.counts.text() == counts


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_random_sessions_keep_the_store_and_the_window_in_step(qapp):
    """20 random sessions of 15 steps each on the real window hold both invariants."""
    run_state_machine_as_test(WindowSession, settings=settings(
        max_examples=20, stateful_step_count=15, deadline=None,
        suppress_health_check=list(HealthCheck)))
