"""The entity graph: actors as discs, relations as lines, drawn in a QGraphicsScene.

`GraphScene.set_graph` takes plain data (a `CorpusGraph`, positions from
`annotate.corpus_graph.layout`, label colours) and builds one item per node and edge.
Discs are sized by mentions and coloured by entity label; edges are coloured by relation
label, as thick as the number of relations behind them, with an arrow head where the
label is directed; parallel edges between two actors bend apart. Names and edge labels
are painted only when they are large enough on screen to read (and always for the
best-known actors), so a thousand nodes stay quick to paint.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF, QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractGraphicsShapeItem, QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem,
    QGraphicsPolygonItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QWidget,
)

from annotate.corpus_graph import ActorEdge, ActorNode, CorpusGraph

UNIT, MIN_UNIT, MAX_UNIT = 110.0, 60.0, 170.0  # scene pixels per layout unit
ALWAYS_NAMED = 40  # the best-known actors keep their name at any zoom
NODE_Z, EDGE_Z, SELECTED_Z = 2.0, 1.0, 4.0
SELECTED = QColor("#1d4ed8")
READABLE_ZOOM, MAX_TEXT_SCALE = 0.9, 2.5  # text keeps about 90% of its size down to 36% zoom


NAME_PX = 170  # names longer than this are shortened on their plate


def node_radius(mentions: int) -> float:
    return min(9.0 + 4.5 * math.sqrt(max(mentions, 1)), 46.0)


def edge_width(count: int) -> float:
    return 1.2 + 1.8 * math.log2(1 + count)


def readable_scale(lod: float) -> float:
    """How much to enlarge text drawn at zoom `lod` so it stays readable when zoomed out."""
    return min(max(1.0, READABLE_ZOOM / max(lod, 1e-6)), MAX_TEXT_SCALE)


def lod_of(transform: QTransform) -> float:
    """The level of detail (zoom) a view's transform draws at, as Qt's items see it."""
    return math.sqrt(abs(transform.m11() * transform.m22() - transform.m12() * transform.m21()))


class _Unhit:
    """Mixin for the parts an item is drawn with (disc, curve, arrow head, name plate):
    never hit by the mouse, so clicks, hovers, tooltips and `itemAt` find the item
    itself. Only hit tests ask for the shape; painting never calls into Python."""

    def shape(self) -> QPainterPath:
        return QPainterPath()


class _Curve(_Unhit, QGraphicsPathItem):
    pass


class _Polygon(_Unhit, QGraphicsPolygonItem):
    pass


class _Disc(_Unhit, QGraphicsEllipseItem):
    pass


class _Text(_Unhit, QGraphicsSimpleTextItem):
    pass


def _part(part: QAbstractGraphicsShapeItem | QGraphicsSimpleTextItem, parent: QGraphicsItem
          ) -> None:
    part.setParentItem(parent)
    part.setAcceptedMouseButtons(Qt.MouseButton.NoButton)


def _plate(parent: QGraphicsItem, rect: QRectF, radius: float, fill: QColor, border: QPen,
           text: str, font: QFont, ink: QColor) -> _Curve:
    """A rounded plate with `text` centred on it: a name, or an edge's label."""
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    plate = _Curve(path)
    plate.setBrush(fill)
    plate.setPen(border)
    _part(plate, parent)
    words = _Text(text)
    words.setFont(font)
    words.setBrush(ink)
    _part(words, plate)
    size = words.boundingRect()
    words.setPos(rect.center().x() - size.width() / 2, rect.center().y() - size.height() / 2)
    return plate


