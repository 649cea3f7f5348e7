"""The window's background jobs, as plain functions of plain data.

Each job opens its own `Store` and `Session` on the corpus file (see `ui.shell.worker`
for why), does its work, closes the store and returns an outcome the window
applies on the GUI thread. Nothing here imports Qt.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotate.model import ArcmarkError, Change
from annotate.session import Session
from storage.store import Store
from ui.shell.worker import JobContext


@dataclass
class ImportOutcome:
    summary: str = ""
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    added: list[int] = field(default_factory=list)  # new document ids, in import order
    change: Change = field(default_factory=lambda: Change("Import"))
    cancelled: bool = False


@dataclass
class PreannotateOutcome:
    model: str = ""
    documents: int = 0
    entities: int = 0
    change: Change = field(default_factory=lambda: Change("Pre-annotate"))
    cancelled: bool = False


def _open(db_path: Path, annotator: str) -> Session:
    if str(db_path) == ":memory:":
        raise ArcmarkError("background work needs a store file, not an in-memory store")
    return Session(Store(db_path, create=False), annotator=annotator)


def import_files(ctx: JobContext, db_path: Path, paths: Sequence[Path], annotator: str,
                 encoding: str | None = None) -> ImportOutcome:
    """Import files and folders (all or nothing per file); bad files are reported."""
    from annotate.corpus_io import import_path
    from annotate.formats import count_sources

    session = _open(db_path, annotator)
    outcome = ImportOutcome()
    summaries: list[str] = []
    totals = [count_sources(Path(p)) if Path(p).exists() else 1 for p in paths]
    try:
        for n, path in enumerate(paths):
            before = sum(totals[:n])

            def progress(seen: int, source: str, before: int = before) -> None:
                ctx.progress(min(before + seen, sum(totals)), sum(totals),
                             f"Importing {Path(source).name}")

            try:
                report = import_path(session, Path(path), encoding=encoding, progress=progress,
                                     cancelled=ctx.cancelled)
            except ArcmarkError as exc:
                outcome.errors.append(str(exc))
                continue
            outcome.errors += report.errors
            outcome.notes += report.notes
            outcome.added += [i for i in report.result.documents_added if i not in outcome.added]
            outcome.change = outcome.change.merge(report.change)
            summaries.append(report.summary())
            if report.cancelled or ctx.cancelled():
                outcome.cancelled = True
                break
    finally:
        session.store.close()
    outcome.summary = "; ".join(summaries)
    return outcome


def preannotate_documents(ctx: JobContext, db_path: Path, annotator: str, model: str | None,
                          doc_ids: Sequence[int] | None) -> PreannotateOutcome:
    """Run the spaCy model over documents it has not seen yet, storing suggestions."""
    from annotate.preannotate import preannotate

    session = _open(db_path, annotator)
    try:
        ids = list(doc_ids) if doc_ids is not None else [d.id for d in session.documents()]
        ctx.progress(0, 0, "Loading the spaCy model…")

        def progress(done: int, total: int) -> None:
            ctx.progress(done, total, f"Pre-annotating {done}/{total}")

        result = preannotate(session, model=model, doc_ids=ids, progress=progress,
                             cancelled=ctx.cancelled)
    finally:
        session.store.close()
    return PreannotateOutcome(
        model=result.model, documents=result.documents, entities=result.entities,
        change=Change(f"Pre-annotate with {result.model}", documents=frozenset(ids),
                      document_list=True),
        cancelled=result.cancelled)


def seed_files(seeds: Path | None) -> list[Path]:
    """The sample articles a new store starts with: `seeds/*.txt`."""
    if seeds is None or not Path(seeds).is_dir():
        return []
    return sorted(Path(seeds).glob("*.txt"))


@dataclass
class ExportOutcome:
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False


def export_corpus(ctx: JobContext, db_path: Path, annotator: str, fmt: str, out: Path,
                  status: str | None, layer: str = "auto") -> ExportOutcome:
    """Export the corpus (or the documents with `status`) to `out`; written whole or not at all."""
    from annotate.corpus_io import export_path

    session = _open(db_path, annotator)
    try:
        total = len(session.store.document_ids(status))
        ctx.progress(0, total, f"Exporting {fmt}")
        report = export_path(session, fmt, out, status=status,
                             progress=lambda n: ctx.progress(n, total, f"Exporting {fmt}"),
                             cancelled=ctx.cancelled, layer=layer)
    finally:
        session.store.close()
    if report.cancelled:
        return ExportOutcome(summary="Export cancelled: nothing was written", cancelled=True)
    return ExportOutcome(
        summary=(f"Exported {report.documents} documents, {report.entities} entities, "
                 f"{report.relations} relations to {out}"),
        notes=list(report.notes))
