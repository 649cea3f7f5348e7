"""Shared fixtures: real stores on disk, the real model, the seed article."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from annotate.session import Session  # noqa: E402
from storage.store import Store  # noqa: E402

SEED = next((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user data folder or settings from a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("ARCMARK_DB", raising=False)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "corpus.db"


@pytest.fixture
def store(db_path):
    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture
def session(store) -> Session:
    return Session(store, annotator="tester")


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def nlp():
    from annotate.nlp import load_model

    return load_model()


@pytest.fixture(autouse=True)
def _fresh_qt_settings():
    """Qt caches the settings path per process: every window test starts from empty settings."""
    if "PySide6.QtCore" not in sys.modules:
        yield
        return
    from PySide6.QtCore import QSettings

    QSettings("Arcmark", "Arcmark").clear()
    yield
    QSettings("Arcmark", "Arcmark").clear()