class _ZoomText:
    """Mixin for an item with a text shown at some zooms only (an actor's name, an edge's
    label): made the first time it is due, then shown, hidden and scaled (to stay legible
    zoomed out) as the zoom changes, and shown while the item is selected or under the
    pointer. Subclasses say when it is due (`text_due`), make it (`_make_text`) and
    restyle themselves when selected (`_selection_changed`)."""

    hovered = False
    _label: _Curve | None = None

    def text_due(self, lod: float) -> bool:
        raise NotImplementedError

    def _make_text(self) -> _Curve:
        raise NotImplementedError

    def _selection_changed(self, selected: bool) -> None:
        raise NotImplementedError

    def show_text(self, lod: float, make: bool = True) -> bool:
        """Show or hide the text for zoom `lod`; without `make`, a text not made yet is
        left for when the item comes into view. Whether it is so left."""
        shown = self.text_due(lod)
        if shown and self._label is None:
            if not make:
                return True
            self._label = self._make_text()
        if self._label is not None:
            self._label.setVisible(shown)
            if shown:
                self._label.setScale(readable_scale(lod))
        return False

    def itemChange(self, change, value):  # noqa: N802 (Qt override)
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._selection_changed(bool(value))
            self.show_text(_zoom(self))  # type: ignore[arg-type]
        return super().itemChange(change, value)  # type: ignore[misc]

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.hovered = True
        self.show_text(_zoom(self))  # type: ignore[arg-type]

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.hovered = False
        self.show_text(_zoom(self))  # type: ignore[arg-type]


class NodeItem(_ZoomText, QGraphicsEllipseItem):
    """An actor: a disc (the item's own ellipse is only where it is hit; the disc and its
    name are parts drawn by Qt, so a thousand actors repaint without a Python call each).
    The name shows when it is large enough to read and clear of other discs, when the
    actor is selected or under the pointer, and always for the best-known actors."""

    def __init__(self, node: ActorNode, colour: str, named: bool, font: QFont,
                 unit: float = UNIT) -> None:
        self.radius = node_radius(node.mentions) * max(min(unit / UNIT, 1.0), 0.75)
        hit = self.radius + 2
        super().__init__(-hit, -hit, 2 * hit, 2 * hit)
        self.node = node
        self.colour = QColor(colour)
        self.named = named
        self.font = font
        self.setPen(Qt.PenStyle.NoPen)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(NODE_Z + (1 if named else 0))
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        also = [a for a in node.aliases if a != node.text][:6]
        self.setToolTip(f"{node.text} ({node.label})\n{node.mentions} mention"
                        f"{'s' * (node.mentions != 1)} in {len(node.documents)} document"
                        f"{'s' * (len(node.documents) != 1)}"
                        + (f"\nalso: {', '.join(also)}" if also else ""))
        metrics = QFontMetricsF(font)
        # a long name is shortened on the plate (the tooltip has it whole)
        self.name = metrics.elidedText(node.text, Qt.TextElideMode.ElideRight, NAME_PX)
        self.label_width = metrics.horizontalAdvance(self.name)
        self.label_height = metrics.height()
        self.crowded = False  # its name would cover another disc: shown on hover or zoom
        r = self.radius
        self.disc = _Disc(-r, -r, 2 * r, 2 * r)
        self.disc.setBrush(QBrush(self.colour))
        _part(self.disc, self)
        self._selection_changed(False)

    def text_due(self, lod: float) -> bool:
        readable = self.named or lod * self.radius > 11 or lod > 1.4
        return (self.isSelected() or self.hovered or (readable and not self.crowded)
                or lod > 2.5)

    def _make_text(self) -> _Curve:
        rect = QRectF(-self.label_width / 2 - 3, 0, self.label_width + 6, self.label_height)
        name = _plate(self, rect, 3, QColor(255, 255, 255, 215), QPen(Qt.PenStyle.NoPen),
                      self.name, self.font, QColor("#111827"))
        name.setPos(0, self.radius + 3)
        return name

    def _selection_changed(self, selected: bool) -> None:
        self.disc.setPen(QPen(SELECTED if selected else self.colour.darker(160),
                              3.0 if selected else 1.2))

    def name_rect(self) -> QRectF:
        """Where the name's plate sits, unscaled, in scene coordinates."""
        return QRectF(self.pos().x() - self.label_width / 2 - 3, self.pos().y() + self.radius + 3,
                      self.label_width + 6, self.label_height)


