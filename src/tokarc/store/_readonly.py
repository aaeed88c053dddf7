"""Ad-hoc SQL on a read-only connection: nothing a query does can change the archive.

SQLite opens the file as the read-only store does (``mode=ro``, or ``immutable`` where a
read-only folder leaves no room for the ``-shm`` file) with ``query_only``; PostgreSQL runs
the statement in a ``READ ONLY`` transaction that is rolled back. Either driver takes one
statement at a time, so a ``;`` cannot smuggle a second, writing one in.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from ._log import add_sql_function
from ._sqlite import _read_only
from ._target import DatabaseTarget, is_postgres_url, redact

__all__ = ["Result", "run_sql"]


@dataclass(frozen=True)
class Result:
    """The columns of a query and an iterator over its rows (tuples)."""

    columns: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]


@contextlib.contextmanager
def run_sql(target: str, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Result]:
    """Run ``sql`` (``?`` placeholders on SQLite, ``%s`` on PostgreSQL) read-only on the store
    at ``target``; the rows are read while the block runs. ``InvalidInputError`` (the
    database's own message) for a query the database rejects, a write among them."""
    url = target.reveal() if isinstance(target, DatabaseTarget) else str(target)
    if is_postgres_url(url):
        with _postgres(url, sql, params) as result:
            yield result
    else:
        with _sqlite(Path(url), sql, params) as result:
            yield result


@contextlib.contextmanager
def _sqlite(path: Path, sql: str, params: tuple[Any, ...]) -> Iterator[Result]:
    conn = _read_only(str(path))
    try:
        conn.execute("PRAGMA query_only = ON")
        add_sql_function(conn)  # tokarc_raw(page_id[, n | id]): JSON from the page log
        try:
            cursor = conn.execute(sql, params)
        except (sqlite3.Error, sqlite3.Warning) as exc:
            raise InvalidInputError(f"invalid query: {_first_line(exc)}") from None
        columns = tuple(d[0] for d in cursor.description or ())
        yield Result(columns, _rows(cursor, sqlite3.Error))
    finally:
        conn.close()


@contextlib.contextmanager
def _postgres(url: str, sql: str, params: tuple[Any, ...]) -> Iterator[Result]:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.read_only = True
        try:
            cursor = conn.execute(sql, params or None)
        except psycopg.Error as exc:
            raise InvalidInputError(f"invalid query: {_first_line(exc)}") from None
        columns = tuple(d.name for d in cursor.description or ())
        try:
            yield Result(columns, _rows(cursor, psycopg.Error))
        finally:
            conn.rollback()


def _rows(cursor: Any, error: type[Exception]) -> Iterator[tuple[Any, ...]]:
    try:
        while rows := cursor.fetchmany(1000):
            yield from (tuple(r) for r in rows)
    except error as exc:
        raise InvalidInputError(f"invalid query: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    return redact((str(exc).strip().splitlines() or [type(exc).__name__])[0])
