"""Work on a Dask cluster: batches of plain data out, plain results back, in order.

`dask_client(spec)` connects to a running `dask.distributed` scheduler
(`tcp://host:8786`) or starts a `LocalCluster` of worker processes (`local[:N]`)
and stops it afterwards. `run_batches(client, fn, items, ...)` cuts the items into
batches, sends each batch to a worker as one task `fn(batch, *args)` (a pure
function of plain data, importable on the workers) and yields the results item by
item, in the order the items went in; a few batches per worker are in flight at a
time, so memory stays flat and a cancel stops the run quickly.

Each worker prepares itself once (`LoadOnce`, a worker plugin: e.g. loads the
model) before its first task. A worker that dies mid-batch (killed, out of memory,
its machine gone) loses nothing: the scheduler runs its batches again elsewhere,
and gives up on a batch only after it killed several workers in turn. Closing the
generator early (a cancel, Ctrl+C) cancels the batches still queued.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from annotate.model import ArcmarkError

try:  # the optional extra: without it, the commands say how to install it
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - exercised where the extra is missing
    WorkerPlugin = object  # type: ignore[assignment,misc]

INSTALL_HINT = "pip install .[dask]"
CONNECT_TIMEOUT_S = 10  # to reach the scheduler
WORKERS_TIMEOUT_S = 60  # for a first worker to join a scheduler that has none
JOBS_PER_WORKER = 3  # batches in flight per worker, so none waits for the client
_LOCAL = re.compile(r"local(?::(\d+))?")


def parse_spec(spec: str) -> tuple[int | None, str | None]:
    """(local workers, None) for `local[:N]`, (None, address) for a scheduler address."""
    spec = spec.strip()
    if match := _LOCAL.fullmatch(spec):
        workers = int(match.group(1)) if match.group(1) else min(os.cpu_count() or 1, 4)
        if not 1 <= workers <= 64:
            raise ArcmarkError(f"--dask {spec}: the number of local workers must be 1 to 64")
        return workers, None
    if not spec or spec.startswith(("-", "local")) or any(c.isspace() for c in spec):
        raise ArcmarkError(f"--dask {spec!r}: give a scheduler address (tcp://host:8786) "
                           "or local[:N]")
    return None, spec if "://" in spec else f"tcp://{spec}"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ArcmarkError("running on Dask needs dask.distributed; install it with: "
                           f"{INSTALL_HINT}") from None
    return distributed


class LoadOnce(WorkerPlugin):  # type: ignore[misc]
    """A worker plugin that calls `setup(*args)` once in each worker (and in each worker
    that joins later), before its first task: e.g. loads the model into its cache."""

    def __init__(self, setup: Callable[..., Any], *args: Any) -> None:
        self._setup = setup
        self._args = args
        self.name = f"arcmark-{setup.__module__}.{setup.__qualname__}{args!r}"

    def setup(self, worker: Any) -> None:
        self._setup(*self._args)


@contextlib.contextmanager
def dask_client(spec: str, *, prepare: LoadOnce | None = None) -> Iterator[Any]:
    """A connected `distributed.Client` with at least one worker, `prepare` installed on
    every worker; a `local[:N]` cluster is started here and stopped on the way out."""
    local, address = parse_spec(spec)
    distributed = _distributed()
    _quiet()
    with contextlib.ExitStack() as stack:
        if local is not None:
            # for the whole run: a worker that replaces a lost one starts the same way
            stack.enter_context(_local_start(prepare))
            with _sigint_ignored():  # inherited by the worker processes started now
                cluster = distributed.LocalCluster(n_workers=local, threads_per_worker=1,
                                                   processes=True, dashboard_address=None,
                                                   silence_logs=logging.CRITICAL)
            stack.callback(cluster.close)
            client = distributed.Client(cluster, set_as_default=False)
        else:
            client = _connect(distributed, address)  # type: ignore[arg-type]
        stack.callback(client.close)
        _wait_for_workers(client, address)
        if prepare is not None:
            client.register_plugin(prepare)
        yield client


@contextlib.contextmanager
def _local_start(prepare: LoadOnce | None) -> Iterator[None]:
    """How a local cluster's workers start. On Linux they are forked, as `ner --processes`
    workers are: `prepare` runs here first (the model loaded into this process's cache),
    and every worker, and any that replaces a lost one, starts with spaCy imported and the
    model loaded instead of importing and loading them again (seconds each). Elsewhere
    (fork is unsafe on macOS, missing on Windows) they are spawned and `prepare` runs in
    each, as on a remote cluster."""
    if not sys.platform.startswith("linux"):
        yield
        return
    import dask

    if prepare is not None:
        prepare.setup(None)
    with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
        yield


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ctrl+C reaches the whole process group: the command reports it in one line and
    stops the local workers itself; each worker's own traceback would only add noise."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _connect(distributed: Any, address: str) -> Any:
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ArcmarkError(f"cannot reach the Dask scheduler at {address} ({why})") from None


def _wait_for_workers(client: Any, address: str | None) -> None:
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except TimeoutError:
        raise ArcmarkError(f"no Dask worker joined the scheduler at {address} within "
                           f"{WORKERS_TIMEOUT_S} s; start one with: dask worker {address}"
                           ) from None


def _quiet() -> None:
    """The command reports in one line; the cluster's own log lines (a worker lost and
    replaced, a batch rescheduled) would only add noise on stderr."""
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def run_once(client: Any, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` on one worker (e.g. which model version the workers have)."""
    return _result(client.submit(fn, *args, pure=False))


def run_batches(client: Any, fn: Callable[..., list[Any]], items: Iterable[Any], *,
                args: tuple[Any, ...] = (), batch_size: int = 16) -> Iterator[Any]:
    """`fn(batch, *args)` on the workers, batch by batch; each batch's results (one per
    item, in order) are yielded item by item in the order the items went in."""
    distributed = _distributed()
    batches = _batches(items, batch_size)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    index_of: dict[Any, int] = {}
    done_batches = distributed.as_completed(loop=client.loop)
    waiting: dict[int, list[Any]] = {}
    sent = done = 0

    def submit(count: int) -> None:
        nonlocal sent
        for batch in islice(batches, count):
            future = client.submit(fn, batch, *args, pure=False)
            index_of[future] = sent
            done_batches.add(future)
            sent += 1

    try:
        submit(workers * JOBS_PER_WORKER)
        for future in done_batches:
            waiting[index_of.pop(future)] = _result(future)
            submit(1)  # one batch in, one batch out
            while done in waiting:
                yield from waiting.pop(done)
                done += 1
    finally:
        if index_of:  # a cancel or an error: the queued batches are not needed
            client.cancel(list(index_of))


def _result(future: Any) -> Any:
    try:
        return future.result()
    except ArcmarkError:
        raise
    except Exception as exc:  # the worker's error (re-raised here) or a batch that killed workers
        name = type(exc).__name__
        if name == "KilledWorker":
            raise ArcmarkError("a batch stopped Dask workers several times in a row; "
                               "stopping the run") from None
        raise ArcmarkError(f"Dask worker failed: {name}: {exc}") from None


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch
