"""File → Export… from the window: every format, in the background, readable by its tools."""
from __future__ import annotations

import json

import networkx
import pytest

from annotate.corpus_io import import_path
from annotate.formats import exporter_names
from tests.conftest import ROOT
from ui.corpus.export_dialog import ExportDialog
from ui.shell.main_window import MainWindow

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"


@pytest.fixture
def window(qtbot, session):
    import_path(session, EXAMPLE)
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.mark.parametrize("fmt", ["jsonl", "spacy", "brat", "conll", "csv", "graphml", "prodigy",
                                 "doccano", "labelstudio", "xmi"])
def test_every_format_exports_from_the_window(qtbot, window, tmp_path, fmt):
    out = tmp_path / ("out" if fmt in ("brat", "csv", "xmi") else f"out.{fmt}")
    with qtbot.waitSignal(window.runner.job_finished, timeout=120_000):
        window.export(fmt, out)
    assert out.exists()
    assert "Exported 1 documents" in window.statusBar().currentMessage()
    if fmt == "jsonl":
        record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
        assert len(record["relations"]) == 39
    elif fmt == "graphml":
        graph = networkx.read_graphml(out)
        assert {"Russia", "Turkey", "Iran"} <= {d.get("text") for _, d in graph.nodes(data=True)}
    elif fmt == "brat":
        assert len(list(out.glob("*.ann"))) == 1 and (out / "annotation.conf").exists()
    elif fmt == "csv":
        assert {p.name for p in out.iterdir()} == {"entities.csv", "relations.csv"}
    elif fmt in ("prodigy", "doccano"):
        record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
        assert record["relations"] and record["text"].startswith(record["text"][:10])
    elif fmt == "labelstudio":
        (task,) = json.loads(out.read_text(encoding="utf-8"))
        assert task["annotations"][0]["result"]
    elif fmt == "xmi":
        assert (out / "TypeSystem.xml").exists() and len(list(out.glob("*.xmi"))) == 1


def test_status_filter_and_the_dialog(qtbot, window, tmp_path):
    dialog = ExportDialog(window, tmp_path)
    qtbot.addWidget(dialog)
    assert [dialog.format.itemData(i) for i in range(dialog.format.count())] == exporter_names()
    # every format is offered by a name a reader understands, not its bare key
    assert all(dialog.format.itemText(i) != dialog.format.itemData(i)
               for i in range(dialog.format.count()))
    dialog.format.setCurrentIndex(exporter_names().index("brat"))
    assert dialog.request().out == tmp_path / "arcmark-brat" and "folder" in dialog.hint.text()
    dialog.format.setCurrentIndex(exporter_names().index("labelstudio"))
    assert dialog.request().out == tmp_path / "arcmark-labelstudio.json"
    dialog.format.setCurrentIndex(exporter_names().index("jsonl"))
    dialog.status.setCurrentIndex(2)  # in progress: the example is done
    request = dialog.request()
    assert request.out.suffix == ".jsonl" and request.status == "in_progress"
    with qtbot.waitSignal(window.runner.job_finished, timeout=60_000):
        window.export(request.fmt, request.out, request.status)
    assert request.out.read_text(encoding="utf-8") == ""


def test_an_unwritable_target_is_one_message(qtbot, window, tmp_path, monkeypatch):
    from ui.shell import main_window

    shown: list[str] = []
    monkeypatch.setattr(main_window, "report_failure",
                        lambda parent, what, exc, trace: shown.append(str(exc)))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with qtbot.waitSignal(window.runner.job_failed, timeout=60_000):
        window.export("jsonl", blocker / "inside.jsonl")
    assert len(shown) == 1 and "\n" not in shown[0]
