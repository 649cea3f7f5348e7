"""Run the benchmarks: `python -m bench [MODULE ...]` (default: all of them).

Each benchmark module runs in its own process (so a crash, a Qt abort or a leak in
one cannot take the others down) and returns rows from its `run()`. The table goes
to stdout. Each module's rows go to `bench/results/MODULE.json` (with the machine and
the date of the run), and `bench/results.json` is rebuilt from those files: the latest
rows of every module, in the order they run (a list of {"name", "value", "unit",
"target", "ok"}). `python -m bench --collect` only rebuilds it. A module that fails or
crashes is one row that is not ok.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# run in this order; any other bench_*.py module runs after them
ORDER = ("bench_ner", "bench_actions", "bench_bulk", "bench_export", "bench_startup",
         "bench_memory", "bench_view")
TIMEOUT_S = 1800
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[2])
module = __import__("bench." + sys.argv[1], fromlist=["run"])
rows = module.run()
with open(sys.argv[3], "w", encoding="utf-8") as handle:
    json.dump(rows, handle, ensure_ascii=False)
"""


def run_module(name: str) -> list[dict[str, Any]]:
    """The rows of one benchmark module, run in a child process; a failure is one row."""
    with tempfile.TemporaryDirectory(prefix="arcmark-bench-") as tmp:
        out = Path(tmp) / "rows.json"
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", CHILD, name, str(ROOT), str(out)],
                                cwd=ROOT, env=env, stdout=sys.stderr, stderr=subprocess.PIPE,
                                text=True, errors="replace")
        timer = threading.Timer(TIMEOUT_S, proc.kill)
        timer.start()
        last: deque[str] = deque(maxlen=1)
        assert proc.stderr is not None
        for line in proc.stderr:  # shown as it comes; the last line explains a failure
            print(line, end="", file=sys.stderr, flush=True)
            if line.strip():
                last.append(line.strip())
        proc.wait()
        timer.cancel()
        seconds = time.monotonic() - started
        if seconds >= TIMEOUT_S:
            return [_failed(name, f"timed out after {TIMEOUT_S} s")]
        if proc.returncode != 0 or not out.exists():
            return [_failed(name, f"exit status {proc.returncode}: "
                                  f"{last[0] if last else 'no output'}")]
        rows = json.loads(out.read_text(encoding="utf-8"))
        print(f"{name}: {len(rows)} rows in {seconds:.0f} s", file=sys.stderr, flush=True)
        return [_normalised(r) for r in rows]


def _failed(module: str, why: str) -> dict[str, Any]:
    return {"name": f"{module}: did not run", "value": None, "unit": "", "target": "runs",
            "ok": False, "detail": why[:300]}


def _normalised(r: dict[str, Any]) -> dict[str, Any]:
    """Rows from other modules may give a bare number as target (an upper bound)."""
    target = r.get("target")
    if isinstance(target, (int, float)) and not isinstance(target, bool):
        r = {**r, "target": f"<= {target:g}"}
    return r


def modules() -> list[str]:
    """Every benchmark module (bench/bench_*.py), in the order they run."""
    found = sorted(p.stem for p in HERE.glob("bench_*.py"))
    return [m for m in ORDER if m in found] + [m for m in found if m not in ORDER]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for package in ("spacy", "PySide6", "sqlite_utils"):
        try:
            from importlib.metadata import version

            dist = {"PySide6": "PySide6-Essentials", "sqlite_utils": "sqlite-utils"}.get(package,
                                                                                        package)
            versions.append(f"{package} {version(dist)}")
        except Exception:  # noqa: BLE001 - the table is still useful without a version
            pass
    import sqlite3

    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            + ", ".join(versions))


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and abs(value) < 100:
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)


def print_table(rows: list[dict[str, Any]], file: Any = None) -> None:
    file = file or sys.stdout
    width = max([len(r["name"]) for r in rows] + [4])
    print(f"{'name':<{width}} | {'measured':>14} | {'target':<10} | ok", file=file)
    print(f"{'-' * width}-|-{'-' * 14}-|-{'-' * 10}-|---", file=file)
    for r in rows:
        measured = f"{_fmt(r['value'])} {r.get('unit') or ''}".rstrip()
        target = r.get("target") or ""
        ok = {True: "ok", False: "NO", None: ""}[r.get("ok")]
        print(f"{r['name']:<{width}} | {measured:>14} | {target:<10} | {ok}", file=file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    available = modules()
    parser.add_argument("modules", nargs="*", help=f"some of {', '.join(available)} "
                                                   "(the bench_ prefix is optional)")
    parser.add_argument("--collect", action="store_true",
                        help="only rebuild bench/results.json from bench/results/*.json")
    args = parser.parse_args(argv)
    if args.collect:
        print(f"wrote {collect().relative_to(ROOT)}")
        return 0
    wanted = [m if m.startswith("bench_") else f"bench_{m}" for m in args.modules] or available
    unknown = [m for m in wanted if m not in available]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}")
    print(f"machine: {machine()}", file=sys.stderr)
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    RESULTS.mkdir(exist_ok=True)
    for name in wanted:
        print(f"--- {name}", file=sys.stderr, flush=True)
        module_rows = run_module(name)
        rows += module_rows
        record = {"module": name, "machine": machine(),
                  "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "rows": module_rows}
        (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False)
                                              + "\n", encoding="utf-8")
    print(f"\nmachine: {machine()}\ntotal: {time.monotonic() - started:.0f} s\n")
    print_table(rows)
    print(f"\nwrote {collect().relative_to(ROOT)}")
    return 0


RESULTS = HERE / "results"


def collect() -> Path:
    """Rebuild bench/results.json from the latest rows of every module."""
    rows: list[dict[str, Any]] = []
    for name in modules():
        path = RESULTS / f"{name}.json"
        if path.exists():
            rows += json.loads(path.read_text(encoding="utf-8"))["rows"]
    target = HERE / "results.json"
    target.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    sys.exit(main())
