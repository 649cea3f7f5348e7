"""The window's frame: menus, toolbar, side panels, the central tabs and the saved layout.

The frame is what the first paint shows. It needs neither the store nor the heavier
widget modules, so `run_gui` shows it at once; `MainWindow.attach` then fills it: each
side panel is added empty and gets its widget with `fill_dock`, each tab's view comes
with `fill_page`.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QMainWindow, QTabWidget, QToolBar, QVBoxLayout, QWidget,
)

from ui.shell.actions import WindowActions
from ui.relations.relation_actions import RelationActions

ORG = APP = "Arcmark"
# the central tabs, in order
DOCUMENT_TAB, GRAPH_TAB, STATS_TAB = 0, 1, 2
TAB_TITLES = ("Document", "Graph", "Statistics")
Dock = Qt.DockWidgetArea
WINDOW_SIZE = "ARCMARK_WINDOW_SIZE"


class WindowFrame(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP)
        self.settings = QSettings(ORG, APP)
        self.default_layout_used = False  # no saved layout: sized by `default_layout`
        self.actions = WindowActions(self)
        self.relation_actions = RelationActions(self)
        self._build_frame()

    def _build_frame(self) -> None:
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("centralTabs")
        self.tabs.setDocumentMode(True)
        for title in TAB_TITLES:
            self.tabs.addTab(_page(self.tabs), title)
        self.setCentralWidget(self.tabs)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks
                            | QMainWindow.DockOption.AllowNestedDocks)
        # the side columns run the full height; the relation table sits under the text
        self.setCorner(Qt.Corner.BottomLeftCorner, Dock.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Dock.RightDockWidgetArea)
        self.document_dock = self.add_dock("documentDock", "Documents", Dock.LeftDockWidgetArea)
        self.entity_dock = self.add_dock("entityDock", "Entities", Dock.RightDockWidgetArea)
        self.palette_dock = self.add_dock("paletteDock", "Labels", Dock.LeftDockWidgetArea)
        self.relation_dock = self.add_dock("relationDock", "Relations", Dock.BottomDockWidgetArea)
        self.inspector_dock = self.add_dock("inspectorDock", "Inspector", Dock.RightDockWidgetArea)
        self.splitDockWidget(self.entity_dock, self.inspector_dock, Qt.Orientation.Vertical)
        self.search_dock = self.add_dock("searchDock", "Search", Dock.LeftDockWidgetArea)
        self.tabifyDockWidget(self.document_dock, self.search_dock)
        self.document_dock.raise_()
        self.docks = (self.document_dock, self.entity_dock, self.palette_dock, self.relation_dock,
                      self.inspector_dock, self.search_dock)
        self.toolbar = QToolBar("Toolbar", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.menus = self.actions.build_menus(self.menuBar(),
                                              [d.toggleViewAction() for d in self.docks])
        self.relation_actions.build_menu(self.menuBar(), self.menus,
                                         list(self.actions.arc_mode_actions.values()))
        self.actions.build_toolbar(self.toolbar)

    def add_dock(self, name: str, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        """Add a side panel, empty until `fill_dock`; its state is remembered with the
        window's layout."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(QWidget(dock))
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def fill_dock(self, dock: QDockWidget, widget: QWidget) -> None:
        """Put a panel's widget in its place."""
        empty = dock.widget()
        dock.setWidget(widget)
        _show_now(widget)
        if empty is not None and empty is not widget:
            empty.deleteLater()

    def fill_page(self, index: int, *widgets: QWidget) -> None:
        """Put widgets in a tab's page, top to bottom; the last one takes the height."""
        page = self.tabs.widget(index)
        layout = page.layout()
        for n, widget in enumerate(widgets):
            layout.addWidget(widget, 1 if n == len(widgets) - 1 else 0)
        if page.isVisible():
            for widget in widgets:
                _show_now(widget)
            # lay the window out now, not after the next event: what the views show next
            # (the text's lines, the graph's extent) depends on their size
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    # --- the layout -------------------------------------------------------------------------------

    def restore_layout(self) -> None:
        """The saved size, position and panel layout, else the default one."""
        geometry, state = self.settings.value("window/geometry"), self.settings.value("window/state")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            if isinstance(state, QByteArray):
                self.restoreState(state)
        else:
            self.default_layout_used = True
            self.default_layout()

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def default_layout(self) -> None:
        screen = QGuiApplication.primaryScreen().availableGeometry()
        width, height = min(1520, int(screen.width() * 0.95)), min(950, int(screen.height() * 0.95))
        width, height = _size_asked(width, height)
        self.resize(width, height)
        self.move(screen.x() + (screen.width() - width) // 2, screen.y() + (screen.height() - height) // 2)
        self.default_panel_sizes(width, height)

    def default_panel_sizes(self, width: int | None = None, height: int | None = None) -> None:
        """The panels in proportion to the window (its present size unless given)."""
        width = self.width() if width is None else width
        height = self.height() if height is None else height
        # the side columns in proportion to the window, the text keeping the most room
        left, right = _clamp(width * 22 // 100, 220, 340), _clamp(width * 30 // 100, 300, 480)
        self.resizeDocks([self.document_dock, self.entity_dock], [left, right],
                         Qt.Orientation.Horizontal)
        bottom = self._docks_in(Dock.BottomDockWidgetArea)
        if bottom:
            self.resizeDocks(bottom, [_clamp(height // 4, 130, 200)] * len(bottom),
                             Qt.Orientation.Vertical)
        # the legend gets the height it needs (at most a third), the document list the rest
        left_docks = self._docks_in(Dock.LeftDockWidgetArea)
        if self.palette_dock in left_docks and len(left_docks) > 1:
            legend = min(self.legend_height(height), height // 3)
            self.resizeDocks(left_docks, [legend if d is self.palette_dock else height - legend
                                          for d in left_docks], Qt.Orientation.Vertical)
        right_docks = self._docks_in(Dock.RightDockWidgetArea)
        if len(right_docks) > 1:  # the entity table first; the inspector shows all its fields
            inspector = _clamp(height * 42 // 100, 240, 320)
            self.resizeDocks(right_docks, [inspector if d is self.inspector_dock
                                           else height - inspector for d in right_docks],
                             Qt.Orientation.Vertical)

    def legend_height(self, window_height: int) -> int:
        """The label legend's height: about half the side until its labels are known."""
        return window_height // 2

    def _docks_in(self, area: Qt.DockWidgetArea) -> list[QDockWidget]:
        return [d for d in self.docks
                if not d.isFloating() and not d.isHidden() and self.dockWidgetArea(d) == area]


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def _size_asked(width: int, height: int) -> tuple[int, int]:
    """`ARCMARK_WINDOW_SIZE=WxH` (screenshots, trying a small screen): the default layout's
    size instead of the screen's."""
    asked = os.environ.get(WINDOW_SIZE, "").lower().split("x")
    if len(asked) == 2 and all(part.strip().isdigit() for part in asked):
        return int(asked[0]), int(asked[1])
    return width, height


def _show_now(widget: QWidget) -> None:
    """Show a widget just put into a shown window, unless it was hidden on purpose (Qt
    would show it only after the next event)."""
    if not (widget.isHidden()
            and widget.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)):
        widget.show()


def _page(parent: QWidget) -> QWidget:
    """A tab's page: its view is put in once it is built."""
    page = QWidget(parent)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    return page
