"""What the window tests share: a main window shown on a store holding their documents,
and the ids of its document's entities and new relations, found by their words."""
from __future__ import annotations

from collections.abc import Iterator

import shiboken6

from annotate.model import DocumentRecord
from ui.shell.main_window import MainWindow


def shown_window(qtbot, session, *records: DocumentRecord, active: bool = True
                 ) -> Iterator[MainWindow]:
    """A fixture's body (`yield from`): the records imported, the window shown at
    1400×900 (and made the active window, so keys reach it), closed and deleted after."""
    session.import_records(list(records))
    window = MainWindow(session)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    if active:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
    yield window
    window.close()
    shiboken6.delete(window)  # with its timers, before the store closes


def entity_id(window: MainWindow, text: str, word: str) -> int:
    """The id of the entity on the first `word` of the document `text`."""
    start = text.index(word)
    return next(i for i, s in window.view.spans().items() if s.start == start)


def add_relation(window: MainWindow, head: int, label: str, tail: int) -> int:
    """A relation added as the window adds one (undoable, shown); its id."""
    change = window.perform(lambda: window.session.add_relation(head, tail, label))
    assert change is not None
    return change.relations[0]
