"""Corpus search, document filters, the entity graph and statistics in the real window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from annotate.corpus_io import import_path
from annotate.model import DocumentRecord, EntityRecord, RelationRecord
from annotate.statistics import corpus_statistics
from tests.conftest import ROOT
from ui.corpus.graph_view import EdgeItem, NodeItem
from ui.shell.main_window import MainWindow
from ui.corpus.search_panel import HIT_ROLE

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"
LEFT = Qt.MouseButton.LeftButton


def _open(qtbot, session) -> MainWindow:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def example(qtbot, session):
    """The worked example and two short articles, in a window."""
    import_path(session, EXAMPLE)
    session.import_records([
        DocumentRecord(title="Tehran talks", text="Iran and Turkey met in Astana. Moscow watched.",
                       entities=(EntityRecord(0, 4, "GPE"), EntityRecord(9, 15, "GPE"),
                                 EntityRecord(31, 37, "GPE")),
                       relations=(RelationRecord(0, 1, "MEETS_WITH", False),)),
        DocumentRecord(title="Weather", text="Rain in Lisbon all week."),
    ])
    return _open(qtbot, session)


def _run_search(qtbot, window: MainWindow, query: str) -> list:
    corpus = window.corpus_ui
    corpus.actions["search"].trigger()
    panel = corpus.search_panel
    assert panel.edit.hasFocus() or corpus.search_dock.isVisible()
    qtbot.keyClicks(panel.edit, query)
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    return panel.hits()


def test_search_finds_a_term_and_opens_the_document_at_it(qtbot, example):
    window, corpus = example, example.corpus_ui
    window.open_document(window.documents.model.ids()[-1])  # start elsewhere
    hits = _run_search(qtbot, window, "S-400")
    assert [h.kind for h in hits][:2] == ["text", "entity"]
    assert "S-400" in corpus.search_panel.summary.text() or corpus.search_panel.summary.text()
    panel = corpus.search_panel
    index = panel.model.index(0)
    rect = panel.results.visualRect(index)
    qtbot.mouseClick(panel.results.viewport(), LEFT, pos=rect.center())
    doc = session_doc = window.presenter.document
    assert doc is not None and doc.title.startswith("Turkey fights alongside")
    start, end = window.view.text_selection()
    assert session_doc.text[start:end] == "S-400"
    assert corpus.tabs.currentIndex() == 0
    line = window.view.cursorRect()
    assert window.view.viewport().rect().contains(line.center())  # scrolled to the match
    # an entity hit selects the entity itself
    entity_row = next(i for i, h in enumerate(panel.hits()) if h.kind == "entity")
    panel.results.activated.emit(panel.model.index(entity_row))
    selected = window.presenter.entity(window.view.selected_span())
    assert selected is not None and selected.text == "S-400"


def test_search_shortcut_and_menu_entries(qtbot, example):
    actions = example.corpus_ui.actions
    assert actions["search"].shortcut() == QKeySequence("Ctrl+Shift+F")
    view_menu = example.menus["view"]
    assert {actions[k] for k in ("search", "graph", "statistics")} <= set(view_menu.actions())


def test_search_results_follow_edits_and_undo(qtbot, example):
    window, panel = example, example.corpus_ui.search_panel
    _run_search(qtbot, window, "Lisbon")
    assert [h.kind for h in panel.hits()] == ["text"]
    weather = window.documents.model.ids()[-1]
    window.open_document(weather)
    window.perform(lambda: window.session.add_entity(weather, 8, 14, "GPE"))
    qtbot.waitUntil(lambda: [h.kind for h in panel.hits()] == ["text", "entity"], timeout=3000)
    window.actions.undo.trigger()
    qtbot.waitUntil(lambda: [h.kind for h in panel.hits()] == ["text"], timeout=3000)


def test_filters_narrow_the_document_list(qtbot, example):
    window, bar = example, example.corpus_ui.filters
    everything = window.documents.visible_ids()
    assert len(everything) == 3
    bar.relation_label.setCurrentIndex(bar.relation_label.findData("MEETS_WITH"))
    assert len(window.documents.visible_ids()) == 2  # the example and Tehran talks
    bar.relation_label.setCurrentIndex(bar.relation_label.findData("LEADS"))
    assert [window.documents.model.summary(i).title[:6] for i in
            window.documents.visible_ids()] == ["Turkey"]
    bar.relation_label.setCurrentIndex(0)
    bar.entity_label.setCurrentIndex(bar.entity_label.findData("GPE"))
    assert len(window.documents.visible_ids()) == 2  # not the weather
    bar.entity_label.setCurrentIndex(0)
    qtbot.keyClicks(bar.entity_edit, "moscow")
    qtbot.waitUntil(lambda: len(window.documents.visible_ids()) == 2, timeout=3000)
    bar.entity_edit.clear()
    qtbot.waitUntil(lambda: len(window.documents.visible_ids()) == 3, timeout=3000)
    bar.annotator.setCurrentIndex(bar.annotator.findData("arcmark-example"))
    assert [window.documents.model.summary(i).title[:6] for i in
            window.documents.visible_ids()] == ["Turkey"]
    weather = window.documents.model.ids()[-1]
    window.perform(lambda: window.session.add_entity(weather, 8, 14, "GPE"))
    bar.annotator.setCurrentIndex(bar.annotator.findData("tester"))
    assert weather in window.documents.visible_ids()  # an edit by the tester


def test_graph_shows_russia_turkey_iran_and_an_edge_click_lists_evidence(qtbot, example):
    window, corpus = example, example.corpus_ui
    window.corpus_ui.actions["graph"].trigger()
    graph = corpus.graph
    qtbot.waitUntil(lambda: bool(graph.view.graph_scene.node_items), timeout=5000)
    nodes = {item.node.text: item for item in graph.view.graph_scene.node_items.values()}
    assert {"Russia", "Turkey", "Iran"} <= set(nodes)
    assert nodes["Turkey"].radius > nodes["Astana"].radius  # sized by mentions
    trio = {nodes[t].node.id for t in ("Russia", "Turkey", "Iran")}
    between = [e for e in graph.view.graph_scene.edge_items
               if {e.edge.source, e.edge.target} <= trio]
    assert {"ALLY_OF", "MEETS_WITH"} <= {e.edge.label for e in between}
    ally = graph.edge_index("Russia", "ALLY_OF", "Turkey")
    item = graph.view.graph_scene.edge_items[ally]
    assert item.edge.count == 3 and not item.edge.directed
    view = graph.view
    view.centerOn(item.mid)
    point = next(p for p in (view.mapFromScene(item.path.pointAtPercent(t / 20))
                             for t in range(4, 17)) if view.itemAt(p) is item)
    qtbot.mouseClick(view.viewport(), LEFT, pos=point)
    qtbot.waitUntil(lambda: graph.details_model.rowCount() == 3, timeout=3000)
    texts = [graph.details_model.data(graph.details_model.index(r)) for r in range(3)]
    assert all("Russia" in t and "Turkey" in t for t in texts)
    assert any("Moscow Declaration" in t or "declaration" in t.lower() for t in texts)
    # double-clicking a relation opens its document at the evidence
    target = graph.details_model.targets()[0]
    graph.details.doubleClicked.emit(graph.details_model.index(0))
    assert corpus.tabs.currentIndex() == 0 and window.presenter.doc_id == target.doc_id
    assert window.view.selected_arc() == target.relation_id


def test_graph_node_click_lists_mentions_and_filters_apply(qtbot, example):
    corpus = example.corpus_ui
    corpus.tabs.setCurrentIndex(2 - 1)
    graph = corpus.graph
    qtbot.waitUntil(lambda: bool(graph.view.graph_scene.node_items), timeout=5000)
    russia = next(i for i in graph.view.graph_scene.node_items.values() if i.node.text == "Russia")
    qtbot.mouseClick(graph.view.viewport(), LEFT, pos=graph.view.mapFromScene(russia.pos()))
    assert graph.details_model.rowCount() == russia.node.mentions
    graph.set_label_filter(relation=["LEADS"])
    assert {e.edge.label for e in graph.view.graph_scene.edge_items} == {"LEADS"}
    graph.set_label_filter(entity=["PERSON"], relation=None)
    assert all(i.node.label == "PERSON" for i in graph.view.graph_scene.node_items.values())
    graph.set_label_filter()
    graph.set_status("new")  # only the two short articles
    texts = {i.node.text for i in graph.view.graph_scene.node_items.values()}
    assert texts == {"Iran", "Turkey"}
    scene = graph.view.graph_scene
    # nothing left of the graphs drawn before: the scene holds this one's items (and the
    # parts they are drawn with) only
    top = [i for i in scene.items() if i.parentItem() is None]
    assert all(isinstance(i, (NodeItem, EdgeItem)) for i in top)
    assert len(top) == len(scene.node_items) + len(scene.edge_items)


def test_graph_and_statistics_follow_edits(qtbot, example):
    window, corpus = example, example.corpus_ui
    corpus.actions["statistics"].trigger()
    stats = corpus.stats
    qtbot.waitUntil(lambda: stats.stats is not None, timeout=3000)
    weather = window.documents.model.ids()[-1]
    before = stats.entities.totals()[stats.entities.categories.index("GPE")]
    window.perform(lambda: window.session.add_entity(weather, 8, 14, "GPE"))
    qtbot.waitUntil(lambda: stats.entities.totals()[stats.entities.categories.index("GPE")]
                    == before + 1, timeout=3000)


def test_statistics_panel_numbers_match_the_store(qtbot, example):
    corpus = example.corpus_ui
    corpus.actions["statistics"].trigger()
    stats = corpus.stats
    qtbot.waitUntil(lambda: stats.stats is not None, timeout=3000)
    numbers = corpus_statistics(example.session)
    assert stats.documents.categories == ["New", "In progress", "Done", "Curated"]
    assert [v[0] for v in stats.documents.values] == [2, 0, 1, 0]
    assert stats.entities.categories == list(numbers.entities_by_label)
    assert stats.entities.values == [[c["accepted"], c["suggested"], c["rejected"]]
                                     for c in numbers.entities_by_label.values()]
    assert sum(stats.relations.totals()) == numbers.relations
    assert stats.model_quality.categories == [q.label for q in numbers.model_quality]
    assert stats.progress.values == [[d.documents_done, d.entity_edits, d.relation_edits]
                                     for d in numbers.progress]
    stats.grab()  # paints without error


def test_search_result_rows_escape_html(qtbot, session):
    session.import_records([DocumentRecord(title="<b>Tags</b>", text="<i>Iran</i> & <script>")])
    window = _open(qtbot, session)
    hits = _run_search(qtbot, window, "Iran")
    panel = window.corpus_ui.search_panel
    html = panel.model.index(0).data(HIT_ROLE + 1)
    assert "&lt;i&gt;" in html and "&lt;b&gt;Tags" in html and hits


def test_start_view_opens_the_graph_with_a_link_selected(qtbot, session, monkeypatch):
    import_path(session, EXAMPLE)
    monkeypatch.setenv("ARCMARK_START_VIEW", "graph:Russia|ALLY_OF|Turkey")
    window = _open(qtbot, session)
    graph = window.corpus_ui.graph
    qtbot.waitUntil(lambda: graph.details_model.rowCount() == 3, timeout=5000)
    assert window.corpus_ui.tabs.currentIndex() == 1


def test_document_panels_step_aside_for_corpus_views_and_come_back(qtbot, example):
    window, corpus = example, example.corpus_ui
    assert window.entity_dock.isVisible()
    corpus.actions["graph"].trigger()
    assert not window.entity_dock.isVisible() and window.document_dock.isVisible()
    corpus.actions["statistics"].trigger()
    assert not window.entity_dock.isVisible()
    corpus.actions["document"].trigger()
    assert window.entity_dock.isVisible()
    corpus.actions["graph"].trigger()
    window.close()  # the saved layout keeps the document's panels
    assert not window.entity_dock.isHidden()


def _grid_graph(side: int):
    """`side` × `side` actors in a grid, each linked to its right-hand neighbour."""
    from annotate.corpus_graph import ActorEdge, ActorNode, CorpusGraph

    nodes = tuple(ActorNode(f"n{i + 1}", f"Actor {i + 1}", "ORG", ("ORG",), 1, (1,), (i,),
                            (f"Actor {i + 1}",)) for i in range(side * side))
    edges = tuple(ActorEdge(f"n{i + 1}", f"n{i + 2}", "ALLY_OF", False, 1, (1,), (i,))
                  for i in range(side * side) if (i + 1) % side)
    positions = {f"n{i + 1}": (float(i % side) * 2, float(i // side) * 2)
                 for i in range(side * side)}
    return CorpusGraph(nodes, edges), positions


def test_graph_labels_are_made_where_the_view_looks_and_follow_the_zoom(qtbot):
    """Zoomed in on a large graph, edge labels are made for the edges in view only (making
    them all at once stalled the window); scrolling brings the others theirs; zoomed out,
    the labels hide and the names shrink back."""
    from PySide6.QtGui import QFont

    from ui.corpus.graph_view import GraphView, lod_of

    view = GraphView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    graph, positions = _grid_graph(20)  # 400 actors, 380 links: labels only when zoomed in
    view.graph_scene.set_graph(graph, positions, {"ORG": "#4477aa"}, {"ALLY_OF": "#228833"},
                               QFont())
    view.fit()
    edges = view.graph_scene.edge_items
    assert lod_of(view.transform()) < 1.6 and not any(e._label for e in edges)
    view.resetTransform()
    view.scale(2.0, 2.0)
    view.centerOn(edges[0].mid)
    view.graph_scene.set_zoom(lod_of(view.transform()), view.visible_area())
    area = view.visible_area()
    made = [e for e in edges if e._label is not None]
    assert made and len(made) < len(edges) // 4
    assert all(area.intersects(e.sceneBoundingRect()) for e in made)
    assert all(e._label.isVisible() for e in made)
    far = edges[-1]
    assert far._label is None
    view.centerOn(far.mid)  # scrolled there: its label is made now
    assert far._label is not None and far._label.isVisible()
    view.resetTransform()
    view.scale(0.5, 0.5)
    view.graph_scene.set_zoom(lod_of(view.transform()), view.visible_area())
    assert not any(e._label.isVisible() for e in edges if e._label is not None)
