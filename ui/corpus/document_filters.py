"""The corpus filters above the document list: entity (text or SAME_AS group), entity
label, relation label, annotator.

The bar asks `annotate.search.matching_documents` for the ids that pass and emits them
(`ids_changed`, None when no filter is set); the list's proxy shows only those.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QWidget

from annotate.model import ArcmarkError
from annotate.search import DocumentFilter, FilterChoices, filter_choices, matching_documents
from annotate.session import Session
from storage.store import StoreError

if TYPE_CHECKING:
    from ui.common.reader import StoreReader


class DocumentFilterBar(QWidget):
    ids_changed = Signal(object)  # set[int] | None

    def __init__(self, session: Session, parent: QWidget | None = None,
                 reader: StoreReader | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentCorpusFilters")
        self.session = session
        self.reader = reader  # reads off the GUI thread when set
        self.entity_edit = QLineEdit(self)
        self.entity_edit.setObjectName("documentEntityFilter")
        self.entity_edit.setPlaceholderText("Entity, e.g. Moscow")
        self.entity_edit.setClearButtonEnabled(True)
        self.entity_edit.setToolTip("Documents that mention this entity, or another name joined "
                                    "to it by SAME_AS anywhere in the corpus")
        self.entity_label = self._combo("documentEntityLabelFilter", "Any entity label")
        self.relation_label = self._combo("documentRelationLabelFilter", "Any relation")
        self.annotator = self._combo("documentAnnotatorFilter", "Any annotator")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.entity_edit, 0, 0)
        grid.addWidget(self.entity_label, 0, 1)
        grid.addWidget(self.relation_label, 1, 0)
        grid.addWidget(self.annotator, 1, 1)
        self.fill_choices()
        self.entity_edit.textChanged.connect(lambda _t: self._debounce.start())
        self._debounce.timeout.connect(self.reapply)
        for combo in (self.entity_label, self.relation_label, self.annotator):
            combo.currentIndexChanged.connect(lambda _i: self.reapply())

    def _combo(self, name: str, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem(everything, None)
        return combo

    def fill_choices(self) -> None:
        """(Re)fill the combos from the schema and the store, keeping the choices made
        (off the GUI thread when the bar has a `reader` and the store is large: the
        annotators of 100,000 documents take a moment to gather)."""
        if self.reader is None:
            self._set_choices(filter_choices(self.session))
        else:
            self.reader.read("filter choices", filter_choices, self._set_choices)

    def _set_choices(self, choices: FilterChoices) -> None:
        for combo, values in ((self.entity_label, choices.entity_labels),
                              (self.relation_label, choices.relation_labels),
                              (self.annotator, choices.annotators)):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
            combo.blockSignals(False)

    def current(self) -> DocumentFilter:
        return DocumentFilter(entity=self.entity_edit.text().strip(),
                              entity_label=self.entity_label.currentData(),
                              relation_label=self.relation_label.currentData(),
                              annotator=self.annotator.currentData())

    def reapply(self) -> None:
        """Work out which documents pass (off the GUI thread when the bar has a `reader`
        and the store is large); `ids_changed` with the answer to the latest filter."""
        self._debounce.stop()
        flt = self.current()
        if self.reader is None:
            self.ids_changed.emit(_matching(self.session, flt))
            return
        self.reader.read("document filters", lambda session: _matching(session, flt),
                         self.ids_changed.emit)


def _matching(session: Session, flt: DocumentFilter) -> set[int] | None:
    try:
        return matching_documents(session, flt)
    except (ArcmarkError, StoreError):
        return None
