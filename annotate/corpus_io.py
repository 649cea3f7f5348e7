"""Import and export of whole paths: what the command line and the window both call."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotate.formats import ImportBatch
from annotate.formats.text import storable_name
from annotate.importing import ImportResult
from annotate.model import ArcmarkError, Change
from annotate.record_checks import cut, not_text
from annotate.session import Session
from annotate.team import layers
from storage.trained_models import mark_reviewed


MESSAGE_LIMIT = 300  # characters of one error line: a file's values are cut, not echoed whole


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
                fmt: str | None = None, recursive: bool = False, strict_labels: bool = False,
                progress: Callable[[int, str], object] | None = None,
                cancelled: Callable[[], bool] | None = None,
                status: str | None = None) -> ImportReport:
    """Import a file or folder, all or nothing per file; bad files are reported, not fatal.

    With `status` (e.g. done: a corpus reviewed elsewhere), every imported document gets
    that status, also one whose text was already stored."""
    from annotate.formats import read_path

    path = Path(path)
    if not path.exists():
        raise ArcmarkError(f"{path}: no such file or folder")
    report = ImportReport()
    seen = 0
    group: list = []  # one-document files stored together (see GROUP_FILES)
    for batch in read_path(path, schema=session.schema, encoding=encoding, fmt=fmt,
                           recursive=recursive, strict_labels=strict_labels):
        seen += 1
        if batch.skipped:
            report.notes += [f"{batch.source}: {note}" for note in batch.notes]
        elif batch.error:
            report.errors.append(cut(batch.error, MESSAGE_LIMIT))
        elif (refused := _not_text(batch)) is not None:
            report.errors.append(cut(refused, MESSAGE_LIMIT))
        elif batch.schema is None and len(batch.records) == 1:
            group.append(batch)
            if len(group) >= GROUP_FILES:
                _store_group(session, group, report, status)
        else:
            _store_group(session, group, report, status)
            _store_batch(session, batch, report, status)
        if progress:
            progress(seen, str(batch.source))
        if cancelled and cancelled():
            report.cancelled = True
            break
    _store_group(session, group, report, status)
    if seen == 0:
        raise ArcmarkError(f"{path}: no files to import (.txt, .md, .jsonl, .json, brat .ann, "
                           ".html, .pdf, .docx or .eml)")
    return report


def _not_text(batch: ImportBatch) -> str | None:
    """The line refusing a file whose records hold control characters (see
    `annotate.record_checks`), or None."""
    for n, record in enumerate(batch.records, 1):
        why = not_text(record)
        if why is not None:
            where = f" record #{n}" if len(batch.records) > 1 else ""
            return f"{batch.source.name}:{where} {why}"
    return None


def _with_status(batch: ImportBatch, status: str | None) -> list:
    return [replace(r, status=status) for r in batch.records] if status else list(batch.records)


def _store_group(session: Session, group: list, report: ImportReport,
                 status: str | None) -> None:
    """Store the files of `group` (each one document) in one transaction, then empty it.

    If any of them is refused, the transaction stored nothing and each file is stored
    on its own, so the refusal names its file and the others still go in."""
    if len(group) > 1:
        try:
            merged = session.import_records([r for b in group for r in _with_status(b, status)],
                                            source=[storable_name(b.source.name) for b in group])
        except ArcmarkError:
            pass
        else:
            if status and merged.documents_merged:
                mark_reviewed(session.store, merged.documents_merged, status)
            _add(report.result, merged)
            for batch in group:
                _accepted(batch, report)
            group.clear()
            return
    for batch in group:
        _store_batch(session, batch, report, status)
    group.clear()


def _store_batch(session: Session, batch: ImportBatch, report: ImportReport,
                 status: str | None) -> None:
    try:
        # errors name the file as the readers do: by its name, not its full path
        merged = session.import_records(_with_status(batch, status), schema=batch.schema,
                                        source=storable_name(batch.source.name))
        if status and merged.documents_merged:
            mark_reviewed(session.store, merged.documents_merged, status)
    except ArcmarkError as exc:
        report.errors.append(cut(str(exc) if str(exc).startswith(batch.source.name)
                                 else f"{batch.source.name}: {exc}", MESSAGE_LIMIT))
    else:
        _add(report.result, merged)
        _accepted(batch, report)


def _accepted(batch: ImportBatch, report: ImportReport) -> None:
    report.files_ok.append(str(batch.source))
    report.notes += [f"{batch.source.name}: {note}" for note in batch.notes]


def _add(total: ImportResult, part: ImportResult) -> None:
    total.documents_added += part.documents_added
    total.documents_merged += part.documents_merged
    total.entities_added += part.entities_added
    total.relations_added += part.relations_added
    total.skipped += part.skipped
    total.layers += part.layers


def export_path(session: Session, fmt: str, out: Path, *, status: str | None = None,
                ids: list[int] | None = None, progress: Callable[[int], object] | None = None,
                cancelled: Callable[[], bool] | None = None,
                layer: str = "auto"):  # type: ignore[no-untyped-def]
    """Export the corpus (optionally only documents with `status`, or `ids`) to `out`;
    `layer` says whose annotations (see `annotate.team.layers`: a layer's name, `curated`,
    `all`, or `auto`: a document's curated layer where it has one, else all it holds).

    A target that cannot be written (a missing or read-only folder, a full disk) is one
    ArcmarkError line; the exporters leave no partial file behind."""
    from annotate.formats import export_corpus

    try:
        documents = layers.for_export(session.corpus(status=status, ids=ids), layer)
        return export_corpus(fmt, documents, session.schema,
                             Path(out), progress=progress, cancelled=cancelled)
    except (FileExistsError, NotADirectoryError) as exc:  # a file where a folder must be
        raise ArcmarkError(f"{out}: cannot write the export ({exc.filename} is a file, "
                           "not a folder)") from None
    except OSError as exc:
        raise ArcmarkError(f"{out}: cannot write the export ({exc.strerror or exc}: "
                           f"{exc.filename or out})") from None
