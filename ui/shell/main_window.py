"""The Arcmark window: document list, document view, entity table, label palette.

The window is built in two steps. Its frame (`ui.shell.window_frame`: menus, toolbar, the
side panels, the central tabs, the saved layout) needs neither the store nor the
heavier widget modules, so `run_gui` can show it at once; `attach(session)` then
fills it from the store: the document list, the open document, tables and panels.
`MainWindow(session)` does both.

The window talks to one `Session`. Every edit runs through `perform`: the
session stores it (committed before it returns) and hands back a `Change`; the
window then redraws only what the change names and reports "All changes saved".
Slow work (import, pre-annotation) goes to the `BackgroundRunner`.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontMetrics, QShowEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from ui.shell.errors import first_line, report_failure, show_user_error, user_errors
from ui.shell.warmup import warm_up_later
from ui.shell.window_frame import DOCUMENT_TAB, WindowFrame

UNDO_TEXT_PX = 150  # the toolbar's Undo/Redo texts are elided to this width,
UNDO_MENU_PX = 320  # the Edit menu's to this one (the tooltip has them whole)

# Modules that need the store, or are needed only once it is open, are imported
# where they are used: the frame paints before they load.
if TYPE_CHECKING:
    from annotate.model import Change
    from annotate.session import Session
    from ui.common.hub import Hub
    from ui.corpus.corpus_ui import CorpusUi
    from ui.corpus.document_list import DocumentListPanel
    from ui.document.document_view import DocumentView
    from ui.document.entity_table import EntityTableView
    from ui.document.palette import LabelPalette
    from ui.document.presenter import DocumentPresenter
    from ui.relations.relation_ui import RelationUi
    from ui.document.review import EntityReview
    from ui.model.model_ui import ModelUi
    from ui.reader.reader_ui import ReaderUi
    from ui.shell.status import FindBar, StatusPanel
    from ui.shell.worker import BackgroundRunner, Job
    from ui.team.team_ui import TeamUi


class MainWindow(WindowFrame):
    first_shown = Signal()  # the window is on screen with its document laid out

    def __init__(self, session: Session | None = None, *, model: str | None = None,
                 seeds: Path | None = None, parent: QWidget | None = None,
                 remember_layout: bool = True, example: bool = False) -> None:
        """The frame; with a `session`, filled from it at once (else call `attach`).
        `example`: the worked example's window, marked as such and closed by Ctrl+W/Ctrl+Q."""
        super().__init__(parent)
        self.example = example
        # a secondary window (the worked example) must not overwrite the user's layout
        self.remember_layout = remember_layout
        self.session: Session | None = None
        self.model = model
        self.seeds = seeds
        self._after_job: dict[int, Callable[[object], None]] = {}
        self._focus_before_find: QWidget | None = None
        self.example_window: MainWindow | None = None  # Help → Open the Worked Example
        self._shown = False
        self._update_actions()
        self.restore_layout()
        if session is not None:
            self.attach(session)
        else:  # menus and toolbar wait for the store: nothing they do works without it
            self._set_commands_enabled(False)
            self.statusBar().showMessage("Opening the store…")

    def _set_commands_enabled(self, enabled: bool) -> None:
        self.menuBar().setEnabled(enabled)
        self.toolbar.setEnabled(enabled)

    # --- filling the frame from the store -----------------------------------------------------------

    def attach(self, session: Session) -> None:
        """Show the store's documents: the list, the open document, tables and panels."""
        from ui.corpus.corpus_ui import install_corpus_ui
        from ui.corpus.document_list import DocumentListPanel
        from ui.document.document_view import DocumentView
        from ui.document.entity_table import EntityTableView
        from ui.document.palette import LabelPalette
        from ui.document.presenter import DocumentPresenter
        from ui.common.hub import Hub
        from ui.relations.relation_ui import RelationUi
        from ui.document.review import EntityReview
        from ui.model.model_ui import install_model_ui
        from ui.reader.reader_ui import install_reader_ui
        from ui.shell.status import FindBar, StatusPanel
        from ui.shell.worker import BackgroundRunner
        from ui.team.team_ui import install_team_ui

        assert self.session is None, "a window shows one store"
        self.session = session
        self.hub: Hub = Hub(session, perform=self.perform, say=self.say,
                            open_document=self.open_document, parent=self)
        # the window's own names for the hub's signals
        self.change_applied, self.document_opened = self.hub.change_applied, self.hub.document_opened
        self._set_commands_enabled(True)
        self.runner: BackgroundRunner = BackgroundRunner(self)
        self.view: DocumentView = DocumentView(self)
        self.find_bar: FindBar = FindBar(self)
        self.table: EntityTableView = EntityTableView(self)
        self.palette: LabelPalette = LabelPalette(self)
        self.documents: DocumentListPanel = DocumentListPanel(self)
        self.presenter: DocumentPresenter = DocumentPresenter(session, self.view, self.table)
        self.review: EntityReview = EntityReview(self.hub, self.presenter, self.view, self.actions)
        self._fill_frame()
        self.statusBar().clearMessage()
        self.status: StatusPanel = StatusPanel(self.statusBar(), str(session.store.path))
        self._connect()
        self._set_labels()
        self._restore_view_choices()
        from ui.common.reader import StoreReader

        self.reader: StoreReader = StoreReader(session, self)
        self.refresh_documents()
        self.open_document(self._initial_document())
        self._update_actions()
        self.relation_ui: RelationUi = RelationUi(self.hub, self.presenter, self.view, self.table,
                                                  self.relation_actions)
        self.fill_dock(self.relation_dock, self.relation_ui.table)
        self.fill_dock(self.inspector_dock, self.relation_ui.inspector)
        self.corpus_ui: CorpusUi = install_corpus_ui(self.hub, self, self.documents,
                                                     self.presenter, self.view, self.review)
        self.model_ui: ModelUi = install_model_ui(self)
        self.team_ui: TeamUi = install_team_ui(self)
        self.reader_ui: ReaderUi = install_reader_ui(self)
        if self.default_layout_used:
            # the legend's height is known now; sized again once laid out
            self.default_layout()
            QTimer.singleShot(0, self.default_panel_sizes)  # at the size the window has then
        self._watch_store()
        if self._shown:
            QTimer.singleShot(0, self._on_first_shown)

    def _watch_store(self) -> None:
        from ui.shell.store_watch import StoreWatcher

        self.store_watch = StoreWatcher(self.session, self)
        self.store_watch.changed.connect(self._on_store_watch_changed)

    def _on_store_watch_changed(self) -> None:
        self._reread_store(documents=True)
        self.hub.store_changed.emit()
        if not self.runner.busy:  # a job of ours says what it did itself
            self.say("Updated: another program saved changes to this store")

    def _reread_store(self, *, documents: bool) -> None:
        """Show again what the store holds after others wrote it: schema, document
        list, the open document's entities and relations (the panels follow
        `hub.store_changed`)."""
        if self.session.reload_schema():
            self._set_labels()
            self.presenter.restyle()
        if documents:
            self.refresh_documents()
        was_open = self.presenter.doc_id
        self.presenter.resync()
        if was_open is not None and self.presenter.doc_id is None:  # deleted meanwhile
            self.open_document(self.documents.neighbour(None, 1))
        self._update_document_state()

    def _fill_frame(self) -> None:
        above = [_read_only_banner(self, str(self.session.store.path))
                 if self.session.read_only else None,
                 _example_banner(self) if self.example else None, self.find_bar]
        self.fill_page(DOCUMENT_TAB, *[w for w in above if w is not None], self.view)
        self.fill_dock(self.document_dock, self.documents)
        self.fill_dock(self.entity_dock, self.table)
        self.fill_dock(self.palette_dock, self.palette)
        self.actions.bind_review_widgets([self.view, self.table])

    # --- wiring (every connect of the window) -------------------------------------------------------

    def _connect(self) -> None:
        from ui.shell import dialogs

        a, view, review = self.actions, self.view, self.review
        a.import_files.triggered.connect(self._on_import_files_triggered)
        a.import_folder.triggered.connect(self._on_import_folder_triggered)
        a.export.triggered.connect(self._on_export_triggered)
        a.quit.triggered.connect(self.close)
        a.close_window.triggered.connect(self.close)
        a.undo.triggered.connect(lambda: self._undo_redo(self.session.undo))
        a.redo.triggered.connect(lambda: self._undo_redo(self.session.redo))
        a.find.triggered.connect(self._on_find_triggered)
        a.find_next.triggered.connect(lambda: self.find_bar.request(True))
        a.find_previous.triggered.connect(lambda: self.find_bar.request(False))
        a.accept.triggered.connect(review.accept)
        a.reject.triggered.connect(review.reject)
        a.delete.triggered.connect(self._on_delete_triggered)
        a.next_entity.triggered.connect(lambda: review.move(1))
        a.previous_entity.triggered.connect(lambda: review.move(-1))
        a.accept_all.triggered.connect(lambda: review.accept_all())
        a.accept_label_chosen.connect(review.accept_all)
        a.label_chosen.connect(review.apply_label)
        a.snap.toggled.connect(lambda on: self.settings.setValue("entity/snap", on))
        a.next_document.triggered.connect(lambda: self._step_document(1))
        a.previous_document.triggered.connect(lambda: self._step_document(-1))
        a.mark_done.triggered.connect(lambda: self._mark("done"))
        a.mark_in_progress.triggered.connect(lambda: self._mark("in_progress"))
        a.mark_new.triggered.connect(lambda: self._mark("new"))
        a.preannotate_document.triggered.connect(self._on_preannotate_document_triggered)
        a.preannotate_all.triggered.connect(lambda: self.preannotate(None))
        a.cancel_job.triggered.connect(self.runner.cancel)
        a.show_rejected.toggled.connect(self._on_show_rejected_toggled)
        a.label_tags.toggled.connect(self._on_label_tags_toggled)
        a.next_panel.triggered.connect(lambda: self.cycle_panels(1))
        a.previous_panel.triggered.connect(lambda: self.cycle_panels(-1))
        a.arc_mode_chosen.connect(self._on_arc_mode_chosen)
        a.reset_layout.triggered.connect(self.default_layout)
        a.shortcuts.triggered.connect(self.show_shortcuts)
        a.about.triggered.connect(lambda: dialogs.show_about(self, self.session))
        self.relation_actions.open_example.triggered.connect(self.open_example)
        view.span_selection_changed.connect(self._on_view_span_selection_changed)
        view.arc_selection_changed.connect(lambda _arc: self._update_actions())
        view.context_menu_requested.connect(review.context_menu)
        self.table.entity_selected.connect(self._on_table_entity_selected)
        self.palette.label_activated.connect(review.apply_label)
        self.palette.hidden_labels_changed.connect(self._on_palette_hidden_labels_changed)
        self.documents.document_activated.connect(self.open_document)
        self.find_bar.find_requested.connect(self._on_find_bar_find_requested)
        self.find_bar.closed.connect(self._on_find_bar_closed)
        self.status.cancel_requested.connect(self.runner.cancel)
        self.runner.job_started.connect(self._on_runner_job_started)
        self.runner.job_progress.connect(self._on_runner_job_progress)
        self.runner.job_finished.connect(self._on_runner_job_finished)
        self.runner.job_failed.connect(self._on_runner_job_failed)
        self.runner.busy_changed.connect(self._on_runner_busy_changed)

    # --- documents --------------------------------------------------------------------------------

    def _initial_document(self) -> int | None:
        ids = self.documents.visible_ids()
        last = self.settings.value(self._last_document_key())
        try:
            last_id = int(last) if last is not None else None
        except (TypeError, ValueError):
            last_id = None
        if ids or not self.reader.busy("documents"):
            return last_id if last_id in ids else (ids[0] if ids else None)
        # the list is on its way: the last document if it is still there, else the first
        span = self.session.store.document_id_range()
        if last_id is not None and self.session.store.row("documents", last_id) is not None:
            return last_id
        return span[0] if span else None

    def refresh_documents(self) -> None:
        """Read the document list again: at once for a small store; off the GUI thread for
        a large one (100,000 summaries take a second or more), the list filled when read."""
        if not self.reader.at_once() and not self.documents.visible_ids():
            self.statusBar().showMessage("Reading the list of documents …")
        self.reader.read("documents", lambda session: session.documents(),
                         self._on_documents_read,
                         lambda exc: self.say(f"Cannot read the document list: {exc}", error=True))

    def _on_documents_read(self, summaries: object) -> None:
        assert isinstance(summaries, list)
        if self.statusBar().currentMessage() == "Reading the list of documents …":
            self.statusBar().clearMessage()
        self.documents.set_documents(summaries)  # the list keeps the open one current

    def _last_document_key(self) -> str:
        return "documents/last/" + str(self.session.store.path).replace("/", "|")

    def open_document(self, doc_id: int | None) -> None:
        try:
            self.presenter.open(doc_id)
        except user_errors() as exc:
            show_user_error(self, exc)
            return
        self.documents.select_document(doc_id)
        if doc_id is not None:
            # the focus stays where the analyst put it: a document opened by a finished
            # job, a search hit or the list never moves it into the text, where single
            # keys edit (click the text or press F6 to review)
            self.settings.setValue(self._last_document_key(), doc_id)
        self._update_document_state()
        self.document_opened.emit(doc_id)

    def _step_document(self, step: int) -> None:
        target = self.documents.neighbour(self.presenter.doc_id, step)
        if target is None:
            self.say("This is the " + ("last" if step > 0 else "first") + " document")
            return
        self.open_document(target)

    def _mark(self, status: str) -> None:
        doc_id = self.presenter.doc_id
        if doc_id is not None:
            self.perform(lambda: self.session.set_document_status(doc_id, status))

    # --- performing edits (Anki's CollectionOp idea) -----------------------------------------------

    def perform(self, fn: Callable[[], Change | None]) -> Change | None:
        """Run one session verb; apply and announce its Change. None if refused or failed."""
        from annotate.model import ValidationError

        try:
            change = fn()
        except ValidationError as exc:
            self.say(first_line(exc), error=True)
            return None
        except user_errors() as exc:
            self.status.set_saved(False, "Not saved")
            show_user_error(self, exc)
            return None
        if change is not None:
            self.apply_change(change)
            self.status.set_saved(True)
            self.statusBar().showMessage(change.description, 5000)
        return change

    def apply_change(self, change: Change) -> None:
        """Redraw what `change` names: the open document's rows, list counts, menus."""
        was_open = self.presenter.doc_id
        self.presenter.apply(change)
        if change.document_list or change.documents:
            self.refresh_documents()
        if was_open is not None and self.presenter.doc_id is None:  # the open one was deleted
            self.open_document(self.documents.neighbour(None, 1))
        self._update_document_state()
        self.change_applied.emit(change)

    def _undo_redo(self, verb: Callable[[], Change | None]) -> None:
        change = self.perform(verb)
        if change is None:
            return
        shown = self.presenter.doc_id
        if shown not in change.documents and len(change.documents) == 1:
            self.open_document(next(iter(change.documents)))  # show where the undo happened
        target = next((i for i in change.entities if self.presenter.entity(i) is not None), None)
        if target is not None:
            self.review.select(target)

    def say(self, message: str, *, error: bool = False) -> None:
        """A transient line in the status bar (refused edits, hints)."""
        self.hub.last_message = message
        self.statusBar().showMessage(message, 6000)
        if error:
            QApplication.beep()

    # --- state shown in the chrome ------------------------------------------------------------------

    def _update_document_state(self) -> None:
        doc = self.presenter.document
        app = "Worked Example — Arcmark" if self.example else "Arcmark"
        self.setWindowTitle(f"{doc.title} — {app}" if doc is not None else app)
        self.status.set_counts(*self.presenter.counts())
        self.palette.set_counts(self.presenter.label_counts())
        self._update_actions()

    def _update_actions(self) -> None:
        a, session = self.actions, self.session
        if session is None:  # the frame, before the store is open: nothing to act on yet
            for action in (a.undo, a.redo, a.accept, a.reject, a.delete, a.accept_all,
                           a.accept_label_menu, a.mark_done, a.mark_in_progress, a.mark_new,
                           a.preannotate_document, a.find, a.cancel_job):
                action.setEnabled(False)
            return
        for action, can, text, word in ((a.undo, session.can_undo, session.undo_text, "Undo"),
                                        (a.redo, session.can_redo, session.redo_text, "Redo")):
            action.setEnabled(can)
            full = f"{word} {text}" if can else word
            action.setText("&" + self._elided(full, UNDO_MENU_PX).replace("&", "&&"))
            action.setIconText(self._elided(full, UNDO_TEXT_PX).replace("&", "&&"))
            action.setToolTip(full + (" (Ctrl+Z)" if word == "Undo" else " (Ctrl+Shift+Z)"))
        doc = self.presenter.document
        has_doc = doc is not None
        for action in (a.accept_all, a.mark_done, a.mark_in_progress, a.mark_new,
                       a.preannotate_document, a.find):
            action.setEnabled(has_doc)
        if doc is not None:
            a.mark_done.setEnabled(doc.status != "done")
            a.mark_in_progress.setEnabled(doc.status != "in_progress")
            a.mark_new.setEnabled(doc.status != "new")
            a.accept_all.setEnabled(self.presenter.counts()[1] > 0)
        a.accept_label_menu.setEnabled(has_doc)
        selected = self.presenter.entity(self.view.selected_span())
        model_ui = getattr(self, "model_ui", None)  # A / X also decide a relation suggestion
        suggestion = model_ui is not None and model_ui.selected_suggestion() is not None
        a.accept.setEnabled((selected is not None and selected.status != "accepted") or suggestion)
        a.reject.setEnabled((selected is not None and selected.status != "rejected") or suggestion)
        a.delete.setEnabled(selected is not None or self.view.selected_arc() is not None)
        a.cancel_job.setEnabled(self.runner.busy)
        if self.session.read_only:  # reading and exporting only
            for action in (a.undo, a.redo, a.accept_all, a.mark_done, a.mark_in_progress,
                           a.mark_new, a.preannotate_document, a.preannotate_all, a.accept,
                           a.reject, a.delete, a.import_files, a.import_folder,
                           a.accept_label_menu, *a.label_actions.values()):
                action.setEnabled(False)

    def _set_labels(self) -> None:
        labels = self.session.schema.entity_labels
        self.actions.set_labels(labels)
        hidden = {str(x) for x in _as_list(self.settings.value("view/hidden_labels"))}
        hidden &= set(self.session.schema.entity_names)
        self.palette.set_labels(labels, hidden)
        self.view.set_hidden_labels(hidden)
        self.table.proxy.set_hidden_labels(hidden)

    def _elided(self, text: str, width: int) -> str:
        return QFontMetrics(self.toolbar.font()).elidedText(
            text, Qt.TextElideMode.ElideMiddle, width)

    # --- focus: only the analyst puts it where single keys edit -------------------------------------

    def key_widgets(self) -> list[QWidget]:
        """The widgets where single keys edit the store."""
        return [self.view, self.table, self.relation_ui.table.table]

    def panels(self) -> list[tuple[str, QWidget]]:
        """The panels F6 visits, in order, as (name, widget to focus): those on screen."""
        relation = self.relation_ui.inspector.relation
        inspector = relation.label if relation.label.isEnabled() else relation
        found = [("Documents", self.documents.table), ("Text", self.view),
                 ("Entities", self.table), ("Relations", self.relation_ui.table.table),
                 ("Inspector", inspector)]
        search = self.corpus_ui.search_dock
        if search.isVisible() and not search.visibleRegion().isEmpty():
            found.insert(1, ("Search", self.corpus_ui.search_panel.edit))
        if self.tabs.currentIndex() != DOCUMENT_TAB:
            found = [found[0], ("Corpus view", self.tabs.currentWidget())]
        return [(name, w) for name, w in found if w.isVisible() and w.width() > 0]

    def cycle_panels(self, step: int) -> None:
        """F6 / Shift+F6: the keyboard focus to the next / previous panel."""
        panels = self.panels()
        if not panels:
            return
        focus = QApplication.focusWidget()
        current = next((i for i, (_n, w) in enumerate(panels) if focus is not None
                        and (w is focus or w.isAncestorOf(focus))), None)
        index = (current + step) % len(panels) if current is not None else (0 if step > 0 else -1)
        name, widget = panels[index]
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.say(f"{name} (F6: next panel)")

    def _on_find_triggered(self) -> None:
        focus = QApplication.focusWidget()
        if focus is not None and not self.find_bar.isAncestorOf(focus):
            self._focus_before_find = focus
        self.find_bar.open_bar(self._selected_words())

    def _on_find_bar_closed(self) -> None:
        """Esc in the find bar: back where the analyst was before Ctrl+F."""
        import shiboken6

        back, self._focus_before_find = self._focus_before_find, None
        if back is not None and shiboken6.isValid(back) and back.isVisible():
            back.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.documents.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_shortcuts(self) -> QDialog:
        """F1: every command of this window, from its actions."""
        from ui.shell.shortcuts import CommandRow, command_rows, show_shortcuts

        extra = [CommandRow(f"New Relation’s Label › {label.name}", label.key.upper(),
                            "relation label menu", label.description
                            or f"Pick {label.name} for the new relation")
                 for label in self.session.schema.relation_labels if label.key]
        return show_shortcuts(self, command_rows(self, extra))

    def _selected_words(self) -> str:
        selection = self.view.text_selection()
        if selection is None or selection[1] - selection[0] > 200:
            return ""
        return self.view.text()[selection[0]:selection[1]]

    # --- slots ------------------------------------------------------------------------------------

    def _on_view_span_selection_changed(self, entity_id: int | None) -> None:
        self.table.select_entity(entity_id)
        self._update_actions()

    def _on_delete_triggered(self) -> None:
        """Del in the text or the entity table: the selected entity, else the selected arc."""
        arc = self.view.selected_arc()
        if self.review.selected() is None and arc is not None:
            self.relation_ui.delete(arc)
        else:
            self.review.delete()

    def _on_table_entity_selected(self, entity_id: int | None) -> None:
        self.review.select(entity_id)

    def _on_palette_hidden_labels_changed(self, hidden: frozenset[str]) -> None:
        self.view.set_hidden_labels(hidden)
        self.table.proxy.set_hidden_labels(hidden)
        self.settings.setValue("view/hidden_labels", sorted(hidden))

    def _on_show_rejected_toggled(self, show: bool) -> None:
        self.view.set_show_rejected(show)
        self.table.proxy.set_show_rejected(show)
        self.settings.setValue("view/show_rejected", show)

    def _on_label_tags_toggled(self, on: bool) -> None:
        self.view.set_label_tags(on)
        self.settings.setValue("view/label_tags", on)

    def _on_arc_mode_chosen(self, mode: str) -> None:
        self.view.set_arc_mode(mode)
        self.settings.setValue("view/arc_mode", mode)

    def _on_find_bar_find_requested(self, text: str, forward: bool, case: bool) -> None:
        self.find_bar.show_result(self.view.find(text, forward, case))

    # --- background work --------------------------------------------------------------------------

    def submit(self, title: str, fn: Callable[..., object],
               then: Callable[[object], None] | None = None, **kwargs: object) -> Job:
        job = self.runner.submit(title, functools.partial(fn, **kwargs))
        if then is not None:
            self._after_job[job.id] = then
        return job

    def _job_args(self) -> dict[str, object]:
        return {"db_path": self.session.store.path, "annotator": self.session.annotator}

    def start_first_run(self) -> bool:
        """With an empty store: import the sample articles, then pre-annotate them."""
        from ui.shell import jobs

        files = jobs.seed_files(self.seeds)
        # the store, not the list: a large store's list may still be on its way
        if not files or self.session.store.document_id_range() or self.session.read_only:
            return False
        self.submit("Importing the sample article", jobs.import_files, paths=files,
                    then=self._after_first_import, **self._job_args())
        return True

    def _after_first_import(self, outcome: object) -> None:
        from ui.shell import jobs

        assert isinstance(outcome, jobs.ImportOutcome)
        if outcome.added:
            self.open_document(outcome.added[0])
            self.preannotate(outcome.added)

    def preannotate(self, doc_ids: list[int] | None) -> Job:
        from ui.shell import jobs

        what = "this document" if doc_ids is not None and len(doc_ids) == 1 else "documents"
        return self.submit(f"Pre-annotating {what}", jobs.preannotate_documents, model=self.model,
                           doc_ids=doc_ids, **self._job_args())

    def import_paths(self, paths: list[Path]) -> Job:
        from ui.shell import jobs

        return self.submit("Importing", jobs.import_files, paths=paths, then=self._after_import,
                           **self._job_args())

    def _after_import(self, outcome: object) -> None:
        from ui.shell import dialogs, jobs

        assert isinstance(outcome, jobs.ImportOutcome)
        if outcome.added and self.presenter.doc_id is None:
            self.open_document(outcome.added[0])
        dialogs.show_import_report(self, outcome)

    def export(self, fmt: str, out: Path, status: str | None = None, layer: str = "auto") -> Job:
        """Export in the background (File → Export…); the file appears whole or not at all."""
        from ui.shell import jobs

        return self.submit(f"Exporting {fmt}", jobs.export_corpus, fmt=fmt, out=out,
                           status=status, layer=layer, **self._job_args())

    def _on_export_triggered(self) -> None:
        from ui.corpus.export_dialog import ExportDialog

        start = Path(str(self.settings.value("export/dir") or Path.home()))
        dialog = ExportDialog(self, start, list(self.session.store.layer_counts()))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        self.settings.setValue("export/dir", str(request.out.parent))
        self.export(request.fmt, request.out, request.status, request.layer)

    def _on_preannotate_document_triggered(self) -> None:
        if self.presenter.doc_id is not None:
            self.preannotate([self.presenter.doc_id])

    def _on_import_files_triggered(self) -> None:
        from ui.shell import dialogs

        paths = dialogs.ask_import_files(self, self.settings)
        if paths:
            self.import_paths(paths)

    def _on_import_folder_triggered(self) -> None:
        from ui.shell import dialogs

        folder = dialogs.ask_import_folder(self, self.settings)
        if folder is not None:
            self.import_paths([folder])

    def _on_runner_job_started(self, job: Job) -> None:
        self.status.show_job(job.title)

    def _on_runner_job_progress(self, job: Job, done: int, total: int, message: str) -> None:
        self.status.show_job(message or job.title, done, total)

    def _on_runner_job_finished(self, job: Job, outcome: object) -> None:
        from annotate.model import Change
        from ui.shell import dialogs

        then = self._after_job.pop(job.id, None)
        if outcome is None:
            self.say(f"{job.title}: cancelled; what was finished is saved")
            self.store_watch.catch_up()
            self._reread_store(documents=True)
            self.hub.store_changed.emit()
            return
        change = getattr(outcome, "change", None)
        self.store_watch.catch_up()  # the job's own commits: read here, not "another program"
        self._reread_store(documents=isinstance(change, Change))
        self.say(dialogs.outcome_text(outcome))
        if then is not None:
            then(outcome)
        self.hub.store_changed.emit()

    def _on_runner_job_failed(self, job: Job, exc: object, trace: str) -> None:
        self._after_job.pop(job.id, None)
        report_failure(self, f"{job.title} failed", exc, trace)

    def _on_runner_busy_changed(self, busy: bool) -> None:
        if not busy:
            self.status.show_job(None)
        self.actions.cancel_job.setEnabled(busy)

    def open_example(self) -> MainWindow | None:
        """Help → Open the Worked Example (a second window; one at a time)."""
        from ui.shell.example import open_example

        if self.example_window is not None:
            self.example_window.close()
        self.example_window = open_example(self)
        if self.example_window is not None:
            self.example_window.destroyed.connect(self._on_example_window_destroyed)
        return self.example_window

    def _on_example_window_destroyed(self) -> None:
        self.example_window = None

    # --- settings ---------------------------------------------------------------------------------

    def legend_height(self, window_height: int) -> int:
        if self.session is None:
            return super().legend_height(window_height)
        return self.palette.rows_height()

    def _restore_view_choices(self) -> None:
        s = self.settings
        self.actions.snap.setChecked(_as_bool(s.value("entity/snap"), True))
        self.actions.show_rejected.setChecked(_as_bool(s.value("view/show_rejected"), False))
        self.actions.label_tags.setChecked(_as_bool(s.value("view/label_tags"), False))
        mode = str(s.value("view/arc_mode") or "all")
        if mode in self.actions.arc_mode_actions:
            self.actions.arc_mode_actions[mode].setChecked(True)
            self.view.set_arc_mode(mode)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._shown:
            # the text was laid out before the window had its size: start at the top
            self._shown = True
            QTimer.singleShot(0, self._on_first_shown)

    def _on_first_shown(self) -> None:
        if self.session is None:
            return  # attach() comes back here once the document is shown
        self.view.verticalScrollBar().setValue(0)
        # the corpus views' modules imported, and their panels built, before first opened
        warm_up_later(self, then=self.corpus_ui.prepare_views)
        focus = QApplication.focusWidget()
        if focus is None or focus in self.key_widgets():
            # start in the document list: single keys there only move, never edit
            self.documents.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.first_shown.emit()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if self.session is None:  # closed before the store was open: nothing to keep
            super().closeEvent(event)
            return
        if self.remember_layout:
            self.save_layout()
        self.store_watch.stop()
        if self.runner.busy:
            self.runner.cancel()
            self.runner.wait(15_000)
        self.reader.wait(15_000)
        super().closeEvent(event)


def _example_banner(parent: QWidget) -> QLabel:
    banner = QLabel("Worked example — a finished annotation of the sample article, in a store of "
                    "its own that is made afresh each time it opens. Try anything here: your "
                    "corpus is not touched. Ctrl+W closes this window.", parent)
    banner.setObjectName("exampleBanner")
    banner.setWordWrap(True)
    banner.setStyleSheet("background: #e3efff; color: #0b3d91; padding: 6px 10px;"
                         " border-bottom: 1px solid #9cc0f0; font-weight: 600;")
    return banner


def _read_only_banner(parent: QWidget, path: str) -> QLabel:
    banner = QLabel(f"Read-only: {path} cannot be written, so you can read, search and export "
                    "but not edit. Make the file writable (or copy it) and reopen it to annotate.",
                    parent)
    banner.setObjectName("readOnlyBanner")
    banner.setTextFormat(Qt.TextFormat.PlainText)
    banner.setWordWrap(True)
    banner.setStyleSheet("background: #fff4ce; color: #5c4400; padding: 6px 10px;"
                         " border-bottom: 1px solid #e6d08a;")
    return banner


def _as_bool(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
