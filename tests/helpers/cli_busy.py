"""Run the real command line with a shorter busy timeout, so a test of a locked store
does not wait the default ten seconds:

    python tests/helpers/cli_busy.py SECONDS COMMAND [OPTIONS...]
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import main  # noqa: E402
from storage.store import Store  # noqa: E402

if __name__ == "__main__":
    Store.__init__.__kwdefaults__["busy_timeout"] = float(sys.argv[1])
    sys.argv[1:2] = []
    main.cli()
