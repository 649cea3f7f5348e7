"""Importing a large folder from the window: in the background, counted, with time left, cancellable."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

from annotate.formats import count_sources
from ui.shell.main_window import MainWindow
from ui.shell.status import format_time_left

ARTICLE = ("Russia and Turkey agreed on {n} new steps in Syria, officials in Ankara said. "
           "Iran welcomed the talks in Astana.\n")


@pytest.fixture
def articles(tmp_path):
    folder = tmp_path / "wire"
    folder.mkdir()
    for n in range(1500):
        (folder / f"article {n:05}.txt").write_text(f"Wire {n}\n\n" + ARTICLE.format(n=n),
                                                    encoding="utf-8")
    return folder


def test_large_folder_imports_in_the_background_with_counted_progress(qtbot, session, articles):
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    assert count_sources(articles) == 1500
    seen: list[tuple[int, int]] = []
    win.runner.job_progress.connect(lambda job, done, total, msg: seen.append((done, total)))
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    with qtbot.waitSignal(win.runner.job_finished, timeout=300_000):
        win.import_paths([articles])
    timer.stop()
    assert len(session.documents()) == 1500
    assert seen and all(total == 1500 for _, total in seen) and max(d for d, _ in seen) == 1500
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > 10 and max(gaps) < 0.5  # the window kept answering
    # the list shows them all (a list this long is read off the GUI thread)
    qtbot.waitUntil(lambda: len(win.documents.visible_ids()) == 1500, timeout=30_000)


def test_cancelled_import_keeps_whole_files_only(qtbot, session, articles):
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    cancel_at = 200

    def maybe_cancel(job, done, total, msg):
        if done >= cancel_at:
            win.runner.cancel()

    win.runner.job_progress.connect(maybe_cancel)
    with qtbot.waitSignal(win.runner.job_finished, timeout=300_000):
        win.import_paths([articles])
    docs = session.documents()
    assert cancel_at <= len(docs) < 1500
    assert all(d.title.startswith("Wire ") for d in docs)


def test_time_left_reads_like_a_person_would_say_it(qtbot, session):
    win = MainWindow(session)
    qtbot.addWidget(win)
    status = win.status
    status.show_job("Importing", 0, 1000)
    status._rate_from = (time.monotonic() - 10, 0)  # 100 done in 10 s: 90 s for the rest
    status.show_job("Importing", 100, 1000)
    assert status.job_label.text() == "Importing · about 2 min left"
    assert format_time_left(20) == "less than a minute left"
    assert format_time_left(5400) == "about 1.5 h left"
