"""Every key of every window: unique where it acts, reaching its action, listed by F1; the
panels and the inspector reachable by keyboard (issue 12, defects 5, 12, 13)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMenu, QTableWidget, QWidget

from annotate.model import DocumentRecord, EntityRecord
from tests.ui_windows import add_relation, entity_id, shown_window
from ui.shell.main_window import MainWindow
from ui.shell.shortcuts import window_actions

CTRL, SHIFT, ALT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier,
                    Qt.KeyboardModifier.AltModifier)
LEFT = Qt.MouseButton.LeftButton
TEXT = "Russia and Iran back Syria. Turkey opposes Iran. Moscow sells arms to Tehran."
WORDS = (("Russia", "GPE"), ("Iran", "GPE"), ("Syria", "GPE"), ("Turkey", "GPE"),
         ("Moscow", "GPE"), ("Tehran", "GPE"))


@pytest.fixture
def window(qtbot, session) -> Iterator[MainWindow]:
    entities = tuple(EntityRecord(TEXT.index(w), TEXT.index(w) + len(w), label)
                     for w, label in WORDS)
    yield from shown_window(qtbot, session,
                            DocumentRecord(text=TEXT, title="Allies", entities=entities))


def eid(window: MainWindow, word: str) -> int:
    return entity_id(window, TEXT, word)


def relate(window: MainWindow, head: str, label: str, tail: str) -> int:
    return add_relation(window, eid(window, head), label, eid(window, tail))


def _places(action: QAction) -> frozenset[QWidget] | None:
    """The widgets a local action's keys act in; None for a window-wide action."""
    if action.shortcutContext() == Qt.ShortcutContext.WindowShortcut:
        return None
    return frozenset(w for w in action.associatedObjects()
                     if isinstance(w, QWidget) and not isinstance(w, QMenu))


def _press(binding: QKeySequence) -> str:
    """What a key press of `binding` is to Qt's shortcut map (Shift+Tab arrives as Backtab)."""
    text = binding.toString(QKeySequence.SequenceFormat.PortableText)
    return "Shift+Tab" if text in ("Backtab", "Shift+Backtab") else text


def _clashes(window: MainWindow) -> list[str]:
    actions = [a for _path, a in window_actions(window) if a.shortcuts()]
    found = []
    for n, action in enumerate(actions):
        presses = [_press(k) for k in action.shortcuts()]
        if len(set(presses)) != len(presses):
            found.append(f"{action.text()}: {presses}")
        for other in actions[n + 1:]:
            mine, theirs = _places(action), _places(other)
            if mine is not None and theirs is not None and not mine & theirs:
                continue  # never active in the same widget
            common = set(presses) & {_press(k) for k in other.shortcuts()}
            if common:
                found.append(f"{action.text()} / {other.text()}: {sorted(common)}")
    return found


def test_every_shortcut_is_unique_where_it_acts_in_every_window(qtbot, window):
    """No key press matches two bindings in the main window or the worked example's window
    (Qt would refuse both: "Ambiguous shortcut overload")."""
    assert _clashes(window) == []
    example = window.open_example()
    assert example is not None
    qtbot.addWidget(example)
    assert _clashes(example) == []


class _ShortcutSpy(QObject):
    """Swallows the shortcut events Qt sends to actions, noting which action got which."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[tuple[QAction, bool]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Shortcut:
            self.hits.append((watched, event.isAmbiguous()))
            return True
        return False


def _missed_triggers(qtbot, window: MainWindow) -> list[str]:
    spy = _ShortcutSpy()
    actions = [(p, a) for p, a in window_actions(window) if a.shortcuts()]
    for _path, action in actions:
        action.installEventFilter(spy)
    missed = []
    for path, action in actions:
        places = _places(action)
        target = next((w for w in places if w.isVisible()), None) if places \
            else window.documents.table
        assert target is not None, path
        for binding in action.shortcuts():
            action.setEnabled(True)
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            combo = binding[0]
            key, mods = combo.key(), combo.keyboardModifiers()
            if key == Qt.Key.Key_Tab and mods & SHIFT:
                key = Qt.Key.Key_Backtab
            spy.hits.clear()
            qtbot.keyClick(target, key, mods)
            if spy.hits != [(action, False)]:
                missed.append(f"{path} [{binding.toString()}]: {spy.hits}")
    for _path, action in actions:
        action.removeEventFilter(spy)
    return missed


def test_every_shortcut_triggers_its_action(qtbot, window):
    """Each binding of each action, pressed as a real key in a widget where it acts, reaches
    that action and only it (the action is not run: its shortcut event is taken), in the
    main window and in the worked example's."""
    relate(window, "Russia", "ALLY_OF", "Iran")
    assert _missed_triggers(qtbot, window) == []
    example = window.open_example()
    qtbot.addWidget(example)
    qtbot.waitExposed(example)
    example.activateWindow()
    qtbot.waitUntil(example.isActiveWindow)
    assert _missed_triggers(qtbot, example) == []


