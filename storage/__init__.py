"""The SQLite store; the only package that runs SQL."""
from __future__ import annotations

import sys


def _import_sqlite_utils_without_numpy() -> None:
    """sqlite-utils imports numpy and pandas when they are installed, only to map their
    number types to column types — which the store never writes. spaCy brings numpy along,
    and importing it costs about a tenth of a second of start-up, before the window shows:
    import sqlite-utils with both hidden, then let them be imported normally later."""
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


_import_sqlite_utils_without_numpy()
