"""Guard against PySide6 releases that drop a reference to None on every void Qt call.

PySide6 6.12.0 on Python 3.11 aborts the interpreter ("none_dealloc") after about
5,000 such calls; this makes 20,000 in a child process so an upgrade can never
bring the bug back unnoticed.
"""
from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(20_000):
    label.setText("x")          # void
    label.setEnabled(i % 2 == 0)  # void
print("survived", sys.getrefcount(None) > 0)
"""


def test_twenty_thousand_void_qt_calls_do_not_abort():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "survived True"