def _shortcut_dialog() -> QDialog:
    return next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, QDialog) and w.objectName() == "shortcutsDialog"
                and w.isVisible())


def test_f1_lists_every_action_with_its_full_name_and_keys_and_searches(qtbot, window):
    """F1 shows one row per action of the window (menu path, every key), nothing cut short;
    typing in its search box narrows the rows."""
    window.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(window.documents.table, Qt.Key.Key_F1)
    dialog = _shortcut_dialog()
    table = dialog.findChild(QTableWidget)
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    native = QKeySequence.SequenceFormat.NativeText
    for path, action in window_actions(window):
        assert rows[path] == ", ".join(k.toString(native) for k in action.shortcuts())
    for name in ("View › Search the Corpus", "View › Document", "View › Entity Graph",
                 "View › Statistics", "File › Export", "File › Import Folder", "Edit › Find Next",
                 "Annotate › Pre-annotate All Documents", "View › Next Panel",
                 "Relation › Inspector › Confidence: High"):
        assert name in rows and rows[name], name
    qtbot.waitExposed(dialog)
    for r in range(table.rowCount()):  # full names: the column is as wide as its longest text
        text = table.item(r, 0).text()
        assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance(text)
    search = dialog.findChild(QLineEdit)
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "entity graph")
    shown = [table.item(r, 0).text() for r in range(table.rowCount()) if not table.isRowHidden(r)]
    assert shown == ["View › Entity Graph"]
    dialog.close()


def test_f6_cycles_the_panels_and_never_types_into_them(qtbot, window):
    """F6 from the document list visits text, entities, relations, inspector and back;
    Shift+F6 goes back."""
    relate(window, "Russia", "ALLY_OF", "Iran")
    window.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    seen = []
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        seen.append(QApplication.focusWidget())
    ui = window.relation_ui
    assert seen[:3] == [window.view, window.table, ui.table.table]
    assert ui.inspector.relation.isAncestorOf(seen[3]) or seen[3] is ui.inspector.relation
    assert seen[4] is window.documents.table
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, SHIFT)
    assert ui.inspector.relation.isAncestorOf(QApplication.focusWidget()) \
        or QApplication.focusWidget() is ui.inspector.relation


def test_the_relation_table_and_inspector_work_from_the_keyboard(qtbot, window):
    """Down in the relation table selects the next relation and the inspector follows;
    Alt+3 sets its confidence, Ctrl+Shift+N and typing set its note, Del in the table
    deletes it, Ctrl+Z brings it back."""
    first = relate(window, "Russia", "ALLY_OF", "Iran")
    second = relate(window, "Turkey", "OPPOSES", "Iran")
    ui, session = window.relation_ui, window.session
    window.documents.table.setFocus(Qt.FocusReason.MouseFocusReason)
    for _ in range(3):  # F6 to the relation table
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
    table = ui.table.table
    assert QApplication.focusWidget() is table
    qtbot.keyClick(table, Qt.Key.Key_Home, CTRL)
    top = ui.table.selected_relation()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    chosen = ui.table.selected_relation()
    assert {top, chosen} == {first, second}
    assert ui.inspector.relation.relation.id == chosen
    qtbot.keyClick(table, Qt.Key.Key_3, ALT)
    assert session.relation(chosen).confidence == "high"
    qtbot.keyClick(table, Qt.Key.Key_N, CTRL | SHIFT)
    note = ui.inspector.relation.note
    assert QApplication.focusWidget() is note
    qtbot.keyClicks(note, "from the press")
    qtbot.keyClick(note, Qt.Key.Key_Return)
    assert session.relation(chosen).note == "from the press"
    table.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert [r.id for r in session.relations(window.presenter.doc_id)] == [top]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert session.relation(chosen).note == "from the press"
