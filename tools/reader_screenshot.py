"""Open the window in reading mode with the dark look, for docs/reading-dark.png.

    /work/shared/tools/screenshot docs/reading-dark.png --wait 6 -- \\
        python -m tools.reader_screenshot --db STORE [--doc ID]

Sets the user's theme to Dark (what View → Theme → Dark does; with "Follow the Desktop"
a dark desktop gives the same look), opens the window on the store, shows the document
and switches reading mode on (what F11 does).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--doc", type=int, default=None)
    args = parser.parse_args()
    from PySide6.QtCore import QPoint, QSettings, QTimer
    from PySide6.QtGui import QCursor

    from annotate.session import Session
    from storage.store import Store
    from ui.shell.app import application
    from ui.shell.main_window import MainWindow

    app = application()
    QSettings("Arcmark", "Arcmark").setValue("reader/theme", "dark")
    window = MainWindow(Session(Store(args.db)), remember_layout=False)
    window.resize(1500, 940)
    window.show()
    if args.doc is not None:
        window.open_document(args.doc)

    def read() -> None:
        window.reader_ui.reading_mode.setChecked(True)
        QCursor.setPos(QPoint(0, 0))  # no tooltip over the text

    QTimer.singleShot(400, read)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
