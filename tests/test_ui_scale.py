"""A large store in the window: the list, statistics, graph, filters and search are read off
the GUI thread and shown when read; the document list's filtering model stays correct."""
from __future__ import annotations

import pytest

from annotate.model import DocumentRecord, DocumentSummary, EntityRecord, RelationRecord
from ui.common import reader as reader_module
from ui.common.reader import StoreReader
from ui.corpus.document_list import ID_ROLE, DocumentFilterModel, DocumentListModel
from ui.shell.main_window import MainWindow
from tests.conftest import ROOT
from ui.shell.window_frame import GRAPH_TAB, STATS_TAB

DOCUMENTS = 12


def _summary(doc_id: int, title: str, status: str = "new", entities: int = 0) -> DocumentSummary:
    return DocumentSummary(id=doc_id, title=title, status=status, source="", updated_at="",
                           length=10, entity_count=entities, suggested_count=0, relation_count=0)


def _shown(proxy: DocumentFilterModel) -> list[int]:
    return [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())]


def test_filter_model_follows_changes_sorts_and_keeps_qt_contract(qtmodeltester):
    """Rows that start or stop passing a filter come and go, sorting orders by the column,
    and Qt's model tester finds nothing wrong throughout."""
    model = DocumentListModel()
    proxy = DocumentFilterModel()
    proxy.setSourceModel(model)
    model.set_documents([_summary(1, "Russia", entities=5), _summary(2, "Turkey", "done", 1),
                         _summary(3, "Iran", entities=3)])
    proxy.set_status("new")
    assert _shown(proxy) == [1, 3]
    model.set_documents([_summary(1, "Russia", "done", 5), _summary(2, "Turkey", "done", 1),
                         _summary(3, "Iran", entities=3)])
    assert _shown(proxy) == [3]  # marked done: no longer new
    proxy.set_status(None)
    proxy.sort(2)
    assert _shown(proxy) == [2, 3, 1]
    model.set_documents([_summary(1, "Russia", "done", 5), _summary(3, "Iran", entities=3),
                         _summary(4, "Syria", entities=4)])
    assert _shown(proxy) == [3, 4, 1]  # one came, one went: still sorted
    proxy.set_id_filter({1, 4})
    assert _shown(proxy) == [4, 1]
    qtmodeltester.check(proxy)


@pytest.fixture
def large(session, monkeypatch):
    """A store the window treats as large (read off the GUI thread)."""
    monkeypatch.setattr(reader_module, "AT_ONCE", 5)
    session.import_records([
        DocumentRecord(title=f"Report {n}", text=f"Russia and Turkey met in Astana ({n}).",
                       entities=(EntityRecord(0, 6, "GPE"), EntityRecord(11, 17, "GPE")),
                       relations=(RelationRecord(0, 1, "MEETS_WITH", False),),
                       status="done" if n % 3 == 0 else None)
        for n in range(DOCUMENTS)])
    return session


def _window(qtbot, session) -> MainWindow:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_large_store_opens_its_document_before_its_list(qtbot, large):
    """The first document opens at once; the list is read off the GUI thread and, once
    read, shows every document with the open one current."""
    window = _window(qtbot, large)
    assert window.presenter.doc_id is not None
    assert window.reader.busy("documents") or window.documents.visible_ids()
    qtbot.waitUntil(lambda: len(window.documents.visible_ids()) == DOCUMENTS)
    table = window.documents.table
    assert table.currentIndex().data(ID_ROLE) == window.presenter.doc_id
    window._step_document(1)
    assert window.presenter.doc_id == window.documents.visible_ids()[1]


def test_statistics_graph_filters_and_search_arrive_from_the_reader(qtbot, large):
    """Statistics and graph show what was read off the GUI thread; a corpus filter and a
    search deliver their answers when read."""
    window = _window(qtbot, large)
    qtbot.waitUntil(lambda: not window.reader.busy())
    corpus = window.corpus_ui
    with qtbot.waitSignal(corpus.stats.counted, timeout=30_000):
        window.tabs.setCurrentIndex(STATS_TAB)
    assert corpus.stats.stats is not None and corpus.stats.stats.documents == DOCUMENTS
    with qtbot.waitSignal(corpus.graph.drawn, timeout=30_000):
        window.tabs.setCurrentIndex(GRAPH_TAB)
    assert {n.text for n in corpus.graph.shown.nodes} == {"Russia", "Turkey"}
    bar = corpus.filters
    with qtbot.waitSignal(bar.ids_changed, timeout=30_000) as got:
        bar.relation_label.setCurrentIndex(bar.relation_label.findData("MEETS_WITH"))
    assert len(got.args[0]) == DOCUMENTS
    window.documents.status_combo.setCurrentIndex(
        window.documents.status_combo.findData("done"))
    assert len(window.documents.visible_ids()) == len(range(0, DOCUMENTS, 3))
    corpus.show_search()
    corpus.run_search("Astana")
    qtbot.waitUntil(lambda: len(corpus.search_panel.hits()) == DOCUMENTS)


def test_a_large_store_whose_list_is_still_read_gets_no_sample_article(qtbot, large):
    """The first-run import of the sample article looks at the store, not at the list
    still being read: a large store never gets it."""
    window = MainWindow(large, seeds=ROOT / "seeds")
    qtbot.addWidget(window)
    assert window.reader.busy("documents")
    assert window.start_first_run() is False and not window.runner.busy
    qtbot.waitUntil(lambda: not window.reader.busy())
    assert len(window.documents.visible_ids()) == DOCUMENTS


def test_only_the_latest_read_of_a_key_is_delivered(qtbot, large):
    """Two reads of one key in a row: the first answer, late, is never shown."""
    reader = StoreReader(large)
    got: list[str] = []
    reader.read("k", lambda s: "first", got.append)
    reader.read("k", lambda s: "second", got.append)
    qtbot.waitUntil(lambda: not reader.busy())
    reader.wait()
    qtbot.wait(50)
    assert got == ["second"]
