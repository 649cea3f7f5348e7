"""The graph tab: filters over the entity graph, the graph itself, and what lies behind
the actor or link the user clicked (mentions, or relations with their evidence).

Double-clicking a row of the details opens its document there (`open_requested`).
"""
from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QLabel, QListView, QMenu, QPushButton,
    QSplitter, QToolButton, QVBoxLayout, QWidget,
)

from annotate import corpus_graph
from annotate.corpus_graph import CorpusGraph, Evidence, Mention
from annotate.model import DOCUMENT_STATUSES
from annotate.session import Session
from ui.corpus.graph_view import GraphView, unit_for
from ui.corpus.search_panel import HTML_ROLE, MATCH_COLOUR, HitDelegate

if TYPE_CHECKING:
    from ui.common.reader import StoreReader

Index = QModelIndex | QPersistentModelIndex
TARGET_ROLE = Qt.ItemDataRole.UserRole + 3
STATUS_TEXT = {"new": "New", "in_progress": "In progress", "done": "Done", "curated": "Curated"}


@dataclass(frozen=True, slots=True)
class Target:
    """Where a details row leads: a span of a document, and the entity or relation there."""

    doc_id: int
    start: int
    end: int
    entity_id: int | None = None
    relation_id: int | None = None


class DetailModel(QAbstractListModel):
    """Rows of rich text, each leading to a place in a document."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, Target]] = []

    def set_rows(self, rows: list[tuple[str, Target]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def targets(self) -> list[Target]:
        return [t for _, t in self._rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        text, target = self._rows[index.row()]
        if role == HTML_ROLE:
            return text
        if role == TARGET_ROLE:
            return target
        if role == Qt.ItemDataRole.DisplayRole:
            return _strip(text)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Double-click to open the document here"
        return None


def _strip(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _mark(text: str) -> str:
    return f"<b style='background:{MATCH_COLOUR}'>{html.escape(text, quote=False)}</b>"


def mention_row(m: Mention) -> tuple[str, Target]:
    before = m.before.replace("\n", " ")[-70:]
    after = m.after.replace("\n", " ")[:70]
    body = (f"…{html.escape(before, quote=False)}{_mark(m.text)}"
            f"{html.escape(after, quote=False)}…")
    head = f"<div style='color:#6b7280'>{html.escape(m.title)} · {m.label}</div>"
    return head + f"<div>{body}</div>", Target(m.doc_id, m.start, m.end, entity_id=m.entity_id)


def evidence_row(e: Evidence) -> tuple[str, Target]:
    arrow = "→" if e.directed else "—"
    head = (f"<div style='color:#6b7280'>{html.escape(e.title)} · {html.escape(e.head_text)} "
            f"{arrow} {e.label} {arrow} {html.escape(e.tail_text)}"
            + (f" · {e.confidence}" if e.confidence else "") + "</div>")
    if e.sentence:
        body = _marked_sentence(e.sentence, [r for r in (e.head, e.tail) if r is not None])
        end = e.start + len(e.sentence)
    else:
        body = f"{_mark(e.head_text)} … {_mark(e.tail_text)}"
        end = e.start
    note = (f"<div style='color:#374151'><i>{html.escape(e.note, quote=False)}</i></div>"
            if e.note else "")
    return head + f"<div>{body}</div>" + note, Target(e.doc_id, e.start, max(end, e.start),
                                                      relation_id=e.relation_id)


def _marked_sentence(sentence: str, ranges: Iterable[tuple[int, int]]) -> str:
    out, at = [], 0
    for start, end in sorted(ranges):
        if start < at:
            continue
        out.append(html.escape(sentence[at:start], quote=False))
        out.append(_mark(sentence[start:end]))
        at = end
    out.append(html.escape(sentence[at:], quote=False))
    return "".join(out).replace("\n", " ")


class GraphPanel(QWidget):
    """Filter bar, the graph, and the details of the clicked node or edge.

    `open_requested(object)` with a `Target` when a details row is double-clicked."""

    open_requested = Signal(object)
    drawn = Signal()  # the graph on screen is the one last asked for

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphPanel")
        self.session = session
        self.reader: StoreReader | None = None  # reads off the GUI thread when set
        self.full = CorpusGraph()
        self.shown = CorpusGraph()
        self.view = GraphView(self)
        self.entity_button, self.entity_menu = self._label_menu("Entity labels",
                                                                "graphEntityLabels")
        self.relation_button, self.relation_menu = self._label_menu("Relation labels",
                                                                    "graphRelationLabels")
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("graphStatus")
        self.status_combo.addItem("All documents", None)
        for status in DOCUMENT_STATUSES:
            self.status_combo.addItem(f"{STATUS_TEXT[status]} documents", status)
        self.linked_only = QCheckBox("Only linked actors", self)
        self.linked_only.setObjectName("graphLinkedOnly")
        self.linked_only.setChecked(True)
        self.fit_button = QPushButton("Fit", self)
        self.info = QLabel(self)
        self.info.setObjectName("graphInfo")
        self.details_title = QLabel("Click an actor or a link to see what lies behind it", self)
        self.details_title.setObjectName("graphDetailsTitle")
        self.details_title.setWordWrap(True)
        self.details_model = DetailModel(self)
        self.details = QListView(self)
        self.details.setObjectName("graphDetails")
        self.details.setModel(self.details_model)
        self.details.setItemDelegate(HitDelegate(self.details))
        self.details.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.details.setResizeMode(QListView.ResizeMode.Adjust)
        self.details.setAlternatingRowColors(True)
        self._lay_out()
        self._connect()
        self.set_labels()

    def _label_menu(self, text: str, name: str) -> tuple[QToolButton, QMenu]:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        button.setMenu(menu)
        return button, menu

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 6, 6, 0)
        for widget in (self.entity_button, self.relation_button, self.status_combo,
                       self.linked_only, self.fit_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.info)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        side_layout.addWidget(self.details_title)
        side_layout.addWidget(self.details, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([1000, 320])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.linked_only.toggled.connect(lambda _on: self.redraw())
        self.fit_button.clicked.connect(self.view.fit)
        self.view.node_clicked.connect(self.show_node)
        self.view.edge_clicked.connect(self.show_edge)
        self.details.doubleClicked.connect(self._on_details_activated)
        self.details.activated.connect(self._on_details_activated)

    # --- filters --------------------------------------------------------------------------------

    def set_labels(self) -> None:
        """(Re)build the label menus from the schema, keeping what was unticked."""
        schema = self.session.schema
        for menu, names in ((self.entity_menu, schema.entity_names),
                            (self.relation_menu, schema.relation_names)):
            hidden = {a.text() for a in menu.actions() if a.isCheckable() and not a.isChecked()}
            menu.clear()
            every = menu.addAction("Show all")
            every.triggered.connect(lambda _c=False, m=menu: self._check_all(m))
            menu.addSeparator()
            for name in names:
                action = menu.addAction(name)
                action.setCheckable(True)
                action.setChecked(name not in hidden)
                action.toggled.connect(lambda _on: self.redraw())

    def _check_all(self, menu: QMenu) -> None:
        for action in menu.actions():
            if action.isCheckable():
                action.blockSignals(True)
                action.setChecked(True)
                action.blockSignals(False)
        self.redraw()

    def set_label_filter(self, entity: Iterable[str] | None = None,
                         relation: Iterable[str] | None = None) -> None:
        """Show only these labels (None: all of them)."""
        for menu, names in ((self.entity_menu, entity), (self.relation_menu, relation)):
            wanted = set(names) if names is not None else None
            for action in menu.actions():
                if action.isCheckable():
                    action.blockSignals(True)
                    action.setChecked(wanted is None or action.text() in wanted)
                    action.blockSignals(False)
        self.redraw()

    def _checked(self, menu: QMenu) -> set[str]:
        return {a.text() for a in menu.actions() if a.isCheckable() and a.isChecked()}

    def set_status(self, status: str | None) -> None:
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(status), 0))

    # --- drawing --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the graph from the store again and draw it (off the GUI thread when the
        panel has a `reader` and the store is large: the actors of 100,000 documents take
        seconds to read and lay out)."""
        status = self.status_combo.currentData()
        statuses = [status] if status else None
        choice = self._choice()

        def read(session: Session) -> tuple[CorpusGraph, CorpusGraph, dict]:
            full = corpus_graph.load_graph(session, statuses)
            return (full, *_shown_and_laid_out(full, *choice))

        self._run("graph", read, f"Reading the actors of the {self._which()} …")

    def redraw(self) -> None:
        """Draw the graph read last with the filters as they are now."""
        full, choice = self.full, self._choice()
        self._run("graph", lambda _session: (full, *_shown_and_laid_out(full, *choice)),
                  "Laying out the actors …")

    def _which(self) -> str:
        status = self.status_combo.currentData()
        return f"{STATUS_TEXT[status].lower()} documents" if status else "corpus"

    def _choice(self) -> tuple[set[str], set[str], bool, float]:
        size = self.view.viewport().size()
        width, height = (size.width(), size.height()) if self.view.isVisible() else (900, 620)
        return (self._checked(self.entity_menu), self._checked(self.relation_menu),
                self.linked_only.isChecked(), max(width, 200) / max(height, 200))

    def _run(self, key: str, read: Callable[[Session], tuple], busy: str) -> None:
        if self.reader is None:
            self._draw(read(self.session))
            return
        if not self.reader.at_once():
            self.info.setText(busy)
        self.reader.read(key, read, self._draw,
                         lambda exc: self.info.setText(f"Cannot read the graph: {exc}"))

    def _draw(self, result: tuple[CorpusGraph, CorpusGraph, dict]) -> None:
        self.full, self.shown, positions = result
        schema = self.session.schema
        size = self.view.viewport().size()
        width, height = (size.width(), size.height()) if self.view.isVisible() else (900, 620)
        self.view.graph_scene.set_graph(
            self.shown, positions, {e.name: e.colour for e in schema.entity_labels},
            {r.name: r.colour for r in schema.relation_labels}, self.font(),
            unit_for(positions, width, height))
        used = {e.label for e in self.shown.edges}
        self.view.set_legend([(r.name, r.colour, r.directed) for r in schema.relation_labels
                              if r.name in used])
        n, m = len(self.shown.nodes), len(self.shown.edges)
        self.info.setText(f"{n} actor{'s' * (n != 1)}, {m} link{'s' * (m != 1)}"
                          + (f" (of {len(self.full.nodes)} actors)"
                             if len(self.full.nodes) != n else ""))
        self._clear_details()
        self.view.fit()
        self.drawn.emit()

    # --- details --------------------------------------------------------------------------------

    def _clear_details(self) -> None:
        self.details_title.setText("Click an actor or a link to see what lies behind it")
        self.details_model.set_rows([])

    def show_node(self, node_id: str) -> None:
        node = self.shown.node(node_id)
        if node is None:
            return
        also = [a for a in node.aliases if a != node.text]
        docs = len(node.documents)
        self.details_title.setText(
            f"<b>{html.escape(node.text)}</b> ({node.label}): {node.mentions} mention"
            f"{'s' * (node.mentions != 1)} in {docs} document{'s' * (docs != 1)}"
            + (f"; also {html.escape(', '.join(also[:8]))}" if also else ""))
        self.details_model.set_rows([mention_row(m) for m in
                                     corpus_graph.mentions(self.session, node)])

    def show_edge(self, index: int) -> None:
        if not 0 <= index < len(self.shown.edges):
            return
        edge = self.shown.edges[index]
        source, target = self.shown.node(edge.source), self.shown.node(edge.target)
        arrow = "→" if edge.directed else "—"
        self.details_title.setText(
            f"<b>{html.escape(source.text if source else '?')}</b> {arrow} {edge.label} {arrow} "
            f"<b>{html.escape(target.text if target else '?')}</b>: {edge.count} relation"
            f"{'s' * (edge.count != 1)}, evidence below")
        self.details_model.set_rows([evidence_row(e) for e in
                                     corpus_graph.evidence(self.session, edge)])

    def edge_index(self, source_text: str, label: str, target_text: str) -> int | None:
        """The index of the shown edge with this label between actors with these names
        (either way round for undirected labels)."""
        names = {n.id: n.text for n in self.shown.nodes}
        for i, e in enumerate(self.shown.edges):
            ends = (names.get(e.source), names.get(e.target))
            if e.label == label and (ends == (source_text, target_text) or (
                    not e.directed and ends == (target_text, source_text))):
                return i
        return None

    def _on_details_activated(self, index: QModelIndex) -> None:
        target = index.data(TARGET_ROLE)
        if target is not None:
            self.open_requested.emit(target)


def _shown_and_laid_out(full: CorpusGraph, entity_labels: set[str], relation_labels: set[str],
                        linked_only: bool, aspect: float) -> tuple[CorpusGraph, dict]:
    """The actors and links that pass the filters, and their positions (plain Python: runs
    on any thread)."""
    shown = full.filtered(entity_labels=entity_labels, relation_labels=relation_labels,
                          connected_only=linked_only)
    return shown, corpus_graph.layout(shown, aspect=aspect)
