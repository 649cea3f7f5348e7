"""Installed like an application: a copy of the clone installed into a throwaway environment
gives an `arcmark` command that imports, exports and opens the window, away from the clone."""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build",
                                     "out", "*.db", "*.db-*", ".pytest_cache", ".ci-test.log")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """`pip install --no-deps .` of a copy of the clone into a new venv that sees this
    environment's packages (so nothing is downloaded); returns the venv's bin folder."""
    base = tmp_path_factory.mktemp("install")
    src = base / "clone"
    shutil.copytree(ROOT, src, ignore=_NOT_SOURCE, symlinks=True)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv),
                                                        "platbase": str(venv)}))
    parents = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (purelib / "_parent_environment.pth").write_text("\n".join(parents) + "\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", str(src)],
                   check=True, capture_output=True, timeout=300)
    return venv / "bin"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ARCMARK"))}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               QT_QPA_PLATFORM="offscreen")
    return env


def _run(bin_dir: Path, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "arcmark"), *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=180, env={**_env(tmp_path), **env})


def test_arcmark_version_comes_from_the_installed_package(installed, tmp_path):
    """`arcmark --version` prints the version pyproject.toml declares."""
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    out = _run(installed, tmp_path, "--version")
    assert (out.returncode, out.stdout) == (0, f"arcmark {declared}\n"), out.stderr


def test_the_installed_command_runs_the_installed_code(installed, tmp_path):
    """The command's modules, default schema, relation patterns and seed article come from
    the install, not the clone."""
    code = ("import main, annotate.schema as s, annotate.model_registry as r, pathlib; "
            "print(main.__file__); print(s.DEFAULT_SCHEMA_PATH.is_file()); "
            "print(r.PATTERNS_PATH.is_file()); print(len(list(main.SEEDS.glob('*.txt'))))")
    out = subprocess.run([str(installed / "python"), "-c", code], cwd=tmp_path, text=True,
                         capture_output=True, env=_env(tmp_path), timeout=60)
    where, schema_ok, patterns_ok, seeds = out.stdout.split()
    assert Path(where).is_relative_to(installed.parent) and not Path(where).is_relative_to(ROOT)
    assert schema_ok == "True" and patterns_ok == "True" and int(seeds) >= 1


def test_arcmark_imports_and_exports(installed, tmp_path):
    """`arcmark import` then `arcmark export` work like `python main.py import/export`."""
    (tmp_path / "a.txt").write_text("Turkey buys S-400 systems from Russia.\n", encoding="utf-8")
    db = tmp_path / "c.db"
    out = _run(installed, tmp_path, "import", "--db", str(db), "a.txt")
    assert out.returncode == 0 and "1 new document" in out.stdout, out.stderr
    out = _run(installed, tmp_path, "export", "--db", str(db), "--format", "jsonl",
               "--out", "c.jsonl")
    assert out.returncode == 0, out.stderr
    assert "Turkey buys S-400" in (tmp_path / "c.jsonl").read_text(encoding="utf-8")
    bad = _run(installed, tmp_path, "import", "--db", str(db), "missing.txt")
    assert bad.returncode == 1 and bad.stderr.strip().endswith("no such file or folder")


def test_arcmark_gui_starts_and_exits(installed, tmp_path):
    """`arcmark gui` paints its window under offscreen Qt and quits on the bench hook."""
    out = _run(installed, tmp_path, "gui", "--db", str(tmp_path / "g.db"),
               ARCMARK_EXIT_WHEN_SHOWN="1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ARCMARK_SHOWN "), out.stdout


def test_the_desktop_entry_names_the_command_and_its_icon():
    """The freedesktop entry runs `arcmark gui` and its icon is a real SVG."""
    import configparser
    import xml.etree.ElementTree as ET

    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(ROOT / "desktop" / "arcmark.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Exec"], desktop["Icon"]) == ("Application", "arcmark gui",
                                                                   "arcmark")
    assert ET.parse(ROOT / "desktop" / "arcmark.svg").getroot().tag.endswith("svg")
