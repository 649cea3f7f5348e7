"""Errors in the window: user errors as one-line messages, bugs logged and shown.

- An `ArcmarkError` or `StoreError` is something the user can cause and fix: it is
  shown as one line (a message box, or the status bar for a refused edit) and
  never as a traceback.
- Any other exception that reaches the event loop is a bug: `sys.excepthook`
  appends the traceback to `<user data folder>/arcmark/arcmark.log`, shows a
  dialog naming that file, and the application keeps running.
"""
from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

log = logging.getLogger("arcmark")
_installed: dict[str, object] = {}
_open_boxes: list[QMessageBox] = []  # parentless boxes must outlive the function showing them


def user_errors() -> tuple[type[BaseException], ...]:
    # imported on first use: the store module loads sqlite-utils, which the window's
    # first frame does without (see ui.shell.app.run_gui)
    from annotate.model import ArcmarkError
    from storage.store import StoreError

    return ArcmarkError, StoreError


def log_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("arcmark", appauthor=False)) / "arcmark.log"


def _file_handler() -> logging.Handler | None:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    return handler


def log_exception(exc_type: type[BaseException], exc: BaseException,
                  tb: TracebackType | None) -> Path:
    """Append a traceback to the log file; returns the file's path."""
    handler = _file_handler()
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    if handler is not None:
        record = logging.LogRecord("arcmark", logging.ERROR, __file__, 0,
                                   "unhandled exception\n%s", (text,), None)
        handler.emit(record)
        handler.close()
    return log_path()


def show_user_error(parent: QWidget | None, exc: BaseException, title: str = "Arcmark") -> QMessageBox:
    """One line in a window-modal message box that does not block the caller."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, first_line(exc), QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("userErrorBox")
    _open(box)
    return box


def _open(box: QMessageBox) -> None:
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    if box.parent() is None:
        _open_boxes.append(box)
        box.finished.connect(lambda _result: _open_boxes.remove(box))
    box.open()


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _excepthook(exc_type: type[BaseException], exc: BaseException,
                tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    if isinstance(exc, user_errors()):
        show_user_error(QApplication.activeWindow(), exc)
        return
    path = log_exception(exc_type, exc, tb)
    sys.__stderr__.write("".join(traceback.format_exception(exc_type, exc, tb)))
    # show the dialog from the event loop, never from inside the failing handler
    QTimer.singleShot(0, lambda: _show_bug(exc, path))


def _show_bug(exc: BaseException, path: Path) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, "Arcmark — unexpected error",
                      f"Something went wrong: {first_line(exc)}",
                      QMessageBox.StandardButton.Ok, QApplication.activeWindow())
    box.setObjectName("bugBox")
    box.setInformativeText(f"Your work is saved. The details were written to {path}.")
    _open(box)


def install_excepthook() -> None:
    """Route unhandled exceptions to the log file and a dialog (idempotent)."""
    if sys.excepthook is not _excepthook:
        _installed["previous"] = sys.excepthook
        sys.excepthook = _excepthook


def uninstall_excepthook() -> None:
    if sys.excepthook is _excepthook and "previous" in _installed:
        sys.excepthook = _installed.pop("previous")  # type: ignore[assignment]


def report_failure(parent: QWidget | None, what: str, exc: object, trace: str) -> None:
    """A background job failed: one line for a user error, else log it and show a dialog."""
    if isinstance(exc, user_errors()):
        show_user_error(parent, exc)  # type: ignore[arg-type]
        return
    handler = _file_handler()
    if handler is not None:
        handler.emit(logging.LogRecord("arcmark", logging.ERROR, __file__, 0, "%s\n%s",
                                       (what, trace), None))
        handler.close()
    _show_bug(exc if isinstance(exc, BaseException) else RuntimeError(str(exc)), log_path())
