"""`make run` names the missing system libraries instead of Qt's cryptic plugin abort."""
from __future__ import annotations

import shutil

import pytest

from tools import qt_check


def test_reports_the_libraries_the_linker_cannot_find(tmp_path, monkeypatch, capsys):
    plugin = qt_check.xcb_plugin()
    if plugin is None or shutil.which("ldd") is None:
        pytest.skip("no xcb plugin or ldd on this platform")
    lonely = tmp_path / "libqxcb.so"  # away from Qt's own libraries: they cannot be found
    shutil.copy(plugin, lonely)
    assert "libQt6XcbQpa.so.6" in qt_check.missing_libraries(lonely)
    monkeypatch.setattr(qt_check, "xcb_plugin", lambda: lonely)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert qt_check.main() == 1
    err = capsys.readouterr().err
    assert "missing: " in err and "libQt6XcbQpa.so.6" in err and "apt-get install" in err


def test_no_display_is_said_plainly(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert qt_check.main() == 1
    assert "needs a display" in capsys.readouterr().err


def test_offscreen_needs_nothing(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert qt_check.main() == 0
