"""Help → Keyboard Shortcuts (F1): every command of the window, read from its actions.

The rows are built from the window's actions themselves (the menu bar, depth first,
then the actions only keys reach), so the list cannot drift from what the keys do.
A search box filters them by name, keys or description.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QLineEdit, QMainWindow, QMenu, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

NATIVE = QKeySequence.SequenceFormat.NativeText
# where a key acts, by the object name of the widgets a local action is added to
PLACES = {"documentView": "text", "entityTable": "entity table",
          "relationTable": "relation table", "relationInspector": "inspector"}


@dataclass(frozen=True)
class CommandRow:
    name: str  # the menu path, e.g. "Entity › Accept"
    keys: str  # every binding, as the platform writes it
    where: str  # "window", or the panels a single key acts in
    tip: str
    action: QAction | None = None

    def matches(self, words: str) -> bool:
        text = f"{self.name} {self.keys} {self.where} {self.tip}".lower()
        return all(word in text for word in words.lower().split())


def plain(text: str) -> str:
    """A menu text without its mnemonic marks and ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def window_actions(window: QMainWindow) -> list[tuple[str, QAction]]:
    """(menu path, action) for every action of the window: the menu bar's first, then
    those only keys reach (the local Del of the tables, for instance)."""
    found: dict[QAction, str] = {}

    def walk(menu: QMenu, path: list[str]) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            name = path + [plain(action.text())]
            if action.menu() is not None:
                walk(action.menu(), name)
            elif plain(action.text()):
                found.setdefault(action, " › ".join(name))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), [plain(top.text())])
    for action in window.findChildren(QAction, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if action not in found and action.shortcuts() and plain(action.text()):
            found[action] = plain(action.text())
    return [(path, action) for action, path in found.items()]


def _where(action: QAction) -> str:
    if action.shortcutContext() in (Qt.ShortcutContext.WindowShortcut,
                                    Qt.ShortcutContext.ApplicationShortcut):
        return "window"
    places = [PLACES.get(w.objectName(), w.objectName()) for w in action.associatedObjects()
              if isinstance(w, QWidget) and not isinstance(w, QMenu) and w.objectName()]
    return ", ".join(dict.fromkeys(places)) or "window"


def command_rows(window: QMainWindow, extra: Sequence[CommandRow] = ()) -> list[CommandRow]:
    rows = [CommandRow(path, ", ".join(k.toString(NATIVE) for k in action.shortcuts()),
                       _where(action), action.statusTip() or action.toolTip(), action)
            for path, action in window_actions(window)]
    return rows + list(extra)


def show_shortcuts(parent: QWidget, rows: Sequence[CommandRow]) -> QDialog:
    """The dialog: a search box over a table of every command, its keys and where they act."""
    dialog = QDialog(parent)
    dialog.setObjectName("shortcutsDialog")
    dialog.setWindowTitle("Keyboard Shortcuts — Arcmark")
    search = QLineEdit(dialog)
    search.setObjectName("shortcutSearch")
    search.setPlaceholderText("Search commands, keys or descriptions")
    search.setClearButtonEnabled(True)
    table = QTableWidget(len(rows), 4, dialog)
    table.setObjectName("shortcutTable")
    table.setHorizontalHeaderLabels(["Command", "Keys", "Acts in", "What it does"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    for row, command in enumerate(rows):
        for col, text in enumerate((command.name, command.keys, command.where, command.tip)):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(row, col, item)
    header = table.horizontalHeader()
    for col in range(3):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()

    def _filter(words: str) -> None:
        for row, command in enumerate(rows):
            table.setRowHidden(row, not command.matches(words))

    search.textChanged.connect(_filter)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(search)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(min(1100, max(parent.width() - 80, 720)), min(720, max(parent.height() - 80, 480)))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    search.setFocus(Qt.FocusReason.PopupFocusReason)
    return dialog
