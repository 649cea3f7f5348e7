"""The layering rules: only ui/ imports PySide6, only storage/ runs SQL."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# SQL as this code base writes it: upper-case keywords
SQL_STATEMENT = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|"
                           r"DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|PRAGMA\s+\w+)", re.S)


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_ui_imports_pyside6():
    """PySide6/Qt appear only under ui/ (and the composition root stays Qt-free too)."""
    offenders = [str(p.relative_to(ROOT)) for folder in ("annotate", "storage", "bench", "tools")
                 for p in _python_files(folder) if {"PySide6", "shiboken6"} & _imports(p)
                 and folder in ("annotate", "storage")]
    offenders += ["main.py"] if {"PySide6"} & _imports(ROOT / "main.py") else []
    assert offenders == []


def test_lower_layers_never_import_ui():
    offenders = [str(p.relative_to(ROOT)) for folder in ("annotate", "storage")
                 for p in _python_files(folder) if "ui" in _imports(p)]
    offenders += [str(p.relative_to(ROOT)) for p in _python_files("storage")
                  if "annotate" in _imports(p)]
    assert offenders == []


def test_only_storage_runs_sql():
    """No SQL statement text, sqlite3 or sqlite_utils outside storage/."""
    offenders = []
    for folder in ("annotate", "ui"):
        for path in _python_files(folder):
            source = path.read_text(encoding="utf-8")
            if {"sqlite3", "sqlite_utils"} & _imports(path):
                offenders.append(f"{path.relative_to(ROOT)}: imports sqlite")
            tree = ast.parse(source)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    if SQL_STATEMENT.search(node.value):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: SQL text")
                if isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany", "query"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}()")
    assert offenders == []


def test_domain_runs_without_qt():
    """annotate/ and storage/ import and work in a process where PySide6 cannot be imported."""
    code = (
        "import sys; sys.modules['PySide6'] = None; sys.modules['shiboken6'] = None\n"
        "import annotate.session, annotate.preannotate, annotate.corpus_io, storage.store\n"
        "from annotate.session import Session; from storage.store import Store\n"
        "from annotate.model import DocumentRecord\n"
        "s = Session(Store(':memory:'))\n"
        "r = s.import_records([DocumentRecord(text='Russia and Turkey.')])\n"
        "s.add_entity(r.documents_added[0], 0, 6, 'GPE')\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_the_store_does_not_import_numpy_on_the_way_to_the_window():
    """sqlite-utils would import numpy (0.1 s of start-up) for types the store never writes;
    numpy still imports normally afterwards, for spaCy."""
    code = ("import sys, storage.store; print('numpy' in sys.modules); "
            "import numpy, sqlite_utils.db; print(numpy.__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "numpy"], out.stderr


def test_the_window_parts_do_not_import_the_main_window():
    """Parts of the window get a hub and the widgets they use: none imports MainWindow
    (not even for type checking), so ui/ has no import circle through it; only start-up
    (ui/shell/app.py) builds one."""
    offenders = []
    for path in _python_files("ui"):
        if path.relative_to(ROOT).as_posix() in ("ui/shell/main_window.py", "ui/shell/app.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "ui.shell.main_window":
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