class EdgeItem(_ZoomText, QGraphicsPathItem):
    """A line (or a bent curve, for parallel edges) from one disc's rim to the other's.

    The item's own path, with a wide pen, is only where it is hit (never painted): the
    curve, its arrow head and its label are parts drawn by Qt. The label shows on small
    graphs when zoomed in enough, on any graph when zoomed in further, and when the edge
    is selected or under the pointer."""

    def __init__(self, edge: ActorEdge, source: NodeItem, target: NodeItem, colour: str,
                 bend: float, font: QFont, show_label: bool) -> None:
        super().__init__()
        self.edge = edge
        self.colour = QColor(colour)
        self.width = edge_width(edge.count)
        self.font = font
        self.show_label = show_label
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)  # a hovered edge shows its label
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.text = f"{edge.label} ×{edge.count}" if edge.count > 1 else edge.label
        self._geometry(source, target, bend)
        self.setPath(self.path)
        self.setPen(QPen(Qt.GlobalColor.transparent, max(self.width + 6, 9)))  # hit area
        self.curve = _Curve(self.path)
        _part(self.curve, self)
        self.arrow: _Polygon | None = None
        if edge.directed:
            self.arrow = _Polygon(self._arrow_head())
            self.arrow.setPen(QPen(Qt.PenStyle.NoPen))
            _part(self.arrow, self)
        self._selection_changed(False)
        arrow = "→" if edge.directed else "—"
        self.setToolTip(f"{source.node.text} {arrow} {target.node.text}\n{edge.label}: "
                        f"{edge.count} relation{'s' * (edge.count != 1)} in "
                        f"{len(edge.documents)} document{'s' * (len(edge.documents) != 1)}")

    def _geometry(self, source: NodeItem, target: NodeItem, bend: float) -> None:
        a, b = source.pos(), target.pos()
        line = QLineF(a, b)
        length = max(line.length(), 1e-6)
        normal = QPointF(-(b.y() - a.y()) / length, (b.x() - a.x()) / length)
        control = (a + b) / 2 + normal * bend
        start = _towards(a, control, source.radius + 1)
        end = _towards(b, control, target.radius + (4 if self.edge.directed else 1))
        self.path = QPainterPath(start)
        self.path.quadTo(control, end)
        self.mid = self.path.pointAtPercent(0.5)
        self.end, self.end_angle = end, math.atan2(end.y() - control.y(), end.x() - control.x())

    def _arrow_head(self) -> QPolygonF:
        size = 7 + self.width * 1.6
        tip, angle = self.end, self.end_angle
        left = tip - QPointF(math.cos(angle - 0.45), math.sin(angle - 0.45)) * size
        right = tip - QPointF(math.cos(angle + 0.45), math.sin(angle + 0.45)) * size
        return QPolygonF([tip, left, right])

    def _selection_changed(self, selected: bool) -> None:
        self.setZValue(SELECTED_Z if selected else EDGE_Z)  # its label above the discs
        colour = SELECTED if selected else self.colour
        pen = QPen(colour, self.width + (1.5 if selected else 0))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.curve.setPen(pen)
        if self.arrow is not None:
            self.arrow.setBrush(colour)
        if self._label is not None:  # its colours follow the edge's
            self._label.setPen(QPen(colour, 1))
            for words in self._label.childItems():
                words.setBrush(colour.darker(140))  # type: ignore[attr-defined]

    def place_label(self, point: QPointF) -> None:
        """Where the label sits (its middle), on the curve."""
        self.mid = point
        if self._label is not None:
            self._label.setPos(point)

    def text_due(self, lod: float) -> bool:
        return (self.isSelected() or self.hovered or (self.show_label and lod > 0.95)
                or lod > 1.6)

    def _make_text(self) -> _Curve:
        colour = SELECTED if self.isSelected() else self.colour
        metrics = QFontMetricsF(self.font)
        w, h = metrics.horizontalAdvance(self.text) + 8, metrics.height() + 2
        label = _plate(self, QRectF(-w / 2, -h / 2, w, h), 4, QColor(255, 255, 255, 235),
                       QPen(colour, 1), self.text, self.font, colour.darker(140))
        label.setPos(self.mid)
        return label


