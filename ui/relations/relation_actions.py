"""The Relation menu's actions and where they sit in the window's menus.

They are built with the window's frame, before the store is open, so the menu bar
is complete in the first frame; `RelationUi` connects them once the store is open.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

if TYPE_CHECKING:
    from ui.shell.main_window import MainWindow

LOCAL = Qt.ShortcutContext.WidgetWithChildrenShortcut


class RelationActions(QObject):
    """The Relation menu's actions. Single keys act only in the text and the tables."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.new_relation = self._make("&New Relation from Marked Entities…", ["Ctrl+E"],
                                       "Pick the label for the marked head and tail")
        self.mark_head = self._make("Mark as &Head", ["["], "Mark the selected entity as the "
                                    "head of a new relation ([)", local=True)
        self.mark_tail = self._make("Mark as &Tail", ["]"], "Mark the selected entity as the "
                                    "tail and pick the label (])", local=True)
        self.cancel = self._make("&Cancel New Relation", ["Esc"], "Forget the marked head and "
                                 "tail (Esc)", local=True)
        self.delete = self._make("&Delete Relation", ["Ctrl+Del"], "Delete the selected relation")
        # Del in the relation table, and in the text while an arc (not an entity) is selected
        self.delete_key = self._make("Delete Relation", ["Del", "Backspace"], local=True)
        self.swap = self._make("&Swap Direction", ["Ctrl+Shift+E"],
                               "Swap head and tail of the selected relation")
        self.open_example = self._make("Open the &Worked Example", tip=(
            "Open the sample article fully annotated, in a window of its own; your corpus is "
            "not touched"))

    def _make(self, text: str, keys: Iterable[str] = (), tip: str = "", *,
              local: bool = False) -> QAction:
        action = QAction(text, self.window)
        keys = [QKeySequence(k) for k in keys]
        if keys:
            action.setShortcuts(keys)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if local:
            action.setShortcutContext(LOCAL)
        else:
            self.window.addAction(action)
        return action

    def shortcut_rows(self, schema) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        """(what, keys) for the shortcuts dialog: the Relation menu and the label keys."""
        native = QKeySequence.SequenceFormat.NativeText
        rows = [(a.text().replace("&", "").rstrip("…"),
                 ", ".join(k.toString(native) for k in a.shortcuts()))
                for a in (self.mark_head, self.mark_tail, self.new_relation, self.cancel,
                          self.swap, self.delete)]
        rows += [(f"Relation {label.name} (in the label menu)", label.key)
                 for label in schema.relation_labels if label.key]
        return rows

    def bind(self, view: QWidget, entity_table: QWidget, relation_table: QWidget) -> None:
        for widget in (view, entity_table):
            widget.addActions([self.mark_head, self.mark_tail, self.cancel])
        view.addAction(self.delete_key)
        relation_table.addAction(self.delete_key)

    def build_menu(self, window: MainWindow) -> QMenu:
        menu = QMenu("&Relation", window)
        menu.setObjectName("relationMenu")
        menu.addActions([self.mark_head, self.mark_tail, self.new_relation, self.cancel])
        menu.addSeparator()
        menu.addActions([self.swap, self.delete])
        menu.addSeparator()
        arcs = menu.addMenu("&Arc Display")
        arcs.addActions(list(window.actions.arc_mode_actions.values()))
        bar, menus = window.menuBar(), window.menus
        before = menus.get("document") or menus.get("view")
        if before is not None:
            bar.insertMenu(before.menuAction(), menu)
        else:
            bar.addMenu(menu)
        help_menu = menus.get("help")
        if help_menu is not None:
            first = help_menu.actions()[0] if help_menu.actions() else None
            help_menu.insertAction(first, self.open_example)
            help_menu.insertSeparator(first)
        menus["relation"] = menu
        return menu
