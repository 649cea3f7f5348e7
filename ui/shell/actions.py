"""Every menu, toolbar button and keyboard shortcut of the window, in one place.

`WindowActions` creates the actions and lays out the menus and the toolbar; the
window connects them to its handlers. Review keys (accept, reject, delete, label
keys, moving between entities) are single keys: they only act while the document
view or the entity table has the focus, so typing in a filter or find field never
triggers them.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QStyle, QToolBar, QWidget

if TYPE_CHECKING:
    from annotate.schema import EntityLabel

REVIEW_CONTEXT = Qt.ShortcutContext.WidgetWithChildrenShortcut
# keys the review actions own; a schema label using one of them gets no key
RESERVED_KEYS = {"A", "X", "J", "K", "Del", "Backspace", "Return", "Enter", "Tab", "Shift+Tab",
                 "Backtab", "Esc", "Space"}
ARC_MODE_TEXT = (("all", "All Relations"), ("selected", "Relations of the Selected Entity"),
                 ("none", "No Relations"))


def _keys(*keys: str | QKeySequence.StandardKey) -> list[QKeySequence]:
    """Each binding once: two bindings matching the same key press make Qt refuse both
    ("Ambiguous shortcut overload"), e.g. Quit's standard key and Ctrl+Q on Linux."""
    unique: dict[str, QKeySequence] = {}
    for k in keys:
        sequence = QKeySequence(k)
        unique.setdefault(sequence.toString(), sequence)
    return list(unique.values())


