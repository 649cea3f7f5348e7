"""What every format shares: batch and report values, errors, safe file writing, label checks."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from annotate.model import (
    AnnotatedDocument,
    ArcmarkError,
    DocumentRecord,
)
from annotate.record_checks import shown
from annotate.schema import EntityLabel, RelationLabel, Schema

Progress = Callable[[int], object] | None
Cancelled = Callable[[], bool] | None


class FormatError(ArcmarkError):
    """An unknown format or a file that cannot be read or written; one line."""


class RecordError(ValueError):
    """A problem in one record; the reader adds the file name and line number."""


@dataclass(frozen=True)
class ImportBatch:
    """What one source file (or one brat document) yields: all of it, or an error."""

    source: Path
    records: tuple[DocumentRecord, ...] = ()
    schema: Schema | None = None
    notes: tuple[str, ...] = ()
    error: str | None = None
    skipped: bool = False  # not read (a symbolic link): `notes` say why


@dataclass
class ExportReport:
    """What an export wrote; `cancelled` exports wrote nothing and list no files."""

    documents: int = 0
    entities: int = 0
    relations: int = 0
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False

    def note(self, count: int, what: str) -> None:
        """Add `count` to the note "N what" (made when first counted; zero adds nothing)."""
        if not count:
            return
        for i, note in enumerate(self.notes):
            number, _, text = note.partition(" ")
            if text == what and number.isdigit():
                self.notes[i] = f"{int(number) + count} {what}"
                return
        self.notes.append(f"{count} {what}")


def error_batch(source: Path, message: str) -> ImportBatch:
    return ImportBatch(source=source, error=message)


# --- checks shared by the importers ----------------------------------------------------


# Whether a label the store's schema (and the file's own) lacks refuses the file, naming
# its line (`--strict-labels`); by default the import adds such labels, see `adopt_labels`.
STRICT_LABELS: ContextVar[bool] = ContextVar("strict_labels", default=False)
LABEL_LIMIT = 200  # code points; a longer "label" is not one


def _label_text(label: object, what: str) -> str:
    if not isinstance(label, str) or not label.strip() or len(label) > LABEL_LIMIT:
        raise RecordError(f"{what} {str(label)[:60]!r} is not a label")
    return label


def check_entity_label(label: object, schema: Schema, declared: Schema | None) -> None:
    _label_text(label, "entity label")
    declared_names = declared.entity_names if declared else ()
    if STRICT_LABELS.get() and label not in schema.entity_names and label not in declared_names:
        raise RecordError(f"label {label!r} is not in the schema")


def check_relation_label(label: object, schema: Schema, declared: Schema | None) -> None:
    _label_text(label, "relation label")
    known = schema.relation_names + (declared.relation_names if declared else ())
    if STRICT_LABELS.get() and label not in known:
        raise RecordError(f"relation label {label!r} is not in the schema")


_NEW_ENTITY_COLOURS = ("#f7c6a3", "#b8e0d2", "#d6c3e9", "#f2e394", "#c9d7f2", "#f3b6c9",
                       "#cfe8a9", "#e3d0b9")


def adopt_labels(batch: ImportBatch, schema: Schema) -> ImportBatch:
    """The batch with the labels its records use that neither `schema` (the store's) nor
    the file's own schema has added to its schema, and a note naming them."""
    if batch.error or not batch.records:
        return batch
    declared = batch.schema or Schema((), ())
    known_e = set(schema.entity_names) | set(declared.entity_names)
    known_r = set(schema.relation_names) | set(declared.relation_names)
    new_e = list(dict.fromkeys(e.label for r in batch.records for e in r.entities
                               if e.label not in known_e))
    new_r = list(dict.fromkeys(x.label for r in batch.records for x in r.relations
                               if x.label not in known_r))
    if not new_e and not new_r:
        return batch
    start = len(schema.entity_labels) + len(declared.entity_labels)
    extra = Schema(
        tuple(EntityLabel(name, _NEW_ENTITY_COLOURS[(start + i) % len(_NEW_ENTITY_COLOURS)])
              for i, name in enumerate(new_e)),
        tuple(RelationLabel(name) for name in new_r))
    names = ", ".join(repr(n) for n in new_e + new_r)
    note = f"label(s) added to the schema: {names} (--strict-labels refuses them instead)"
    return replace(batch, schema=merge_schemas(declared, extra), notes=batch.notes + (note,))


def check_offsets(start: object, end: object, length: int) -> tuple[int, int]:
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
        raise RecordError(f"offsets {shown(start, 24)}-{shown(end, 24)} are not integers")
    if not 0 <= start < end:
        raise RecordError(f"offsets {shown(start, 24)}-{shown(end, 24)} do not make a span")
    if end > length:
        raise RecordError(f"offsets {shown(start, 24)}-{shown(end, 24)} beyond the text "
                          f"(length {length})")
    return start, end


def check_choice(value: object, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise RecordError(f"{what} {value!r} is not one of {', '.join(allowed)}")


def relation_kind(label: str, schema: Schema, declared: Schema | None) -> str:
    for source in (declared, schema):
        found = source.relation(label) if source else None
        if found:
            return found.kind
    return "directed"


def merge_schemas(base: Schema, extra: Schema | None) -> Schema:
    """`base` with the labels of `extra` it lacks appended (base wins on a name clash)."""
    if extra is None:
        return base
    entities = base.entity_labels + tuple(
        e for e in extra.entity_labels if e.name not in base.entity_names)
    relations = base.relation_labels + tuple(
        r for r in extra.relation_labels if r.name not in base.relation_names)
    return Schema(entities, relations)


def title_from_text(text: str, fallback: str, limit: int = 200) -> str:
    """The first non-empty line, stripped and cut to `limit` code points."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:limit].rstrip()
    return fallback


# --- writing: nothing half-written -------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _publish(path: Path, folder: bool = False) -> None:
    """Give a temporary file (0600 from mkstemp) the permissions a normal file would get."""
    os.chmod(path, (0o777 if folder else 0o666) & ~_umask())


@contextmanager
def atomic_binary_path(out: Path) -> Iterator[Path]:
    """A temporary path for a library that writes a file itself; renamed over `out` on success."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        _publish(Path(tmp))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_file(out: Path, *, encoding: str = "utf-8", newline: str = "\n") -> Iterator[IO[str]]:
    """A text file written under a temporary name and renamed over `out` on success."""
    with atomic_binary_path(out) as tmp, open(tmp, "w", encoding=encoding,
                                              newline=newline) as handle:
        yield handle


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A temporary folder whose files move into `out` (created if needed) on success.

    Each file appears in `out` complete; on an error or cancel nothing is moved.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        yield tmp
        for item in tmp.rglob("*"):
            _publish(item, folder=item.is_dir())
        _publish(tmp, folder=True)
        if not out.exists():
            os.replace(tmp, out)
            return
        if not out.is_dir():
            raise FormatError(f"{out}: exists and is not a folder")
        for item in sorted(tmp.iterdir()):
            os.replace(item, out / item.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Cancel(Exception):
    """Raised inside an export loop when the user cancelled; the writer discards its work."""


def counted(corpus: Iterable, progress: Progress, cancelled: Cancelled) -> Iterator:
    """Yield the corpus' documents, reporting progress and stopping on cancel."""
    done = 0
    for item in corpus:
        if cancelled is not None and cancelled():
            raise Cancel
        yield item
        done += 1
        if progress is not None:
            progress(done)
    if cancelled is not None and cancelled():
        raise Cancel


# --- the registry's entries ---------------------------------------------------------------

Reader = Callable[[Path, Schema, "str | None"], Iterator[ImportBatch]]
Writer = Callable[[Iterable[AnnotatedDocument], Schema, Path, Progress, Cancelled], ExportReport]


@dataclass(frozen=True)
class Importer:
    """A reader of one file format: yields one batch per document file."""

    name: str
    suffixes: tuple[str, ...]
    read: Reader
    order: int = 50  # where the name sits in `importer_names()`


@dataclass(frozen=True)
class Exporter:
    """A writer of one format; `folder` exporters write several files into `out`."""

    name: str
    write: Writer
    folder: bool = False
