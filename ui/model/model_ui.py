"""The model loop in the window.

`install_model_ui(window)` adds, once the store is open:

- *Annotate → Train Model*: trains on the reviewed documents in the background (status
  bar: epoch, loss, held-out F1; Cancel leaves the store as it was);
- *Annotate → Pre-annotation Model*: the base model, the latest trained version, or
  one version; pre-annotation then uses it;
- *Relation → Suggest Relations* (this document) and *… in All Documents*;
- in the relation table, `A` accepts and `X` rejects the selected suggestion, `Tab` /
  `Shift+Tab` go to the next / previous suggestion;
- in the text, `Tab` stops on suggested arcs too (ui.document.review) and `A` / `X`
  decide the selected one (`decide_in_text`);
- *View → Relation Suggestions*: a score threshold that hides weaker suggestions (in
  the text and the table; the stored suggestions are not touched).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from annotate.model import Relation, ValidationError
from annotate.model_registry import trained_versions
from ui.relations.relation_table import ID_ROLE

if TYPE_CHECKING:
    from ui.common.host import WindowHost

LOCAL = Qt.ShortcutContext.WidgetShortcut
THRESHOLDS = (0.0, 0.3, 0.5, 0.7, 0.9)
DEFAULT_EPOCHS = 20
HELD_OUT = 0.2


class ModelUi(QObject):
    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.threshold = _float(window.settings.value("view/relation_threshold"), 0.0)
        self.epochs = DEFAULT_EPOCHS
        self._scores: tuple[int | None, dict[int, float]] = (None, {})
        self.train = self._action("&Train Model", "Train the entity and relation models on the "
                                  "documents marked done")
        self.suggest = self._action("&Suggest Relations", "Suggest relations between the "
                                    "accepted entities of this document", ["Ctrl+Shift+S"])
        self.suggest_all = self._action("Suggest Relations in &All Documents", "Suggest "
                                        "relations in every document not yet done")
        self.accept = self._action("&Accept Suggested Relation", "Accept the selected relation "
                                   "suggestion (A)", ["A"], local=True)
        self.reject = self._action("&Reject Suggested Relation", "Reject the selected relation "
                                   "suggestion (X)", ["X"], local=True)
        self.next = self._action("Next Relation Suggestion", "", ["Tab"], local=True)
        self.previous = self._action("Previous Relation Suggestion", "", ["Shift+Tab"], local=True)
        self.model_menu = QMenu("Pre-annotation &Model", window)
        self.model_menu.setObjectName("modelMenu")
        self.model_group = QActionGroup(self.model_menu)
        self.threshold_menu = QMenu("Relation &Suggestions", window)
        self.threshold_group = QActionGroup(self.threshold_menu)
        self._build_menus()
        self._connect()
        self.refresh_models()
        window.presenter.relation_shown = self.relation_shown
        window.review.decide_relation = self.decide_in_text

    def _action(self, text: str, tip: str, keys: Sequence[str] = (), *,
                local: bool = False) -> QAction:
        action = QAction(text, self.window)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setStatusTip(tip)
        if local:
            action.setShortcutContext(LOCAL)
        else:
            self.window.addAction(action)
        return action

    def _build_menus(self) -> None:
        menus = self.window.menus
        annotate = menus["annotate"]
        first = annotate.actions()[0] if annotate.actions() else None
        annotate.insertAction(first, self.train)
        annotate.insertMenu(first, self.model_menu)
        annotate.insertSeparator(first)
        relation = menus["relation"]
        relation.addSeparator()
        relation.addActions([self.suggest, self.suggest_all, self.accept, self.reject])
        for value in THRESHOLDS:
            text = "Show All Suggestions" if value == 0 else f"Hide Suggestions Scored Below {value:g}"
            action = self.threshold_menu.addAction(text)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(abs(value - self.threshold) < 1e-9)
            self.threshold_group.addAction(action)
        view = menus["view"]
        view.insertMenu(self.window.actions.show_rejected, self.threshold_menu)
        table = self.window.relation_ui.table.table
        table.addActions([self.accept, self.reject, self.next, self.previous])

    def _connect(self) -> None:
        w = self.window
        self.train.triggered.connect(self.start_training)
        self.suggest.triggered.connect(self._on_suggest_triggered)
        self.suggest_all.triggered.connect(lambda: self.start_suggesting(None))
        self.accept.triggered.connect(lambda: self._decide(True))
        self.reject.triggered.connect(lambda: self._decide(False))
        self.next.triggered.connect(lambda: self.step_suggestion(1))
        self.previous.triggered.connect(lambda: self.step_suggestion(-1))
        self.model_group.triggered.connect(self._on_model_group_triggered)
        self.threshold_group.triggered.connect(self._on_threshold_group_triggered)
        w.runner.busy_changed.connect(self._update_actions)
        # the window's Accept / Reject follow a selected relation suggestion in the text
        w.view.arc_selection_changed.connect(lambda _arc: w._update_actions())
        w.document_opened.connect(lambda _doc: self._update_actions())
        self._update_actions()

    # --- training and the pre-annotation model -------------------------------------------------

    def start_training(self):  # type: ignore[no-untyped-def]
        from ui.model import model_jobs

        return self.window.submit("Training the model", model_jobs.train_model,
                                  then=self._after_training, epochs=self.epochs,
                                  held_out=HELD_OUT, **self.window._job_args())

    def _after_training(self, outcome: object) -> None:
        self.refresh_models()
        self.window.say(getattr(outcome, "summary", ""))

    def refresh_models(self) -> None:
        """List the base model and the store's trained versions in the model menu."""
        menu, group = self.model_menu, self.model_group
        for action in group.actions():
            group.removeAction(action)
        menu.clear()
        chosen = self.window.model
        choices = [(None, "Base Model (en_core_web_sm)"), ("latest", "Latest Trained Version")]
        choices += [(f"v{v['version']}", f"Version {v['version']} — entity F1 {v['f']:.2f}, "
                     f"{v['documents']} documents, {v['date']}")
                    for v in reversed(trained_versions(self.session))]
        for value, text in choices:
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(value == chosen)
            action.setEnabled(value is None or len(choices) > 2)
            group.addAction(action)

    def _on_model_group_triggered(self, action: QAction) -> None:
        self.window.model = action.data()
        self.window.say(f"Pre-annotation now uses {action.text().split(' —')[0].lower()}")

    # --- relation suggestions --------------------------------------------------------------------

    def _on_suggest_triggered(self) -> None:
        doc_id = self.window.presenter.doc_id
        if doc_id is None:
            self.window.say("Open a document first", error=True)
            return
        self.start_suggesting([doc_id])

    def start_suggesting(self, doc_ids: list[int] | None):  # type: ignore[no-untyped-def]
        from ui.model import model_jobs

        return self.window.submit("Suggesting relations", model_jobs.suggest_relations,
                                  then=self._after_suggesting, doc_ids=doc_ids,
                                  **self.window._job_args())

    def _after_suggesting(self, outcome: object) -> None:
        self._scores = (None, {})
        doc_id = self.window.presenter.doc_id
        if doc_id is not None:
            self.window.presenter.open(doc_id)
            self.window.relation_ui.reload(keep_current=True)
        self.window.say(getattr(outcome, "summary", ""))

    def relation_shown(self, relation: Relation) -> bool:
        """Rejected relations are hidden, and suggestions scored below the threshold."""
        if relation.status == "rejected":
            return False
        if relation.status != "suggested" or self.threshold <= 0:
            return True
        doc, scores = self._scores
        if doc != relation.doc_id:
            from annotate.relation_suggest import relation_scores_of

            scores = relation_scores_of(self.session, relation.doc_id)
            self._scores = (relation.doc_id, scores)
        return scores.get(relation.id, 1.0) >= self.threshold

    def _on_threshold_group_triggered(self, action: QAction) -> None:
        self.threshold = float(action.data())
        self.window.settings.setValue("view/relation_threshold", self.threshold)
        self._scores = (None, {})
        doc_id = self.window.presenter.doc_id
        if doc_id is not None:
            self.window.presenter.open(doc_id)
            self.window.relation_ui.reload(keep_current=True)

    def _suggestions(self) -> list[int]:
        """The suggested relations of the relation table, in the order it shows them."""
        panel = self.window.relation_ui.table
        ids = [int(panel.proxy.index(r, 0).data(ID_ROLE))
               for r in range(panel.proxy.rowCount())]
        return [i for i in ids if self.session.relation(i).status == "suggested"]

    def step_suggestion(self, step: int) -> None:
        ids = self._suggestions()
        if not ids:
            self.window.say("No relation suggestions to review here")
            return
        current = self.window.relation_ui.current
        if current in ids:
            target = ids[(ids.index(current) + step) % len(ids)]
        else:
            target = ids[0] if step > 0 else ids[-1]
        self.window.relation_ui.set_current(target)
        self.window.view.select_arc(target)

    def selected_suggestion(self) -> int | None:
        """The relation suggestion selected in the text (its arc, with no entity selected)."""
        view = self.window.view
        arc = view.selected_arc()
        if arc is None or view.selected_span() is not None:
            return None
        try:
            return arc if self.session.relation(arc).status == "suggested" else None
        except ValidationError:  # deleted meanwhile
            return None

    def decide_in_text(self, accept: bool) -> bool:
        """`A` / `X` in the text with a relation suggestion's arc selected."""
        rid = self.selected_suggestion()
        if rid is None:
            return False
        self.window.relation_ui.set_current(rid)
        self._decide(accept)
        return True

    def _decide(self, accept: bool) -> None:
        rid = self.window.relation_ui.current
        if rid is None:
            self.window.say("Select a relation first", error=True)
            return
        after = self._suggestions()
        verb = self.session.accept_relation if accept else self.session.reject_relation
        if self.window.perform(lambda: verb(rid)) is None:
            return
        rest = [i for i in after if i != rid]
        if rest:  # on to the next suggestion, as for entities
            later = [i for i in rest if after.index(i) > after.index(rid)]
            self.window.relation_ui.set_current((later or rest)[0])
            self.window.view.select_arc((later or rest)[0])

    def _update_actions(self, *_args: object) -> None:
        busy = self.window.runner.busy
        read_only = self.session.read_only
        has_doc = self.window.presenter.doc_id is not None
        self.train.setEnabled(not busy and not read_only)
        self.suggest.setEnabled(not busy and not read_only and has_doc)
        self.suggest_all.setEnabled(not busy and not read_only)
        self.accept.setEnabled(not read_only)
        self.reject.setEnabled(not read_only)


def install_model_ui(window: WindowHost) -> ModelUi:
    return ModelUi(window)


def _float(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