def _zoom(item: QGraphicsItem) -> float:
    """The zoom the item's scene is shown at (1 outside a GraphScene)."""
    scene = item.scene()
    return scene.zoom if isinstance(scene, GraphScene) else 1.0


def _towards(centre: QPointF, towards: QPointF, distance: float) -> QPointF:
    line = QLineF(centre, towards)
    if line.length() < 1e-6:
        return centre
    line.setLength(distance)
    return line.p2()


class GraphScene(QGraphicsScene):
    """The items of one graph; `node_items` / `edge_items` by node id / edge index."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: list[EdgeItem] = []
        self.graph = CorpusGraph()
        self.zoom = 1.0  # the level of detail the view draws at (see `set_zoom`)
        self._unmade: list[NodeItem | EdgeItem] = []  # names and labels due out of view

    def set_zoom(self, lod: float, area: QRectF | None = None) -> None:
        """The view zoomed to `lod`: names and edge labels shown or hidden, and scaled, for
        it (once per zoom, not at every paint). Given the `area` in view, the names and
        labels not made yet are made only there (1,500 edge labels made at once stall the
        window a tenth of a second): `reveal` makes the others as they come into view."""
        self.zoom = lod
        make = area is None
        items: list[NodeItem | EdgeItem] = [*self.node_items.values(), *self.edge_items]
        self._unmade = [item for item in items if item.show_text(lod, make)]
        if area is not None:
            self.reveal(area)

    def reveal(self, area: QRectF) -> None:
        """Make the names and labels due at this zoom of the actors and edges in `area`."""
        if not self._unmade:
            return
        left: list[NodeItem | EdgeItem] = []
        for item in self._unmade:
            if area.intersects(item.sceneBoundingRect()):
                item.show_text(self.zoom)
            else:
                left.append(item)
        self._unmade = left

    def set_graph(self, graph: CorpusGraph, positions: dict[str, tuple[float, float]],
                  node_colours: dict[str, str], edge_colours: dict[str, str],
                  font: QFont, unit: float = UNIT) -> None:
        """Draw `graph` with layout `positions` (in units of `unit` scene pixels)."""
        for _ in self.draw_in_steps(graph, positions, node_colours, edge_colours, font, unit):
            pass

    def draw_in_steps(self, graph: CorpusGraph, positions: dict[str, tuple[float, float]],
                      node_colours: dict[str, str], edge_colours: dict[str, str],
                      font: QFont, unit: float = UNIT, step: int = 10**9) -> Iterator[None]:
        """`set_graph` a few items at a time: each `next()` adds up to `step` items, so the
        event loop runs between them while a large graph is drawn."""
        self.clear()
        self._unmade = []
        self.graph = graph
        self.node_items, self.edge_items = {}, []
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() - 1.5, 7.0))
        named = {n.id for n in sorted(graph.nodes, key=lambda n: -n.mentions)[:ALWAYS_NAMED]}
        for i, node in enumerate(graph.nodes, 1):
            item = NodeItem(node, node_colours.get(node.label, "#cccccc"), node.id in named, font,
                            unit)
            x, y = positions.get(node.id, (0.0, 0.0))
            item.setPos(x * unit, y * unit)
            self.addItem(item)
            self.node_items[node.id] = item
            if i % step == 0:
                yield
        show_labels = len(graph.edges) <= 150
        for i, (edge, bend) in enumerate(zip(graph.edges, _bends(graph.edges), strict=True), 1):
            item = EdgeItem(edge, self.node_items[edge.source], self.node_items[edge.target],
                            edge_colours.get(edge.label, "#6b7280"), bend, small, show_labels)
            self.addItem(item)
            self.edge_items.append(item)
            if i % step == 0:
                yield
        yield from self._settle_names(step)
        if show_labels:  # edge labels are drawn for small graphs only
            self._place_edge_labels()
        self.setSceneRect(self._drawing_rect())
        self.set_zoom(self.zoom)

    def _settle_names(self, step: int = 10**9) -> Iterator[None]:
        """A name whose plate would cover another disc is drawn only on hover or zoom
        (a pass over every pair: the event loop runs after each `step` names)."""
        nodes = list(self.node_items.values())
        discs = [QRectF(o.pos().x() - o.radius, o.pos().y() - o.radius, 2 * o.radius,
                        2 * o.radius) for o in nodes]
        for i, item in enumerate(nodes, 1):
            plate = item.name_rect()  # as drawn zoomed out: a little larger
            plate.adjust(-plate.width() / 8, 0, plate.width() / 8, plate.height() / 4)
            item.crowded = any(other is not item and plate.intersects(disc)
                               for other, disc in zip(nodes, discs))
            if i % max(1, step // 4) == 0:  # a name costs a pass over all the discs
                yield

    def _place_edge_labels(self) -> None:
        """Move each edge's label along its curve to the first place clear of every disc
        and of the labels already placed (the middle if there is none)."""
        discs = [QRectF(n.pos().x() - n.radius - 3, n.pos().y() - n.radius - 3,
                        2 * n.radius + 6, 2 * n.radius + n.label_height + 10)
                 for n in self.node_items.values()]
        placed: list[QRectF] = []
        for item in self.edge_items:
            metrics = QFontMetricsF(item.font)
            w, h = metrics.horizontalAdvance(item.text) + 8, metrics.height() + 2
            for t in (0.5, 0.38, 0.62, 0.27, 0.73, 0.18, 0.82):
                point = item.path.pointAtPercent(t)
                rect = QRectF(point.x() - w / 2, point.y() - h / 2, w, h)
                if not any(rect.intersects(r) for r in discs + placed):
                    item.place_label(point)
                    placed.append(rect)
                    break

    def _drawing_rect(self) -> QRectF:
        """Where the discs are, with room for names (item bounds also cover text enlarged
        for zooming out, which would make fitting zoom out too far)."""
        if not self.node_items:
            return QRectF(0, 0, 400, 300)
        rect = QRectF()
        for item in self.node_items.values():
            r, half = item.radius, max(item.radius, item.label_width / 2 + 6)
            rect = rect.united(QRectF(item.pos().x() - half, item.pos().y() - r, 2 * half,
                                      2 * r + item.label_height + 6))
        return rect.adjusted(-20, -20, 20, 20)


def _bends(edges: tuple[ActorEdge, ...]) -> list[float]:
    """How far each edge bows out: 0 for a lone edge, ±28 px steps for parallel ones."""
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, e in enumerate(edges):
        groups[frozenset((e.source, e.target))].append(i)
    bends = [0.0] * len(edges)
    for members in groups.values():
        n = len(members)
        for k, i in enumerate(members):
            offset = (k - (n - 1) / 2) * 28.0
            e = edges[i]
            # the normal flips with direction: keep bends of opposite edges apart
            bends[i] = offset if int(e.source[1:]) < int(e.target[1:]) else -offset
    return bends


def unit_for(positions: dict[str, tuple[float, float]], width: int, height: int) -> float:
    """Scene pixels per layout unit so the drawing fits `width` × `height` at zoom 1,
    within limits that keep discs apart (small graphs) and the scene sane (large ones)."""
    if not positions:
        return UNIT
    xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
    span_x, span_y = max(xs) - min(xs) + 1.2, max(ys) - min(ys) + 1.2
    return max(MIN_UNIT, min(MAX_UNIT, (width - 60) / span_x, (height - 60) / span_y))


class GraphView(QGraphicsView):
    """Pan by dragging, zoom with the wheel (around the pointer), click to pick.

    `node_clicked(str)` with a node id; `edge_clicked(int)` with an edge's index in the
    scene's graph; `cleared()` when the click hit nothing."""

    node_clicked = Signal(str)
    edge_clicked = Signal(int)
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphView")
        self.graph_scene = GraphScene(self)
        self.setScene(self.graph_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QColor("#fbfbfa"))
        self.legend: list[tuple[str, str, bool]] = []
        self.node_legend: list[tuple[str, str]] = []  # entity labels of the discs shown
        self.empty_text = ""  # why nothing is drawn, and what to do
        self._auto_fit = True  # follow size changes until the user zooms
        self.graph_scene.selectionChanged.connect(self._on_scene_selection_changed)

    def set_legend(self, entries: list[tuple[str, str, bool]]) -> None:
        """Relation labels shown in the corner: (label, colour, directed)."""
        self.legend = entries
        self.viewport().update()

    def set_node_legend(self, entries: list[tuple[str, str]]) -> None:
        """Entity labels shown in the lower left corner: (label, colour)."""
        self.node_legend = entries
        self.viewport().update()

    def set_empty_text(self, text: str) -> None:
        self.empty_text = text
        self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        painter.save()
        painter.resetTransform()  # viewport coordinates: messages and legends do not zoom
        if self.empty_text:
            self._draw_empty_text(painter)
        if self.node_legend:
            self._draw_node_legend(painter)
        painter.restore()
        if not self.legend:
            return
        painter.save()
        painter.resetTransform()  # viewport coordinates: the legend does not zoom
        metrics = QFontMetricsF(self.font())
        line = metrics.height() + 3
        width = max(metrics.horizontalAdvance(name) for name, _, _ in self.legend) + 46
        height = line * len(self.legend) + 10
        viewport = self.viewport().rect()
        box = QRectF(viewport.right() - width - 8, viewport.bottom() - height - 8, width, height)
        painter.setPen(QPen(QColor("#d1d5db"), 1))
        painter.setBrush(QColor(255, 255, 255, 225))
        painter.drawRoundedRect(box, 5, 5)
        painter.setFont(self.font())
        for i, (name, colour, directed) in enumerate(self.legend):
            y = box.top() + 5 + i * line + line / 2
            painter.setPen(QPen(QColor(colour), 3))
            painter.drawLine(QPointF(box.left() + 8, y), QPointF(box.left() + 30, y))
            if directed:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(colour))
                painter.drawPolygon(QPolygonF([QPointF(box.left() + 34, y),
                                               QPointF(box.left() + 27, y - 4),
                                               QPointF(box.left() + 27, y + 4)]))
            painter.setPen(QColor("#1f2937"))
            painter.drawText(QRectF(box.left() + 38, y - line / 2, width, line),
                             Qt.AlignmentFlag.AlignVCenter, name)
        painter.restore()

    def _legend_widths(self) -> tuple[float, float]:
        """The pixels the node legend (left) and the relation legend (right) take."""
        metrics = QFontMetricsF(self.font())
        left = (max(metrics.horizontalAdvance(n) for n, _ in self.node_legend) + 50
                if self.node_legend else 0.0)
        right = (max(metrics.horizontalAdvance(n) for n, _, _ in self.legend) + 62
                 if self.legend else 0.0)
        return left, right

    def _draw_empty_text(self, painter: QPainter) -> None:
        """The reason in the middle; above the discs on a plate when there are some."""
        align = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        area = QRectF(self.viewport().rect()).adjusted(40, 12, -40, -12)
        painter.setFont(self.font())
        needed = painter.boundingRect(area, align, self.empty_text)
        if self.graph_scene.node_items:
            box = QRectF(area.left(), area.top(), area.width(), needed.height() + 12)
            painter.setPen(QPen(QColor("#d1d5db"), 1))
            painter.setBrush(QColor(255, 255, 255, 235))
            painter.drawRoundedRect(box, 5, 5)
        else:
            box = QRectF(area.left(), area.center().y() - needed.height() / 2, area.width(),
                         needed.height() + 12)
        painter.setPen(QColor("#374151"))
        painter.drawText(box.adjusted(8, 6, -8, -6), align, self.empty_text)

    def _draw_node_legend(self, painter: QPainter) -> None:
        metrics = QFontMetricsF(self.font())
        line = metrics.height() + 3
        width = max(metrics.horizontalAdvance(name) for name, _ in self.node_legend) + 34
        height = line * len(self.node_legend) + 10
        viewport = self.viewport().rect()
        box = QRectF(viewport.left() + 8, viewport.bottom() - height - 8, width, height)
        painter.setPen(QPen(QColor("#d1d5db"), 1))
        painter.setBrush(QColor(255, 255, 255, 225))
        painter.drawRoundedRect(box, 5, 5)
        painter.setFont(self.font())
        for i, (name, colour) in enumerate(self.node_legend):
            y = box.top() + 5 + i * line + line / 2
            painter.setPen(QPen(QColor(colour).darker(160), 1.2))
            painter.setBrush(QColor(colour))
            painter.drawEllipse(QPointF(box.left() + 16, y), 6, 6)
            painter.setPen(QColor("#1f2937"))
            painter.drawText(QRectF(box.left() + 28, y - line / 2, width, line),
                             Qt.AlignmentFlag.AlignVCenter, name)

    def fit(self) -> None:
        """The whole drawing in view, clear of the legends in the lower corners."""
        self._auto_fit = True
        rect = self.graph_scene.sceneRect()
        if rect.isValid():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            left, right = self._legend_widths()
            scale = self.transform().m11()
            if (left or right) and scale > 0:
                self.fitInView(rect.adjusted(-left / scale, 0, right / scale, 0),
                               Qt.AspectRatioMode.KeepAspectRatio)
            if self.transform().m11() > 1.6:  # a tiny graph: do not blow it up
                self.resetTransform()
                self.scale(1.6, 1.6)
                self.centerOn(rect.center())
        self.graph_scene.set_zoom(lod_of(self.transform()), self.visible_area())

    def visible_area(self) -> QRectF:
        """The part of the scene in view."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 (Qt override)
        super().scrollContentsBy(dx, dy)
        if math.isclose(lod_of(self.transform()), self.graph_scene.zoom):  # not mid-zoom
            self.graph_scene.reveal(self.visible_area())  # what comes into view: its labels

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        self._auto_fit = False
        factor = 1.0015 ** event.angleDelta().y()
        scale = self.transform().m11() * factor
        if 0.05 < scale < 8:
            self.scale(factor, factor)
            self.graph_scene.set_zoom(lod_of(self.transform()), self.visible_area())
        event.accept()

    def select_node(self, node_id: str) -> None:
        item = self.graph_scene.node_items.get(node_id)
        if item is not None:
            self.graph_scene.clearSelection()
            item.setSelected(True)
            self.ensureVisible(item)

    def select_edge(self, index: int) -> None:
        if 0 <= index < len(self.graph_scene.edge_items):
            self.graph_scene.clearSelection()
            item = self.graph_scene.edge_items[index]
            item.setSelected(True)
            self.ensureVisible(item.mid.x() - 40, item.mid.y() - 20, 80, 40)

    def _on_scene_selection_changed(self) -> None:
        selected = self.graph_scene.selectedItems()
        if not selected:
            self.cleared.emit()
            return
        item = selected[0]
        if isinstance(item, NodeItem):
            self.node_clicked.emit(item.node.id)
        elif isinstance(item, EdgeItem):
            self.edge_clicked.emit(self.graph_scene.edge_items.index(item))
