"""Background work from the window: pre-annotation, import, cancel, failures."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from annotate.model import DocumentRecord
from ui.shell.main_window import MainWindow
from ui.shell.worker import BackgroundRunner, JobContext


@pytest.fixture
def window(session, qtbot):
    def make(*records: DocumentRecord) -> MainWindow:
        if records:
            session.import_records(list(records))
        win = MainWindow(session)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        return win

    return make


def _message_box(name: str) -> QMessageBox | None:
    from PySide6.QtWidgets import QApplication

    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.objectName() == name and w.isVisible()), None)


def test_event_loop_keeps_running_while_the_model_works(qtbot, window, seed_text):
    """A 20 ms timer keeps ticking, with no long gap, while spaCy pre-annotates."""
    win = window(DocumentRecord(text=(seed_text + "\n\n") * 2, title="Long article"))
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    started = time.monotonic()
    with qtbot.waitSignal(win.runner.job_finished, timeout=120_000):
        win.preannotate([win.presenter.doc_id])
        assert win.status.progress.isVisible()
    finished = time.monotonic()
    timer.stop()
    during = [t for t in ticks if started <= t <= finished]
    gaps = [b - a for a, b in zip(during, during[1:])]
    assert len(during) >= 10, f"only {len(during)} ticks in {finished - started:.2f} s"
    assert max(gaps) < 0.5
    assert sum(s.status == "suggested" for s in win.view.spans().values()) > 100
    assert not win.status.progress.isVisible()
    assert "suggestions added" in win.statusBar().currentMessage()


def test_cancel_stops_the_running_job(qtbot):
    """The status bar's Cancel reaches the job, which stops at its next check."""
    runner = BackgroundRunner()

    def forever(ctx: JobContext) -> str:
        while not ctx.cancelled():
            ctx.progress(1, 10, "working")
            time.sleep(0.01)
        ctx.check()
        return "unreachable"

    with qtbot.waitSignal(runner.job_started):
        runner.submit("Loop", forever)
    with qtbot.waitSignal(runner.job_finished) as finished:
        runner.cancel()
    assert finished.args[1] is None
    qtbot.waitUntil(lambda: not runner.busy)


def test_jobs_run_in_order_and_report_results(qtbot):
    runner = BackgroundRunner()
    results = []
    runner.job_finished.connect(lambda job, result: results.append(result))
    runner.submit("one", lambda ctx: 1)
    runner.submit("two", lambda ctx: 2)
    qtbot.waitUntil(lambda: results == [1, 2])
    assert not runner.busy


def test_cancel_button_in_the_status_bar(qtbot, window):
    win = window(DocumentRecord(text="Russia.", title="R"))

    def forever(ctx: JobContext) -> None:
        while not ctx.cancelled():
            time.sleep(0.01)

    win.submit("Waiting", lambda ctx: forever(ctx))
    qtbot.waitUntil(win.status.cancel.isVisible)
    with qtbot.waitSignal(win.runner.busy_changed):
        win.status.cancel.click()
    assert not win.status.cancel.isVisible()


def test_import_from_the_window(qtbot, window, tmp_path):
    """File → Import runs in the background; the list shows the new document."""
    win = window()
    path = tmp_path / "Erdoğan visits Moscow.txt"
    path.write_text("Erdoğan visits Moscow.\n\nThe two leaders met.\n", encoding="utf-8")
    with qtbot.waitSignal(win.runner.job_finished, timeout=30_000):
        win.import_paths([path])
    assert [win.documents.model.summary(i).title for i in win.documents.model.ids()] == [
        "Erdoğan visits Moscow."]
    assert win.presenter.document is not None
    assert win.view.text() == win.session.document(win.presenter.doc_id).text


def test_a_failing_job_is_logged_and_shown(qtbot, window, tmp_path):
    """An unexpected error in a job: a dialog naming the log file; the window goes on."""
    win = window(DocumentRecord(text="Russia.", title="R"))

    def broken(ctx: JobContext) -> None:
        raise RuntimeError("the job broke")

    with qtbot.waitSignal(win.runner.job_failed):
        win.submit("Broken job", broken)
    qtbot.waitUntil(lambda: _message_box("bugBox") is not None)
    box = _message_box("bugBox")
    assert "the job broke" in box.text()
    from ui.shell.errors import log_path

    assert "the job broke" in log_path().read_text(encoding="utf-8")
    box.close()


def test_a_user_error_in_a_job_is_one_line(qtbot, window):
    from annotate.model import ArcmarkError

    win = window(DocumentRecord(text="Russia.", title="R"))

    def refuse(ctx: JobContext) -> None:
        raise ArcmarkError("data.txt: not UTF-8; choose an encoding")

    with qtbot.waitSignal(win.runner.job_failed):
        win.submit("Import", refuse)
    box = _message_box("userErrorBox")
    assert box is not None and box.text() == "data.txt: not UTF-8; choose an encoding"
    box.close()
