"""The window's Qt item models: consistent under pytest-qt's model tester, and filters."""
from __future__ import annotations

from dataclasses import replace

from annotate.model import DocumentSummary, Entity
from ui.corpus.document_list import DocumentFilterModel, DocumentListModel, ID_ROLE
from ui.document.entity_table import EntityFilterModel, EntityTableModel


def _summary(doc_id: int, title: str, status: str = "new", entities: int = 0) -> DocumentSummary:
    return DocumentSummary(doc_id, title, status, None, entities, 0, 0, 100, "")


def _entity(entity_id: int, start: int, label: str = "GPE", status: str = "accepted") -> Entity:
    return Entity(entity_id, 1, start, start + 5, label, "Words", status=status)


def test_document_list_model_passes_the_model_tester(qtmodeltester):
    model = DocumentListModel()
    model.set_documents([_summary(1, "Russia"), _summary(2, "Turkey", "done")])
    qtmodeltester.check(model)
    model.set_documents([_summary(2, "Turkey", "done", 4), _summary(3, "Iran")])
    qtmodeltester.check(model)
    assert model.ids() == [2, 3]


def test_document_filter_passes_the_model_tester_and_filters(qtmodeltester):
    model = DocumentListModel()
    proxy = DocumentFilterModel()
    proxy.setSourceModel(model)
    model.set_documents([_summary(1, "Russia and Turkey"), _summary(2, "Iran talks", "done"),
                         _summary(3, "Turkey buys S-400", "in_progress")])
    qtmodeltester.check(proxy)
    proxy.set_text("TURKEY")
    assert [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())] == [1, 3]
    proxy.set_status("in_progress")
    assert [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())] == [3]
    qtmodeltester.check(proxy)


def test_document_list_updates_a_row_in_place():
    """A count change is one dataChanged, not a reset."""
    model = DocumentListModel()
    model.set_documents([_summary(1, "A"), _summary(2, "B")])
    changed = []
    model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), bottom.row())))
    model.modelReset.connect(lambda: changed.append("reset"))
    model.set_documents([_summary(1, "A"), _summary(2, "B", entities=3)])
    assert changed == [(1, 1)]


def test_entity_table_model_passes_the_model_tester_through_edits(qtmodeltester):
    model = EntityTableModel()
    model.set_entities([_entity(1, 10), _entity(2, 0), _entity(3, 20, status="suggested")])
    qtmodeltester.check(model)
    model.upsert([_entity(4, 5)])  # insert in the middle
    model.upsert([replace(_entity(1, 10), label="LOC")])  # change in place
    model.upsert([replace(_entity(2, 0), start=30, end=35)])  # moves to the end
    model.remove([3])
    qtmodeltester.check(model)
    assert [e.id for e in model.entities()] == [4, 1, 2]
    assert model.entity(1).label == "LOC"


def test_entity_filter_hides_rejected_and_hidden_labels(qtmodeltester):
    model = EntityTableModel()
    proxy = EntityFilterModel()
    proxy.setSourceModel(model)
    model.set_entities([_entity(1, 0), _entity(2, 10, "PERSON"), _entity(3, 20, status="rejected")])
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 2
    proxy.set_show_rejected(True)
    assert proxy.rowCount() == 3
    proxy.set_hidden_labels({"GPE"})
    assert proxy.rowCount() == 1
    qtmodeltester.check(proxy)
