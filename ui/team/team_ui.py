"""Teams in the window: File → Merge Stores… and Annotator Name…, the Curate tab, the
layer chooser of the document view and the agreement section of the Statistics tab.

`install_team_ui(window)` adds them to the window's frame and hands each part the few
collaborators it uses: the session, the window's `perform`, `submit` and signals.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QMessageBox

from annotate.model import CURATED, Change
from annotate.team.layers import ALL
from ui.team.curate_view import CurateView

if TYPE_CHECKING:
    from ui.common.host import WindowHost
    from ui.team.agreement_view import AgreementSection

CURATE_TITLE = "Curate"
START_VIEW = "ARCMARK_START_VIEW"  # `curate` opens the Curate tab (see ui.corpus.corpus_ui)


class TeamUi(QObject):
    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window, self.session = window, window.session
        self.curate = CurateView(window.session, window.perform, window)
        self.curate_tab = window.tabs.addTab(self.curate, CURATE_TITLE)
        self.agreement: AgreementSection | None = None
        self._stats_panel: object | None = None  # the Statistics tab, once it was shown
        self._agreement_stale = True
        self._make_actions()
        self._make_layer_chooser()
        self._connect()
        self._on_window_document_opened(window.presenter.doc_id)

    def _make_actions(self) -> None:
        w = self.window
        self.merge_action = QAction("&Merge Stores…", w)
        self.merge_action.setObjectName("mergeStores")
        self.merge_action.setStatusTip("Merge analysts' stores into this one, one layer per analyst")
        self.annotator_action = QAction("Annotator &Name…", w)
        self.annotator_action.setObjectName("annotatorName")
        self.show_curate = QAction("&Curate", w)
        self.show_curate.setShortcut(QKeySequence("Ctrl+4"))
        self.show_curate.setStatusTip("Settle the annotators' versions of the open document")
        file_menu, view_menu = w.menus["file"], w.menus["view"]
        file_menu.insertActions(w.actions.export, [self.merge_action, self.annotator_action])
        file_menu.insertSeparator(w.actions.export)
        shown = view_menu.actions()
        after = shown.index(w.actions.show_statistics) + 1
        view_menu.insertAction(shown[after] if after < len(shown) else None, self.show_curate)
        if self.session.read_only:
            self.merge_action.setEnabled(False)

    def _make_layer_chooser(self) -> None:
        self.layer_label = QLabel(" Layer ", self.window)
        self.layer_box = QComboBox(self.window)
        self.layer_box.setObjectName("layerChooser")
        self.layer_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never takes the view's keys
        self.layer_box.setToolTip("Whose version of this document the view shows (it has "
                                  "several); your edits are always yours")
        self.window.toolbar.addSeparator()
        self.layer_action = self.window.toolbar.addWidget(self.layer_label)
        self.layer_box_action = self.window.toolbar.addWidget(self.layer_box)

    def _connect(self) -> None:
        w = self.window
        self.merge_action.triggered.connect(self._on_merge_action_triggered)
        self.annotator_action.triggered.connect(self._on_annotator_action_triggered)
        self.show_curate.triggered.connect(lambda: w.tabs.setCurrentIndex(self.curate_tab))
        self.layer_box.activated.connect(self._on_layer_box_activated)
        w.document_opened.connect(self._on_window_document_opened)
        w.change_applied.connect(self._on_window_change_applied)
        w.tabs.currentChanged.connect(self._on_tabs_current_changed)
        w.corpus_ui.stats_refreshed.connect(self._on_stats_refreshed)

    # --- the open document: curate view and layer chooser ------------------------------------

    def _on_window_document_opened(self, doc_id: object) -> None:
        self._fill_layers(doc_id if isinstance(doc_id, int) else None)
        if self.window.tabs.currentIndex() == self.curate_tab:
            self.curate.set_document(doc_id if isinstance(doc_id, int) else None)

    def _on_tabs_current_changed(self, index: int) -> None:
        if index == self.curate_tab:
            self.curate.set_document(self.window.presenter.doc_id)
            self.curate.table.setFocus(Qt.FocusReason.TabFocusReason)

    def _on_window_change_applied(self, change: Change) -> None:
        self._agreement_stale = True
        doc_id = self.window.presenter.doc_id
        if doc_id is not None and doc_id in change.documents:
            if change.document_list:  # rows came or went, or their status changed
                self._fill_layers(doc_id)
            if self.window.tabs.currentIndex() == self.curate_tab and self.curate.doc_id == doc_id:
                self.curate.set_document(doc_id, keep_row=self.curate.table.currentIndex().row())

    def _fill_layers(self, doc_id: int | None) -> None:
        # one grouped count, not the rows: a long document has tens of thousands
        counts = self.session.store.layer_counts(doc_id) if doc_id is not None else {}
        names = sorted((n for n, c in counts.items() if c["entities"]),
                       key=lambda n: (n == CURATED, n))
        own = self.session.annotator
        several = len(names) > 1
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItem(f"Mine ({own})", own)
        self.layer_box.addItem("All layers", ALL)
        for name in names:
            if name != own:
                self.layer_box.addItem("Curated" if name == CURATED else name, name)
        at = self.layer_box.findData(self.session.shown_layer)
        self.layer_box.setCurrentIndex(max(at, 0))
        self.layer_box.blockSignals(False)
        self.layer_action.setVisible(several)
        self.layer_box_action.setVisible(several)

    def _on_layer_box_activated(self, index: int) -> None:
        layer = self.layer_box.itemData(index)
        self.session.layer = layer
        doc_id = self.window.presenter.doc_id
        if doc_id is not None:
            self.window.open_document(doc_id)
        own = self.session.annotator
        self.window.say("Showing your own version" if layer == own else
                        f"Showing every layer; your edits are {own}'s" if layer == ALL else
                        f"Showing {layer}'s version; your edits are {own}'s")

    # --- merging -------------------------------------------------------------------------------

    def _on_merge_action_triggered(self) -> None:
        w = self.window
        start = str(w.settings.value("team/merge_dir") or Path.home())
        paths, _ = QFileDialog.getOpenFileNames(
            w, "Merge Stores — Arcmark", start, "Arcmark stores (*.db *.sqlite);;All files (*)")
        if paths:
            w.settings.setValue("team/merge_dir", str(Path(paths[0]).parent))
            self.merge([Path(p) for p in paths])

    def merge(self, paths: list[Path]) -> None:
        from ui.team import jobs

        self.window.submit("Merging stores", jobs.merge_stores, then=self._after_merge,
                           paths=paths, **self._job_args())

    def _after_merge(self, outcome: object) -> None:
        from ui.team.jobs import MergeOutcome

        assert isinstance(outcome, MergeOutcome)
        self._agreement_stale = True
        self._fill_layers(self.window.presenter.doc_id)
        if outcome.errors or outcome.notes:
            icon = QMessageBox.Icon.Warning if outcome.errors else QMessageBox.Icon.Information
            box = QMessageBox(icon, "Merge Stores", outcome.summary,
                              QMessageBox.StandardButton.Ok, self.window)
            box.setObjectName("mergeReport")
            lines = [f"Failed: {e}" for e in outcome.errors] + [f"Note: {n}" for n in outcome.notes]
            box.setInformativeText(lines[0] if len(lines) == 1 else f"{len(lines)} messages; see details.")
            box.setDetailedText("\n".join(lines))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            box.open()

    def _on_annotator_action_triggered(self) -> None:
        from ui.team.annotator import SETTING, AnnotatorDialog

        dialog = AnnotatorDialog(self.window, self.session.annotator)
        if dialog.exec():
            self.session.annotator = dialog.name()
            self.window.settings.setValue(SETTING, self.session.annotator)
            self._fill_layers(self.window.presenter.doc_id)
            self.window.say(f"You annotate as {self.session.annotator}")

    # --- agreement in the Statistics tab --------------------------------------------------------

    def _on_stats_refreshed(self, panel: object) -> None:
        # the section is built when the first figures arrive: its modules (numpy among
        # them) are then already loaded by the job, not on the GUI thread
        self._stats_panel = panel
        if self._agreement_stale:
            self._agreement_stale = False
            self.measure_agreement()

    def measure_agreement(self) -> None:
        from ui.team import jobs

        self.window.submit("Measuring agreement", jobs.measure_agreement,
                           then=self._after_agreement, **self._job_args())

    def _job_args(self) -> dict[str, object]:
        return {"db_path": self.session.store.path, "annotator": self.session.annotator}

    def _after_agreement(self, outcome: object) -> None:
        from ui.team.jobs import AgreementOutcome

        assert isinstance(outcome, AgreementOutcome)
        if self.agreement is None and self._stats_panel is not None:
            from ui.team.agreement_view import AgreementSection

            self.agreement = AgreementSection()
            self.agreement.open_requested.connect(self._open_from_agreement)
            self._stats_panel.add_section(self.agreement)  # type: ignore[attr-defined]
        if self.agreement is not None:
            self.agreement.show_report(outcome.report)

    def start_curating(self) -> None:
        """Show the Curate tab with its first conflicting unit selected."""
        self.show_curate.trigger()
        units = self.curate.model.units
        row = next((i for i, u in enumerate(units) if u.state == "conflicting label"), 0)
        if units:
            self.curate.table.selectRow(row)

    def _open_from_agreement(self, doc_id: int) -> None:
        self.window.open_document(doc_id)
        self.window.tabs.setCurrentIndex(self.curate_tab)


def install_team_ui(window: WindowHost) -> TeamUi:
    team = TeamUi(window)
    if os.environ.get(START_VIEW, "").strip() == "curate":  # for demos and screenshots
        QTimer.singleShot(400, team.start_curating)
    return team
