"""Who annotates in this window: asked once, kept in the settings.

The name comes from `--annotator` (or $ARCMARK_ANNOTATOR) when given, else from the
settings; the first time there is neither, a small dialog asks for it, prefilled with
the OS user. On a platform without a screen (tests, `make run` offscreen, benchmarks)
nothing is asked: the OS user is taken and not remembered.
"""
from __future__ import annotations

import getpass
import os

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from annotate.model import ValidationError
from annotate.annotators import ANNOTATOR_ENV, check_annotator

SETTING = "team/annotator"
HEADLESS = ("offscreen", "minimal")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def stored_annotator(settings: QSettings) -> str | None:
    value = settings.value(SETTING)
    try:
        return check_annotator(str(value)) if value else None
    except ValidationError:
        return None


def resolve_annotator(parent: QWidget, settings: QSettings, given: str | None) -> str:
    """The window's annotator (see the module's docstring); may ask once."""
    if given or os.environ.get(ANNOTATOR_ENV, "").strip():
        return check_annotator(given or os.environ[ANNOTATOR_ENV])
    stored = stored_annotator(settings)
    if stored is not None:
        return stored
    if QGuiApplication.platformName() in HEADLESS:
        return check_annotator(os_user())
    dialog = AnnotatorDialog(parent, os_user(), first_time=True)
    dialog.exec()
    name = dialog.name()  # a dismissed dialog keeps the prefilled OS user
    settings.setValue(SETTING, name)
    return name


class AnnotatorDialog(QDialog):
    """Asks for the annotator's name; accepts only a name that can be used."""

    def __init__(self, parent: QWidget | None, current: str, *, first_time: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("annotatorDialog")
        self.setWindowTitle("Your Name — Arcmark")
        intro = QLabel("Every entity, relation and edit you make carries this name, so a team "
                       "can merge its stores and see who annotated what."
                       + (" You can change it later in the File menu." if first_time else ""), self)
        intro.setWordWrap(True)
        intro.setMinimumWidth(420)  # a wrapped label is laid out to its height at this width
        self.edit = QLineEdit(current, self)
        self.edit.setObjectName("annotatorName")
        self.edit.selectAll()
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #b42318;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.edit)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._fallback = current

    def _on_edit_text_changed(self, text: str) -> None:
        try:
            check_annotator(text)
        except ValidationError as exc:
            self.problem.setText(str(exc))
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        self.problem.clear()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def name(self) -> str:
        """The name typed if the dialog was accepted with a usable one, else the one it
        started with."""
        if self.result() == QDialog.DialogCode.Accepted:
            try:
                return check_annotator(self.edit.text())
            except ValidationError:
                pass
        return check_annotator(self._fallback)
