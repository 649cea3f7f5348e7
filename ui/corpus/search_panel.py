"""The corpus search panel: a query line and the results, one row per match.

`SearchResultModel` is a list model over plain `SearchHit`s (from `annotate.search`);
`HitDelegate` paints each row as the document title over the matched text, with the
match in bold. Activating a row emits `hit_activated(hit)`; the caller opens the
document there.
"""
from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractListModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, QTimer, Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView, QLabel, QLineEdit, QListView, QStyle, QStyledItemDelegate,
    QStyleOptionViewItem, QVBoxLayout, QWidget,
)

from annotate.search import MARK_END, MARK_START, SearchHit, SearchResults

Index = QModelIndex | QPersistentModelIndex
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
HTML_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_TEXT = {"text": "text", "entity": "entity", "relation": "relation"}
MATCH_COLOUR = "#fff0a8"


class SearchResultModel(QAbstractListModel):
    """Rows are hits in result order; the first hit of a document carries its title."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._titles: dict[int, str] = {}
        self._first: set[int] = set()  # rows that start a document

    def set_results(self, results: SearchResults | None) -> None:
        self.beginResetModel()
        self._hits, self._titles, self._first = [], {}, set()
        for doc in results.documents if results is not None else ():
            self._titles[doc.doc_id] = doc.title
            self._first.add(len(self._hits))
            self._hits.extend(doc.hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        hit = self.hit(index.row()) if index.isValid() else None
        if hit is None:
            return None
        title = self._titles.get(hit.doc_id, "")
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{title}: {_plain(hit.summary)}"
        if role == HIT_ROLE:
            return hit
        if role == HTML_ROLE:
            return hit_html(hit, title if index.row() in self._first else None)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{title}\n{_where(hit)}: {_plain(hit.summary)}"
        return None


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "").replace("\n", " ")


def _where(hit: SearchHit) -> str:
    return KIND_TEXT.get(hit.kind, hit.kind) + (f" · {hit.label}" if hit.label else "")


def hit_html(hit: SearchHit, title: str | None) -> str:
    """The row as rich text: the document title (first hit of a document only), what
    kind of match, and the matched text with the match in bold on yellow. Document
    text is escaped: it is never interpreted as HTML."""
    body = html.escape(hit.summary.replace("\n", " "), quote=False)
    body = body.replace(MARK_START, f"<b style='background:{MATCH_COLOUR}'>")
    body = body.replace(MARK_END, "</b>")
    if hit.kind == "entity":
        body = f"<b style='background:{MATCH_COLOUR}'>{body}</b>" if MARK_START not in \
            hit.summary else body
    where = f"<span style='color:#6b7280'>{html.escape(_where(hit))}</span>"
    head = f"<div style='font-weight:600'>{html.escape(title)}</div>" if title else ""
    return f"{head}<div>{where}&nbsp; {body}</div>"


class HitDelegate(QStyledItemDelegate):
    """Paints a row's rich text (title, kind, highlighted match), wrapped to the width."""

    def _document(self, option: QStyleOptionViewItem, index: Index) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(4)
        doc.setHtml(str(index.data(HTML_ROLE) or ""))
        doc.setTextWidth(max(option.rect.width(), 120))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index)
        painter.save()
        painter.translate(option.rect.topLeft())
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(QPalette.ColorRole.Text,
                                     option.palette.color(QPalette.ColorRole.HighlightedText))
        else:
            context.palette.setColor(QPalette.ColorRole.Text, QColor("#1f2328"))
        context.clip = QRectF(0, 0, option.rect.width(), option.rect.height())
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        width = option.rect.width() if option.rect.width() > 0 else 320
        opt = QStyleOptionViewItem(option)
        opt.rect.setWidth(width)
        doc = self._document(opt, index)
        return QSize(width, int(doc.size().height()) + 2)


class SearchPanel(QWidget):
    """Query line, result count and the results.

    `query_changed(str)` after the user pauses typing (or presses Enter);
    `hit_activated(object)` with the `SearchHit` the user clicked or pressed Enter on."""

    query_changed = Signal(str)
    hit_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.edit = QLineEdit(self)
        self.edit.setObjectName("searchEdit")
        self.edit.setPlaceholderText("Search text, entities, relations…  e.g. Turkey S-400")
        self.edit.setClearButtonEnabled(True)
        self.edit.setToolTip("All words must match (any case, any accents, word endings "
                             "ignored).\n\"quoted phrase\", OR, NOT, prefix* also work.\n"
                             "Entity labels (GPE) and relation labels (ALLY_OF) and notes are "
                             "searched too.")
        self.summary = QLabel(self)
        self.summary.setObjectName("searchSummary")
        self.summary.setWordWrap(True)
        self.model = SearchResultModel(self)
        self.results = QListView(self)
        self.results.setObjectName("searchResults")
        self.results.setModel(self.model)
        self.results.setItemDelegate(HitDelegate(self.results))
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setResizeMode(QListView.ResizeMode.Adjust)
        self.results.setUniformItemSizes(False)
        self.results.setAlternatingRowColors(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.edit)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        self._connect()

    def _connect(self) -> None:
        self.edit.textChanged.connect(lambda _text: self._debounce.start())
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self._debounce.timeout.connect(lambda: self.query_changed.emit(self.query_text()))
        self.results.activated.connect(self._on_results_activated)
        self.results.clicked.connect(self._on_results_activated)

    def query_text(self) -> str:
        return self.edit.text().strip()

    def focus_query(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def show_results(self, results: SearchResults | None, error: str = "") -> None:
        self.model.set_results(results)
        if error:
            self.summary.setText(error)
        elif results is None or not results.fts:
            self.summary.setText("")
        else:
            docs = len(results.documents)
            more = " (showing the best)" if results.truncated else ""
            self.summary.setText(f"{results.hit_count} match{'es' * (results.hit_count != 1)} in "
                                 f"{docs} document{'s' * (docs != 1)}{more}")
        if self.model.rowCount():
            self.results.setCurrentIndex(self.model.index(0))

    def hits(self) -> Sequence[SearchHit]:
        return self.model.hits()

    def _on_edit_return_pressed(self) -> None:
        self._debounce.stop()
        self.query_changed.emit(self.query_text())
        if self.model.rowCount():
            self.results.setFocus()

    def _on_results_activated(self, index: QModelIndex) -> None:
        hit = index.data(HIT_ROLE)
        if hit is not None:
            self.hit_activated.emit(hit)
