"""Small dialogs of the window: file pickers, the import report, about."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QFileDialog, QMessageBox, QWidget,
)

from annotate.session import Session
from ui.shell.jobs import ExportOutcome, ImportOutcome, PreannotateOutcome

IMPORT_FILTER = ("Annotatable files (*.txt *.md *.jsonl *.json *.ann *.xmi *.html *.htm *.xhtml "
                 "*.pdf *.docx *.eml);;Text (*.txt *.md);;"
                 "JSON lines, Prodigy, doccano, Label Studio (*.jsonl *.json);;"
                 "brat annotations (*.ann);;INCEpTION UIMA CAS XMI (*.xmi);;"
                 "Received documents: web pages, PDF, Word, e-mail "
                 "(*.html *.htm *.xhtml *.pdf *.docx *.eml);;All files (*)")


def _start_dir(settings: QSettings) -> str:
    return str(settings.value("import/last_dir") or Path.home())


def ask_import_files(parent: QWidget, settings: QSettings) -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(parent, "Import Files", _start_dir(settings),
                                            IMPORT_FILTER)
    if names:
        settings.setValue("import/last_dir", str(Path(names[0]).parent))
    return [Path(n) for n in names]


def ask_import_folder(parent: QWidget, settings: QSettings) -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, "Import Folder", _start_dir(settings))
    if not name:
        return None
    settings.setValue("import/last_dir", name)
    return Path(name)


def outcome_text(outcome: object) -> str:
    """One status-bar line about a finished job."""
    if isinstance(outcome, PreannotateOutcome):
        if outcome.documents == 0:
            return f"Nothing to pre-annotate: {outcome.model} has already seen these documents"
        docs = f"{outcome.documents} document{'s' * (outcome.documents != 1)}"
        return f"Pre-annotated {docs} with {outcome.model}: {outcome.entities} suggestions added"
    if isinstance(outcome, ExportOutcome):
        notes = f" ({'; '.join(outcome.notes)})" if outcome.notes else ""
        return outcome.summary + notes
    if isinstance(outcome, ImportOutcome):
        failed = f"; {len(outcome.errors)} failed" if outcome.errors else ""
        return f"Imported: {outcome.summary or 'nothing'}{failed}"
    summary = getattr(outcome, "summary", None)  # other features' outcomes say what they did
    return summary if isinstance(summary, str) and summary else "Done"


def show_import_report(parent: QWidget, outcome: ImportOutcome) -> None:
    """Errors and notes of an import, if any; a clean import needs no dialog."""
    if not outcome.errors and not outcome.notes:
        return
    icon = QMessageBox.Icon.Warning if outcome.errors else QMessageBox.Icon.Information
    box = QMessageBox(icon, "Import", outcome_text(outcome), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("importReport")
    lines = [f"Failed: {e}" for e in outcome.errors] + [f"Note: {n}" for n in outcome.notes]
    box.setDetailedText("\n".join(lines))
    box.setInformativeText(lines[0] if len(lines) == 1 else f"{len(lines)} messages; see details.")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()


def show_about(parent: QWidget, session: Session) -> None:
    QMessageBox.about(parent, "About Arcmark",
                      "<b>Arcmark</b><br>Read news, correct the entities spaCy finds and "
                      "annotate the relations between them.<br><br>"
                      f"Store: {_escape(str(session.store.path))}<br>"
                      f"Annotator: {_escape(session.annotator)}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