class WindowActions(QObject):
    """The window's actions. Signals carry a label name for the per-label actions."""

    label_chosen = Signal(str)
    accept_label_chosen = Signal(str)
    arc_mode_chosen = Signal(str)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._review_widgets: list[QWidget] = []
        self.label_actions: dict[str, QAction] = {}
        style = window.style()
        icon = style.standardIcon
        sp = QStyle.StandardPixmap
        # file
        self.import_files = self._make("&Import Files…", _keys("Ctrl+O"),
                                       "Import .txt, .md, JSONL, brat, web pages, PDF, Word or e-mail files", icon(sp.SP_DialogOpenButton))
        self.import_folder = self._make("Import &Folder…", _keys("Ctrl+Shift+O"),
                                        "Import every supported file in a folder")
        self.export = self._make("&Export…", _keys("Ctrl+Shift+X"),
                                 "Export the corpus as JSONL, spaCy, brat, CoNLL, CSV or GraphML")
        self.close_window = self._make("&Close Window", _keys("Ctrl+W"), "Close this window")
        self.quit = self._make("&Quit", _keys("Ctrl+Q"), "Close the window and quit")
        # edit
        self.undo = self._make("&Undo", _keys("Ctrl+Z"), "Undo the last change",
                               icon(sp.SP_ArrowBack))
        self.redo = self._make("&Redo", _keys("Ctrl+Shift+Z", "Ctrl+Y"), "Redo what was undone",
                               icon(sp.SP_ArrowForward))
        self.find = self._make("&Find…", _keys("Ctrl+F"), "Find text in the document")
        self.find_next = self._make("Find &Next", _keys("F3"), "Find the next match")
        self.find_previous = self._make("Find Pre&vious", _keys("Shift+F3"),
                                        "Find the previous match")
        # entity review (keys act in the view and the entity table)
        self.accept = self._make("&Accept", _keys("A", "Return", "Enter"),
                                 "Accept the selected suggestion (A)", review=True)
        self.reject = self._make("Re&ject", _keys("X"), "Reject the selected entity (X)",
                                 review=True)
        self.delete = self._make("&Delete", _keys("Del", "Backspace"),
                                 "Delete the selected entity, or the relation of the selected arc"
                                 " (Del)", review=True)
        self.next_entity = self._make("&Next Entity", _keys("Tab", "J"),
                                      "Select the next entity, or relation suggestion in the "
                                      "text (Tab)", review=True)
        # Shift+Tab arrives as Backtab: Qt matches it to Shift+Tab (a second "Backtab"
        # binding would make the press ambiguous)
        self.previous_entity = self._make("&Previous Entity", _keys("Shift+Tab", "K"),
                                          "Select the previous entity, or relation suggestion "
                                          "in the text (Shift+Tab)", review=True)
        self.accept_all = self._make("Accept All &Suggestions", _keys("Ctrl+Shift+A"),
                                     "Accept every suggestion of this document")
        self.snap = self._make("S&nap to Word Boundaries", checkable=True, checked=True,
                               tip="Widen a selection to whole words when labelling it")
        # document
        self.next_document = self._make("&Next Document", _keys("Ctrl+PgDown", "Alt+Right"),
                                        "Open the next document in the list", icon(sp.SP_ArrowDown))
        self.previous_document = self._make("&Previous Document", _keys("Ctrl+PgUp", "Alt+Left"),
                                            "Open the previous document in the list",
                                            icon(sp.SP_ArrowUp))
        self.mark_done = self._make("Mark &Done", _keys("Ctrl+D"), "Mark the document as done",
                                    icon(sp.SP_DialogApplyButton))
        self.mark_in_progress = self._make("Mark &In Progress", tip="Mark the document as in progress")
        self.mark_new = self._make("Mark &New", tip="Mark the document as not started")
        # annotate
        self.preannotate_document = self._make("Pre-annotate &This Document", _keys("Ctrl+R"),
                                               "Run the spaCy model on this document")
        self.preannotate_all = self._make("Pre-annotate &All Documents", _keys("Ctrl+Shift+R"),
                                          "Run the spaCy model on every document it has not seen")
        self.cancel_job = self._make("&Cancel Background Work", tip="Stop the running job")
        # view: the corpus views in the central tabs, then the document's display
        self.search_corpus = self._make("&Search the Corpus…", _keys("Ctrl+Shift+F"),
                                        "Search every document's text, entities and relations")
        self.show_document = self._make("&Document", _keys("Ctrl+1"), "Show the document view")
        self.show_graph = self._make("Entity &Graph", _keys("Ctrl+2"),
                                     "Show the actors of the corpus and their relations")
        self.show_statistics = self._make("&Statistics", _keys("Ctrl+3"),
                                          "Show the corpus in numbers and charts")
        self.show_rejected = self._make("Show &Rejected Entities", _keys("Ctrl+Shift+H"),
                                        "Show rejected entities struck through",
                                        checkable=True)
        self.label_tags = self._make("Label &Tags", _keys("Ctrl+Shift+T"),
                                     "Write each entity's label above its text", checkable=True)
        self.next_panel = self._make("Next &Panel", _keys("F6"),
                                     "Move the keyboard focus to the next panel")
        self.previous_panel = self._make("Previous Pa&nel", _keys("Shift+F6"),
                                         "Move the keyboard focus to the previous panel")
        self.reset_layout = self._make("Reset &Layout", tip="Put every panel back in its place")
        self.arc_modes = QActionGroup(self)
        self.arc_mode_actions: dict[str, QAction] = {}
        for mode, text in ARC_MODE_TEXT:
            action = self._make(text, checkable=True, checked=mode == "all")
            self.arc_modes.addAction(action)
            action.triggered.connect(lambda _=False, m=mode: self.arc_mode_chosen.emit(m))
            self.arc_mode_actions[mode] = action
        # help
        self.shortcuts = self._make("&Keyboard Shortcuts", _keys("F1"),
                                    "Every command of the window and its keys")
        self.about = self._make("&About Arcmark", tip="The version, the store and the annotator")
        self.label_menu = QMenu("&Label Selection As", window)
        self.accept_label_menu = QMenu("Accept All Suggestions &of Label", window)

    def _make(self, text: str, keys: Sequence[QKeySequence] = (), tip: str = "", icon=None, *,  # type: ignore[no-untyped-def]
              review: bool = False, checkable: bool = False, checked: bool = False) -> QAction:
        action = QAction(text, self.window)
        if icon is not None:
            action.setIcon(icon)
        if keys:
            action.setShortcuts(list(keys))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{tip} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})"
                              if keys else tip)
        if checkable:
            action.setCheckable(True)
            action.setChecked(checked)
        if review:
            action.setShortcutContext(REVIEW_CONTEXT)
            action.setProperty("review", True)
        else:
            self.window.addAction(action)
        return action

    # --- label actions ----------------------------------------------------------------------------

    def set_labels(self, labels: Sequence[EntityLabel]) -> None:
        """(Re)build the per-label actions: the label keys and the 'accept all of' menu."""
        for action in self.label_actions.values():
            for widget in self._review_widgets:
                widget.removeAction(action)
            action.deleteLater()
        self.label_actions.clear()
        self.label_menu.clear()
        self.accept_label_menu.clear()
        for label in labels:
            key = QKeySequence(label.key) if label.key else QKeySequence()
            if key.toString() in RESERVED_KEYS:
                key = QKeySequence()
            action = self._make(label.name, [key] if not key.isEmpty() else [],
                                f"Label the selection (or relabel the entity) as {label.name}",
                                review=True)
            action.triggered.connect(lambda _=False, n=label.name: self.label_chosen.emit(n))
            self.label_actions[label.name] = action
            self.label_menu.addAction(action)
            accept = self.accept_label_menu.addAction(label.name)
            accept.triggered.connect(lambda _=False, n=label.name: self.accept_label_chosen.emit(n))
            for widget in self._review_widgets:
                widget.addAction(action)

    def bind_review_widgets(self, widgets: Sequence[QWidget]) -> None:
        """Make the single-key review actions work while one of `widgets` has the focus."""
        self._review_widgets = list(widgets)
        for widget in widgets:
            widget.addActions(self.review_actions())

    def review_actions(self) -> list[QAction]:
        return [self.accept, self.reject, self.delete, self.next_entity, self.previous_entity,
                *self.label_actions.values()]

    # --- menus and toolbar ------------------------------------------------------------------------

    def build_menus(self, bar: QMenuBar, docks: Sequence[QAction]) -> dict[str, QMenu]:
        menus = {}
        menus["file"] = file = bar.addMenu("&File")
        file.addActions([self.import_files, self.import_folder])
        file.addSeparator()
        file.addAction(self.export)
        file.addSeparator()
        file.addActions([self.close_window, self.quit])
        menus["edit"] = edit = bar.addMenu("&Edit")
        edit.addActions([self.undo, self.redo])
        edit.addSeparator()
        edit.addActions([self.find, self.find_next, self.find_previous])
        menus["entity"] = entity = bar.addMenu("E&ntity")
        entity.addActions([self.accept, self.reject, self.delete])
        entity.addSeparator()
        entity.addMenu(self.label_menu)
        entity.addAction(self.snap)
        entity.addSeparator()
        entity.addActions([self.next_entity, self.previous_entity])
        entity.addSeparator()
        entity.addAction(self.accept_all)
        entity.addMenu(self.accept_label_menu)
        menus["document"] = document = bar.addMenu("&Document")
        document.addActions([self.next_document, self.previous_document])
        document.addSeparator()
        document.addActions([self.mark_done, self.mark_in_progress, self.mark_new])
        menus["annotate"] = annotate = bar.addMenu("&Annotate")
        annotate.addActions([self.preannotate_document, self.preannotate_all])
        annotate.addSeparator()
        annotate.addAction(self.cancel_job)
        menus["view"] = view = bar.addMenu("&View")
        view.addActions([self.search_corpus, self.show_document, self.show_graph,
                         self.show_statistics])
        view.addSeparator()
        view.addActions([self.show_rejected, self.label_tags])
        arcs = view.addMenu("Relation &Arcs")
        arcs.addActions(list(self.arc_mode_actions.values()))
        view.addSeparator()
        view.addActions(list(docks))
        view.addActions([self.next_panel, self.previous_panel, self.reset_layout])
        menus["help"] = help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.shortcuts, self.about])
        return menus

    def build_toolbar(self, toolbar: QToolBar) -> None:
        # short button texts, so the toolbar fits a 1024-pixel window (menus keep the full ones)
        for action, short in ((self.import_files, "Import"), (self.previous_document, "Previous"),
                              (self.next_document, "Next"), (self.accept_all, "Accept All"),
                              (self.preannotate_document, "Pre-annotate"),
                              (self.mark_done, "Done")):
            action.setIconText(short)
        toolbar.addAction(self.import_files)
        toolbar.addSeparator()
        toolbar.addActions([self.undo, self.redo])
        toolbar.addSeparator()
        toolbar.addActions([self.previous_document, self.next_document])
        toolbar.addSeparator()
        toolbar.addActions([self.accept, self.reject, self.delete, self.accept_all])
        toolbar.addSeparator()
        toolbar.addActions([self.preannotate_document, self.mark_done])
