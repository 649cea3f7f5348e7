"""The corpus in the window: search, document filters, the entity graph, statistics.

`install_corpus_ui(hub, frame, …)` adds a filter row to the document list and connects
the frame's Search dock, its "Graph" and "Statistics" tabs and their View menu entries. Each of those panels is built the first time it is
shown; graph and statistics are read again after a change only when shown.
`ARCMARK_START_VIEW` opens a view at start: `graph` (or `graph:HEAD|LABEL|TAIL` with that
link selected), `statistics` or `search:QUERY`.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDockWidget

from annotate.model import ArcmarkError, Change
from annotate.search import SearchHit, first_match, search
from storage.store import StoreError
from ui.corpus.document_filters import DocumentFilterBar
from ui.shell.window_frame import DOCUMENT_TAB, GRAPH_TAB, STATS_TAB

if TYPE_CHECKING:
    from ui.common.hub import Hub
    from ui.corpus.document_list import DocumentListPanel
    from ui.corpus.graph_panel import GraphPanel, Target
    from ui.corpus.search_panel import SearchPanel
    from ui.corpus.stats_panel import StatsPanel
    from ui.document.document_view import DocumentView
    from ui.document.presenter import DocumentPresenter
    from ui.document.review import EntityReview
    from ui.shell.window_frame import WindowFrame

# panels about the open document, set aside while the graph or the statistics are shown
DOCUMENT_DOCKS = ("entityDock", "paletteDock", "relationDock", "inspectorDock")
START_VIEW = "ARCMARK_START_VIEW"


class CorpusUi(QObject):
    stats_refreshed = Signal(object)  # the StatsPanel, just read again

    def __init__(self, hub: Hub, frame: WindowFrame, documents: DocumentListPanel,
                 presenter: DocumentPresenter, view: DocumentView, review: EntityReview) -> None:
        super().__init__(frame)
        self.hub = hub
        self.frame = frame
        self.session = hub.session
        self.documents, self.presenter, self.view, self.review = documents, presenter, view, review
        self.tabs = frame.tabs
        self.search_dock = frame.search_dock
        self.filters = DocumentFilterBar(hub.session, documents, frame.reader)
        self._search_panel: SearchPanel | None = None
        self._graph: GraphPanel | None = None
        self._stats: StatsPanel | None = None
        self._stale = {GRAPH_TAB: True, STATS_TAB: True}
        documents.layout().insertWidget(1, self.filters)
        a = frame.actions
        self.actions = {"search": a.search_corpus, "document": a.show_document,
                        "graph": a.show_graph, "statistics": a.show_statistics}
        self._set_aside: list[QDockWidget] = []
        frame.installEventFilter(self)
        self._changed = QTimer(self)
        self._changed.setSingleShot(True)
        self._changed.setInterval(200)
        self._connect()
        dock = self.search_dock
        if dock.isVisible() and not dock.visibleRegion().isEmpty():  # the saved layout shows it
            self._on_search_dock_visibility_changed(True)  # (a tab behind another is out of view)
        if self.tabs.currentIndex() != DOCUMENT_TAB:
            self._on_tabs_current_changed(self.tabs.currentIndex())

    # --- the panels, each built when first shown ---------------------------------------------

    @property
    def search_panel(self) -> SearchPanel:
        if self._search_panel is None:
            from ui.corpus.search_panel import SearchPanel

            panel = SearchPanel(self.frame)
            panel.query_changed.connect(self.run_search)
            panel.hit_activated.connect(self.open_hit)
            self.frame.fill_dock(self.search_dock, panel)
            self._search_panel = panel
        return self._search_panel

    @property
    def graph(self) -> GraphPanel:
        if self._graph is None:
            from ui.corpus.graph_panel import GraphPanel

            self._graph = GraphPanel(self.session, self.frame)
            self._graph.reader = self.frame.reader
            self._graph.open_requested.connect(self.open_target)
            self.frame.fill_page(GRAPH_TAB, self._graph)
        return self._graph

    @property
    def stats(self) -> StatsPanel:
        if self._stats is None:
            from ui.corpus.stats_panel import StatsPanel

            self._stats = StatsPanel(self.session, self.frame)
            self._stats.reader = self.frame.reader
            self.frame.fill_page(STATS_TAB, self._stats)
        return self._stats

    def prepare_views(self) -> None:
        """Build the Statistics and Graph panels ahead, hidden and with nothing read, one
        per turn of the event loop (the window's warm-up calls this once it is idle):
        opening either tab then only shows it and starts its reads."""
        if self.frame.isVisible():
            QTimer.singleShot(0, self.frame, lambda: self.stats)
            QTimer.singleShot(40, self.frame, lambda: self.graph)

    def _on_search_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            _ = self.search_panel

    def _connect(self) -> None:
        a = self.actions
        a["search"].triggered.connect(self.show_search)
        a["document"].triggered.connect(self.show_document_tab)
        a["graph"].triggered.connect(lambda: self.tabs.setCurrentIndex(GRAPH_TAB))
        a["statistics"].triggered.connect(lambda: self.tabs.setCurrentIndex(STATS_TAB))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.search_dock.visibilityChanged.connect(self._on_search_dock_visibility_changed)
        self.filters.ids_changed.connect(self.documents.proxy.set_id_filter)
        self.hub.change_applied.connect(self._on_hub_change_applied)
        self.hub.store_changed.connect(self._on_corpus_changed)
        self._changed.timeout.connect(self._refresh_after_change)

    # --- search ---------------------------------------------------------------------------------

    def show_search(self) -> None:
        self.search_dock.show()
        self.search_dock.raise_()
        self._make_room(self.search_dock)
        self.search_panel.focus_query()

    def _make_room(self, dock) -> None:  # type: ignore[no-untyped-def]
        """Give a squeezed dock half the window's height (results need rows to read)."""
        window = self.frame
        height = window.height()
        if dock.isFloating() or dock.height() >= height * 0.45:
            return
        below = [d for d in window.findChildren(type(dock)) if d is not dock
                 and d.isVisible() and not d.isFloating()
                 and window.dockWidgetArea(d) == window.dockWidgetArea(dock)
                 and abs(d.x() - dock.x()) < 10 and d.y() > dock.y()]
        if below:
            window.resizeDocks([dock, below[0]], [int(height * 0.55), int(height * 0.3)],
                               Qt.Orientation.Vertical)

    def run_search(self, query: str) -> None:
        """Search (off the GUI thread in a large store); the answer to the latest query shows."""
        panel = self.search_panel
        if not query:
            panel.show_results(None)
            return

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, (ArcmarkError, StoreError)):
                raise exc
            panel.show_results(None, str(exc))

        self.frame.reader.read("search", lambda session: search(session, query),
                               panel.show_results, failed)

    def open_hit(self, hit: SearchHit) -> None:
        """Open the hit's document at the match: the text match selected, the entity or
        relation selected."""
        from ui.corpus.graph_panel import Target

        if hit.kind == "text":
            span = first_match(self.session, hit.doc_id, self.search_panel.query_text())
            start, end = span if span is not None else (0, 0)
            self.open_target(Target(hit.doc_id, start, end))
        elif hit.kind == "entity":
            self.open_target(Target(hit.doc_id, hit.start or 0, hit.end or 0, entity_id=hit.row_id))
        else:
            self.open_target(Target(hit.doc_id, hit.start or 0, hit.end or 0,
                                    relation_id=hit.row_id))

    def show_document_tab(self) -> None:
        """Back to the text. A focused graph or statistics page is about to be hidden: Qt
        would pass its focus on, maybe into the text where single keys edit; the document
        list takes it instead."""
        page = self.tabs.currentWidget()
        focus = QApplication.focusWidget()
        if page is not None and focus is not None and page.isAncestorOf(focus):
            self.documents.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.tabs.setCurrentIndex(DOCUMENT_TAB)

    def open_target(self, target: Target) -> None:
        """Open a search hit or a graph detail in the text, selected; the focus stays with
        what the analyst used (the results, the graph's list), never moved into the text."""
        view = self.view
        self.show_document_tab()
        if self.presenter.doc_id != target.doc_id:
            self.hub.open_document(target.doc_id)
        if self.presenter.doc_id != target.doc_id:
            return  # could not open (reported already)
        if target.entity_id is not None and target.entity_id in view.spans():
            self.review.select(target.entity_id)
        elif target.relation_id is not None and target.relation_id in view.arcs():
            view.select_arc(target.relation_id)
            view.scroll_to_offset(target.start)
        elif target.end > target.start:
            view.select_text(target.start, target.end)
            view.centerCursor()  # the match mid-view, not at an edge

    # --- keeping views current ------------------------------------------------------------------

    def _on_hub_change_applied(self, change: Change) -> None:
        if change.documents or change.entities or change.relations or change.document_list \
                or change.schema:
            self._on_corpus_changed()

    def _on_corpus_changed(self) -> None:
        self._stale = {GRAPH_TAB: True, STATS_TAB: True}
        self._changed.start()

    def _refresh_after_change(self) -> None:
        if not self.frame.isVisible():
            return  # closed (its store may be too); views read again when shown
        current = self.tabs.currentIndex()
        if current in self._stale:
            self._on_tabs_current_changed(current)
        if self._search_panel is not None and self._search_panel.query_text():
            self.run_search(self._search_panel.query_text())
        self.filters.fill_choices()
        self.filters.reapply()

    def _make_space(self, corpus_view: bool) -> None:
        """Set the open document's panels aside while a corpus view is shown (it needs
        the room); bring back the ones that were open when the document returns."""
        if corpus_view and not self._set_aside:
            docks = [self.frame.findChild(QDockWidget, name) for name in DOCUMENT_DOCKS]
            self._set_aside = [d for d in docks if d is not None and d.isVisible()
                               and not d.isFloating()]
            for dock in self._set_aside:
                dock.hide()
        elif not corpus_view:
            for dock in self._set_aside:
                dock.show()
            self._set_aside = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.frame and event.type() == QEvent.Type.Close:
            self._make_space(False)  # the saved layout keeps the document's panels
        return False

    def _on_tabs_current_changed(self, index: int) -> None:
        self._make_space(index != DOCUMENT_TAB)
        if not self._stale.get(index):
            return
        self._stale[index] = False
        try:
            if index == GRAPH_TAB:
                self.graph.set_labels()
                self.graph.refresh()
            elif index == STATS_TAB:
                self.stats.refresh()
                self.stats_refreshed.emit(self.stats)
        except (ArcmarkError, StoreError) as exc:
            self.hub.say(str(exc), error=True)

    def start_view(self, spec: str) -> None:
        """Open a view named like `ARCMARK_START_VIEW` (for demos and screenshots)."""
        name, _, query = spec.partition(":")
        if name == "graph":
            self.tabs.setCurrentIndex(GRAPH_TAB)
            parts = query.split("|")
            if len(parts) == 3:  # graph:Russia|ALLY_OF|Turkey selects that link
                index = self.graph.edge_index(*parts)
                if index is not None:
                    self.graph.view.select_edge(index)
        elif name in ("statistics", "stats"):
            self.tabs.setCurrentIndex(STATS_TAB)
        elif name == "search":
            self.show_search()
            self.search_panel.edit.setText(query)
            self.run_search(query)
            hits = self.search_panel.hits()
            if hits:
                self.open_hit(hits[0])


def install_corpus_ui(hub: Hub, frame: WindowFrame, documents: DocumentListPanel,
                      presenter: DocumentPresenter, view: DocumentView,
                      review: EntityReview) -> CorpusUi:
    corpus = CorpusUi(hub, frame, documents, presenter, view, review)
    spec = os.environ.get(START_VIEW, "").strip()
    if spec:
        # after the window has laid itself out and shown its first document
        QTimer.singleShot(400, lambda: corpus.start_view(spec))
    return corpus
