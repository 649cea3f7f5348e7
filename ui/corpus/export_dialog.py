"""File → Export…: choose a format, a target and which documents; the export runs in the background."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QPushButton, QWidget,
)

from annotate.formats import export_target_is_folder, exporter_names

FORMAT_NAMES = {
    "jsonl": "JSONL (Arcmark's own record: ids, statuses, provenance)",
    "prodigy": "Prodigy rel.manual tasks (.jsonl)",
    "doccano": "doccano relation extraction (.jsonl)",
    "labelstudio": "Label Studio tasks (.json)",
    "xmi": "INCEpTION UIMA CAS XMI folder (.xmi + TypeSystem.xml)",
    "spacy": "spaCy DocBin (.spacy)",
    "brat": "brat folder (.txt + .ann + annotation.conf)",
    "conll": "CoNLL-2003 IOB2 (.conll)",
    "csv": "CSV folder (entities.csv + relations.csv; formula cells made inert)",
    "csv-raw": "CSV folder, values exactly as stored (formula cells not neutralised)",
    "graphml": "GraphML entity graph (.graphml)",
}
SUFFIX = {"jsonl": ".jsonl", "prodigy": ".jsonl", "doccano": ".jsonl", "labelstudio": ".json",
          "spacy": ".spacy", "conll": ".conll", "graphml": ".graphml"}
STATUSES = [("All documents", None), ("Done", "done"), ("In progress", "in_progress"),
            ("New", "new"), ("Curated", "curated")]


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    out: Path
    status: str | None
    layer: str = "auto"  # whose annotations: see annotate.team.layers


class ExportDialog(QDialog):
    def __init__(self, parent: QWidget, start_dir: Path, layers: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export — Arcmark")
        self.start_dir = start_dir
        self.format = QComboBox(self)
        self.format.setObjectName("exportFormat")
        for name in exporter_names():
            self.format.addItem(FORMAT_NAMES.get(name, name), name)
        self.status = QComboBox(self)
        self.status.setObjectName("exportStatus")
        for text, value in STATUSES:
            self.status.addItem(text, value)
        self.layer = QComboBox(self)
        self.layer.setObjectName("exportLayer")
        self.layer.addItem("Curated version where there is one, else all", "auto")
        self.layer.addItem("Everything stored (all annotators)", "all")
        for name in layers:
            self.layer.addItem("Curated only" if name == "curated" else f"{name}'s only", name)
        self.target = QLineEdit(self)
        self.target.setObjectName("exportTarget")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(browse)
        self.hint = QLabel(self)
        self.hint.setStyleSheet("color: #5f6b7a;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("Documents", self.status)
        form.addRow("Annotations", self.layer)
        form.addRow("Save to", row)
        form.addRow("", self.hint)
        form.addRow(self.buttons)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.target.textChanged.connect(self._update_ok)
        self._on_format_changed()
        self.resize(560, 0)

    def fmt(self) -> str:
        return str(self.format.currentData())

    def request(self) -> ExportRequest:
        return ExportRequest(self.fmt(), Path(self.target.text()).expanduser(),
                             self.status.currentData(), str(self.layer.currentData()))

    def _on_format_changed(self) -> None:
        fmt = self.fmt()
        folder = export_target_is_folder(fmt)
        name = "arcmark-" + fmt + ("" if folder else SUFFIX.get(fmt, ""))
        self.target.setText(str(self.start_dir / name))
        self.hint.setText("A folder (created if needed)." if folder else "A file.")
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.target.text().strip()))

    def _on_browse_clicked(self) -> None:
        if export_target_is_folder(self.fmt()):
            name = QFileDialog.getExistingDirectory(self, "Export to Folder", str(self.start_dir))
        else:
            name, _ = QFileDialog.getSaveFileName(self, "Export to File", self.target.text())
        if name:
            self.target.setText(name)
