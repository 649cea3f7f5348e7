"""The team's background jobs, as plain functions of plain data (see `ui.shell.jobs`)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annotate.model import ArcmarkError, Change
from annotate.session import Session
from storage.store import Store
from ui.shell.worker import JobContext

if TYPE_CHECKING:  # the agreement's modules (numpy) load in the job, not on the GUI thread
    from annotate.team.agreement import AgreementReport


@dataclass
class MergeOutcome:
    summary: str = ""
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    change: Change = field(default_factory=lambda: Change("Merge stores"))
    cancelled: bool = False


@dataclass
class AgreementOutcome:
    report: AgreementReport
    summary: str = ""


def _open(db_path: Path, annotator: str) -> Session:
    if str(db_path) == ":memory:":
        raise ArcmarkError("background work needs a store file, not an in-memory store")
    return Session(Store(db_path, create=False), annotator=annotator)


def merge_stores(ctx: JobContext, db_path: Path, annotator: str, paths: Sequence[Path]
                 ) -> MergeOutcome:
    """Merge analysts' stores into the window's store (each source all or nothing)."""
    from annotate.team.merge import merge_stores as merge

    session = _open(db_path, annotator)
    try:
        ctx.progress(0, 0, "Merging stores…")
        report = merge(session, list(paths), cancelled=ctx.cancelled,
                       progress=lambda done, total: ctx.progress(
                           done, total, f"Merging: {done}/{total} documents"))
    finally:
        session.store.close()
    summary = report.summary() + ("; cancelled (the store being merged was left out)"
                                  if report.cancelled else "")
    return MergeOutcome(summary, report.errors, report.notes, report.change, report.cancelled)


def measure_agreement(ctx: JobContext, db_path: Path, annotator: str) -> AgreementOutcome:
    from annotate.team.agreement import agreement

    session = _open(db_path, annotator)
    try:
        ctx.progress(0, 0, "Measuring agreement…")
        report = agreement(session)
    finally:
        session.store.close()
    n = report.documents
    return AgreementOutcome(report, f"Agreement measured over {n} document{'s' * (n != 1)}")
