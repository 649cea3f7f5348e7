"""Import and export of whole paths: what the command line and the window both call."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from annotate.importing import ImportResult
from annotate.model import ArcmarkError, Change
from annotate.session import Session


# One-document files (text, web pages, PDF, ...) are stored this many per transaction: a
# commit per file costs its fsync, more than reading a small file or a web page.
GROUP_FILES = 64


@dataclass
class ImportReport:
    files_ok: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per bad file
    notes: list[str] = field(default_factory=list)   # what could not be represented
    result: ImportResult = field(default_factory=ImportResult)
    cancelled: bool = False

    @property
    def change(self) -> Change:
        return self.result.change

    def summary(self) -> str:
        files = f"{len(self.files_ok)} file{'s' * (len(self.files_ok) != 1)} imported"
        bad = f", {len(self.errors)} failed" if self.errors else ""
        return f"{files}{bad}: {self.result.summary()}"


def import_path(session: Session, path: Path, *, encoding: str | None = None,
                fmt: str | None = None, recursive: bool = False,
                progress: Callable[[int, str], object] | None = None,
                cancelled: Callable[[], bool] | None = None) -> ImportReport:
    """Import a file or folder, all or nothing per file; bad files are reported, not fatal."""
    from annotate.formats import read_path

    path = Path(path)
    if not path.exists():
        raise ArcmarkError(f"{path}: no such file or folder")
    report = ImportReport()
    seen = 0
    group: list = []  # one-document files stored together (see GROUP_FILES)
    for batch in read_path(path, schema=session.schema, encoding=encoding, fmt=fmt,
                           recursive=recursive):
        seen += 1
        if batch.schema is None and len(batch.records) == 1 and not batch.error:
            group.append(batch)
            if len(group) >= GROUP_FILES:
                _store_group(session, group, report)
        else:
            _store_group(session, group, report)
            if batch.error:
                report.errors.append(batch.error)
            else:
                _store_batch(session, batch, report)
        if progress:
            progress(seen, str(batch.source))
        if cancelled and cancelled():
            report.cancelled = True
            break
    _store_group(session, group, report)
    if seen == 0:
        raise ArcmarkError(f"{path}: no files to import (.txt, .md, .jsonl, .json, brat .ann, "
                           ".html, .pdf, .docx or .eml)")
    return report


def _store_group(session: Session, group: list, report: ImportReport) -> None:
    """Store the files of `group` (each one document) in one transaction, then empty it.

    If any of them is refused, the transaction stored nothing and each file is stored
    on its own, so the refusal names its file and the others still go in."""
    if len(group) > 1:
        try:
            merged = session.import_records([b.records[0] for b in group])
        except ArcmarkError:
            pass
        else:
            _add(report.result, merged)
            for batch in group:
                _accepted(batch, report)
            group.clear()
            return
    for batch in group:
        _store_batch(session, batch, report)
    group.clear()


def _store_batch(session: Session, batch, report: ImportReport) -> None:  # type: ignore[no-untyped-def]
    try:
        # errors name the file as the readers do: by its name, not its full path
        merged = session.import_records(list(batch.records), schema=batch.schema,
                                        source=batch.source.name)
    except ArcmarkError as exc:
        report.errors.append(str(exc) if str(exc).startswith(batch.source.name)
                             else f"{batch.source.name}: {exc}")
    else:
        _add(report.result, merged)
        _accepted(batch, report)


def _accepted(batch, report: ImportReport) -> None:  # type: ignore[no-untyped-def]
    report.files_ok.append(str(batch.source))
    report.notes += [f"{batch.source.name}: {note}" for note in batch.notes]


def _add(total: ImportResult, part: ImportResult) -> None:
    total.documents_added += part.documents_added
    total.documents_merged += part.documents_merged
    total.entities_added += part.entities_added
    total.relations_added += part.relations_added
    total.skipped += part.skipped


def export_path(session: Session, fmt: str, out: Path, *, status: str | None = None,
                ids: list[int] | None = None, progress: Callable[[int], object] | None = None,
                cancelled: Callable[[], bool] | None = None):  # type: ignore[no-untyped-def]
    """Export the corpus (optionally only documents with `status`, or `ids`) to `out`.

    A target that cannot be written (a missing or read-only folder, a full disk) is one
    ArcmarkError line; the exporters leave no partial file behind."""
    from annotate.formats import export_corpus

    try:
        return export_corpus(fmt, session.corpus(status=status, ids=ids), session.schema,
                             Path(out), progress=progress, cancelled=cancelled)
    except (FileExistsError, NotADirectoryError) as exc:  # a file where a folder must be
        raise ArcmarkError(f"{out}: cannot write the export ({exc.filename} is a file, "
                           "not a folder)") from None
    except OSError as exc:
        raise ArcmarkError(f"{out}: cannot write the export ({exc.strerror or exc}: "
                           f"{exc.filename or out})") from None
