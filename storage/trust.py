"""Opening a store from someone else: its schema is checked, its queries are bounded.

A store is a file anyone can write. SQLite runs what its schema holds: a trigger fires
on our writes, a view answers our reads. So before anything else reads or writes a
store, every object of its schema (tables, indexes, triggers, views, the full-text
index's own tables) is compared with the objects Arcmark's migrations create; a store
with anything else is refused, naming the object. The expected objects are computed, not
listed: the migrations the store records as applied are run on an empty in-memory
database (once per process and set of migrations), so a new migration is accepted
without touching this module.

While the schema is unchecked, a progress handler stops any statement that runs too long
(a hostile schema can make reading `sqlite_master` itself slow), and on every
connection `setlimit` caps the size of one value and of one statement, so no store can
make SQLite allocate without bound.
"""
from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache

from sqlite_utils import Database

from storage.migrations import migrations

# the largest single value (a document text, a JSON column, a query result): 256 MiB
MAX_VALUE_BYTES = 256 * 1024 * 1024
MAX_STATEMENT_BYTES = 16 * 1024 * 1024
OPEN_SECONDS = 10.0  # the most the checks made on opening may take
PROGRESS_STEPS = 10_000  # virtual machine steps between two looks at the clock
# made by SQLite itself (ANALYZE, `PRAGMA optimize`): statistics only
_SQLITE_OWN = re.compile(r"sqlite_stat\d")

SchemaObject = tuple[str, str, str, str]  # (type, name, table, normalised SQL)


class UntrustedStore(ValueError):
    """The store's schema is not Arcmark's; the message names the first object that differs."""


def limit(conn: sqlite3.Connection) -> None:
    """Cap one value and one statement on this connection, and have SQLite check each
    record's size as it reads it (a crafted page is an error, not a wild read): two of
    the measures of SQLite's "Defense Against The Dark Arts"."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_STATEMENT_BYTES)
    conn.execute("PRAGMA cell_size_check = ON")


@contextmanager
def bounded(conn: sqlite3.Connection, seconds: float = OPEN_SECONDS) -> Iterator[None]:
    """Statements run inside stop (sqlite3.OperationalError "interrupted") after `seconds`."""
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
    try:
        yield
    finally:
        conn.set_progress_handler(None, 0)


def normalise(sql: str | None) -> str:
    """SQL text with runs of white space made one space (how SQLite keeps a CREATE
    statement depends on how it was typed, not on what it means)."""
    return " ".join((sql or "").split())


def schema_objects(conn: sqlite3.Connection) -> dict[str, SchemaObject]:
    """{name: (type, name, table, SQL)} of every object of the main database."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {name: (kind, name, table, normalise(sql)) for kind, name, table, sql in rows}


@lru_cache(maxsize=16)
def expected_objects(applied: tuple[str, ...]) -> dict[str, SchemaObject]:
    """The objects the migrations named in `applied` create, applied in their order on an
    empty database. Raises UntrustedStore when they cannot be (an impossible set)."""
    known = {m.name: m for m in migrations._migrations}
    db = Database(memory=True, execute_plugins=False)
    try:
        migrations.ensure_migrations_table(db)
        for name in applied:
            migration = known[name]
            if not migration.transactional:  # e.g. one that runs VACUUM
                migration.fn(db)
                migrations._record_applied(db, name)
                continue
            with db.atomic():
                migration.fn(db)
                migrations._record_applied(db, name)
        return schema_objects(db.conn)
    except (KeyError, sqlite3.Error) as exc:
        raise UntrustedStore(f"its migrations ({', '.join(applied)}) are not a set Arcmark "
                             f"makes ({exc})") from None
    finally:
        db.close()


def in_known_order(applied: Iterable[str]) -> tuple[str, ...]:
    wanted = set(applied)
    return tuple(m.name for m in migrations._migrations if m.name in wanted)


def check_schema(conn: sqlite3.Connection, applied: Iterable[str]) -> None:
    """Raise UntrustedStore unless the store's schema is exactly what its applied
    migrations make (SQLite's own statistics tables aside).

    A migration that manages its own transaction is recorded after it commits: a crash in
    between leaves its objects without its record. Such a schema is still exactly one
    Arcmark makes (with that migration applied), and opening the store runs the migration
    again, which then changes nothing."""
    applied = tuple(applied)
    found = schema_objects(conn)
    try:
        compare(found, expected_objects(in_known_order(applied)))
    except UntrustedStore:
        for migration in migrations._migrations:
            if migration.transactional or migration.name in applied:
                continue
            with suppress(UntrustedStore):
                compare(found, expected_objects(in_known_order((*applied, migration.name))))
                return
        raise


def compare(found: dict[str, SchemaObject], expected: dict[str, SchemaObject]) -> None:
    """Raise UntrustedStore naming the first object of `found` that is not in `expected`
    as it is there, or the first one missing."""
    for name, obj in sorted(found.items()):
        kind = obj[0]
        if _SQLITE_OWN.fullmatch(name) and kind == "table":
            continue
        want = expected.get(name)
        if want is None:
            raise UntrustedStore(f"store has an unknown {kind} {short(name)}")
        if want != obj:
            what = kind if kind == want[0] else f"{kind} in place of the {want[0]}"
            raise UntrustedStore(f"store has a changed {what} {short(name)}")
    missing = sorted(set(expected) - set(found))
    if missing:
        raise UntrustedStore(f"store lacks the {expected[missing[0]][0]} {short(missing[0])}")


def short(value: object, limit: int = 60) -> str:
    """`repr` of a value cut to about `limit` characters (a name from a hostile store
    may be megabytes long)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
