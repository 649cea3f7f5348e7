"""ruff finds no undefined names, unused imports or syntax errors anywhere in the project."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_is_clean():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:]
