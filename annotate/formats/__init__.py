"""Import and export formats: a registry keyed by format name.

Each format is one module of this package defining `EXPORTERS` and/or `IMPORTERS`
(tuples of `Exporter` / `Importer`); the registry collects them, so adding a format is
adding a module. Exporters are generators over plain data (`AnnotatedDocument`) with the
file writing kept apart; they write under a temporary name and rename at the end, so a
failed or cancelled export never leaves a half-written file. Importers yield one
`ImportBatch` per source file (or brat document): all of its records, or one error line.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from annotate.model import AnnotatedDocument
from annotate.schema import Schema

from ._files import folder_entries, skipped_link
from ._common import (
    Exporter,
    ExportReport,
    STRICT_LABELS,
    FormatError,
    ImportBatch,
    Importer,
    adopt_labels,
    error_batch,
    merge_schemas,
)
from ._jsonlines import SCHEMA_SUFFIX
from ._records import to_annotated_document, to_annotated_records

__all__ = [
    "ExportReport", "FormatError", "ImportBatch", "exporter_names", "importer_names",
    "export_corpus", "read_path", "merge_schemas", "to_annotated_records",
    "to_annotated_document",
]

_TEXT_SUFFIXES = (".txt", ".md")
_JSON_SUFFIXES = (".jsonl", ".json")


@lru_cache(maxsize=1)
def _registry() -> tuple[dict[str, Exporter], dict[str, Importer]]:
    exporters: dict[str, Exporter] = {}
    importers: dict[str, Importer] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        exporters.update((e.name, e) for e in getattr(module, "EXPORTERS", ()))
        importers.update((i.name, i) for i in getattr(module, "IMPORTERS", ()))
    return exporters, importers


def exporter_names() -> list[str]:
    return sorted(_registry()[0])


def importer_names() -> list[str]:
    return [i.name for i in sorted(_registry()[1].values(), key=lambda i: (i.order, i.name))]


def _exporter(fmt: str) -> Exporter:
    exporters = _registry()[0]
    if fmt not in exporters:
        choices = ", ".join(sorted(exporters))
        raise FormatError(f"unknown export format {fmt!r} (choose from {choices})")
    return exporters[fmt]


def _importer(fmt: str) -> Importer:
    importers = _registry()[1]
    if fmt not in importers:
        choices = ", ".join(importer_names())
        raise FormatError(f"unknown import format {fmt!r} (choose from {choices})")
    return importers[fmt]


def importer_for_suffix(suffix: str) -> Importer | None:
    """The importer of received documents (web page, PDF, Word, e-mail, ...) that claims
    this file suffix; None for the suffixes read above (text, JSON, brat) and unknown ones."""
    suffix = suffix.lower()
    if suffix in _TEXT_SUFFIXES + _JSON_SUFFIXES + (".ann",):
        return None
    return next((i for i in _registry()[1].values() if suffix in i.suffixes), None)


def importable_suffixes() -> tuple[str, ...]:
    """Every file suffix an import without --format reads."""
    extra = (s for i in _registry()[1].values() for s in i.suffixes)
    return tuple(dict.fromkeys(_TEXT_SUFFIXES + _JSON_SUFFIXES + (".ann",) + tuple(extra)))


def export_target_is_folder(fmt: str) -> bool:
    """Whether `out` names a folder (brat, csv) rather than a file for this format."""
    return _exporter(fmt).folder


def export_corpus(fmt: str, corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path, *,
                  progress: Callable[[int], object] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> ExportReport:
    """Write the corpus in `fmt` to `out`; progress(n) after each document.

    A cancelled export writes nothing and returns a report with `cancelled=True`.
    """
    exporter = _exporter(fmt)
    out = Path(out)
    if not exporter.folder and out.is_dir():
        raise FormatError(f"{out}: is a folder; the {fmt} export writes one file")
    return exporter.write(corpus, schema, out, progress, cancelled)


def read_path(path: Path, *, schema: Schema, encoding: str | None = None,
              fmt: str | None = None, recursive: bool = False,
              strict_labels: bool = False) -> Iterator[ImportBatch]:
    """Batches from a file or a folder (its subfolders too with `recursive`);
    `fmt` forces a format. Labels the store's schema lacks join the batch's schema with a
    note, or with `strict_labels` refuse the file at their line."""
    batches = _read_path(path, schema, encoding, fmt, recursive)
    while True:
        token = STRICT_LABELS.set(strict_labels)  # only while this reader's code runs
        try:
            batch = next(batches)
        except StopIteration:
            return
        finally:
            STRICT_LABELS.reset(token)
        yield adopt_labels(batch, schema)


def _read_path(path: Path, schema: Schema, encoding: str | None, fmt: str | None,
               recursive: bool) -> Iterator[ImportBatch]:
    path = Path(path)
    if fmt is not None:
        _importer(fmt)
    if not path.exists():
        yield error_batch(path, f"{path}: no such file or folder")
    elif path.is_dir():
        yield from _read_folder(path, schema, encoding, fmt, recursive, path)
    else:
        yield from _read_file(path, schema, encoding, fmt)


def count_sources(path: Path, *, recursive: bool = False) -> int:
    """About how many batches `read_path` will yield (for progress and time left); 0 when
    a folder holds nothing to import. Symbolic links inside are not followed."""
    path = Path(path)
    if not path.is_dir():
        return 1
    total, folders = 0, [path]
    while folders:
        entries = folder_entries(folders.pop())
        total += len(entries.links)
        files = [p for p in entries.files if not p.name.endswith(SCHEMA_SUFFIX)]
        anns = {p.stem for p in files if p.suffix.lower() == ".ann"}
        total += sum(1 for p in files if p.suffix.lower() in importable_suffixes()
                     and p.suffix.lower() != ".ann"
                     and not (anns and p.suffix.lower() in (".txt", ".md")))
        total += len(anns)
        if recursive:
            folders += entries.folders
    return total


def _read_file(path: Path, schema: Schema, encoding: str | None, fmt: str | None
               ) -> Iterator[ImportBatch]:
    if fmt is not None:
        if fmt == "brat":
            from .brat import read_brat_document

            yield read_brat_document(path, schema, encoding)
            return
        yield from _importer(fmt).read(path, schema, encoding)
        return
    suffix = path.suffix.lower()
    if suffix == ".ann" or (suffix == ".txt" and path.with_suffix(".ann").is_file()):
        from .brat import read_brat_document

        yield read_brat_document(path, schema, encoding)
    elif suffix in _JSON_SUFFIXES:
        yield from _importer("jsonl").read(path, schema, encoding)
    elif (received := importer_for_suffix(suffix)) is not None:
        yield from received.read(path, schema, encoding)
    else:
        yield from _importer("text").read(path, schema, encoding)


def _read_folder(folder: Path, schema: Schema, encoding: str | None, fmt: str | None,
                 recursive: bool, root: Path) -> Iterator[ImportBatch]:
    entries = folder_entries(folder)
    files = entries.files
    brat = fmt == "brat" or (fmt is None and any(p.suffix.lower() == ".ann" for p in files))
    yield from (skipped_link(link) for link in entries.links  # brat reports its own
                if not (brat and link.suffix.lower() in (".txt", ".ann")))
    if brat:
        from .brat import read_brat

        yield from read_brat(folder, schema, encoding, root=root)
    for file in files:
        suffix = file.suffix.lower()
        if file.name.endswith(SCHEMA_SUFFIX) or (brat and suffix in (".txt", ".ann", ".md")):
            continue  # a brat collection's documents are its .txt/.ann pairs; README.md is not one
        if fmt is None and (suffix in _TEXT_SUFFIXES + _JSON_SUFFIXES
                            or importer_for_suffix(suffix) is not None):
            yield from _read_file(file, schema, encoding, None)
        elif fmt is not None and fmt != "brat" and suffix in _importer(fmt).suffixes:
            yield from _importer(fmt).read(file, schema, encoding)
    if not recursive:
        return
    for sub in entries.folders:
        yield from _read_folder(sub, schema, encoding, fmt, recursive, root)
