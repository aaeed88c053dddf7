"""SQLite connections: stdlib ``sqlite3``, WAL, explicit transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._files import unwritable
from ..errors import ReadOnlyStoreError
from ._backend import Params, Transient
from ._dialect import SQLITE, Upsert

PRAGMAS = (
    "PRAGMA journal_mode = WAL",  # readers do not block the writer
    "PRAGMA synchronous = NORMAL",  # durable at each checkpoint of the WAL; safe with WAL
    "PRAGMA busy_timeout = 10000",  # wait for another writer rather than fail at once
    "PRAGMA foreign_keys = OFF",
    # Checkpoint the WAL every ~40 MB rather than 4 MB: each checkpoint syncs the file, and
    # with the default the syncs, not the inserts, bound the rate of a collection.
    "PRAGMA wal_autocheckpoint = 10000",
)

# Opening it to write: it could not write or create a file of the database (its -wal, -shm
# or journal among them). Once open: a write to a database it could open only read-only.
UNWRITABLE_CODES = frozenset(
    {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}
)
READ_ONLY_CODES = frozenset({sqlite3.SQLITE_READONLY})

# Another connection holds the lock (still, after the busy timeout): SQLITE_BUSY, and
# SQLITE_LOCKED for a conflict within the process; extended codes keep them in the low byte.
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up because another connection holds the lock."""
    code = getattr(exc, "sqlite_errorcode", 0)  # only errors of SQLite itself have one
    return isinstance(exc, sqlite3.OperationalError) and code & 0xFF in BUSY_CODES


def is_unwritable(exc: BaseException, codes: frozenset[int] = READ_ONLY_CODES) -> bool:
    """Whether ``exc`` is SQLite refusing a write (by default: to a database it has open
    read-only) because a file of the database cannot be written."""
    code = getattr(exc, "sqlite_errorcode", 0)
    return isinstance(exc, sqlite3.OperationalError) and code & 0xFF in codes


transient = Transient(is_transient, is_unwritable)


class SQLiteBackend:
    """One SQLite file (or ``:memory:``) in autocommit mode; writes go in :meth:`transaction`.

    ``read_only=True`` opens the file with ``mode=ro`` (any write raises
    ``sqlite3.OperationalError``); where SQLite cannot even read that way (a WAL database in
    a directory it cannot create the ``-shm`` file in), it opens it ``immutable``, as the
    ``sqlite3`` tool does.

    Otherwise a database that cannot be written where it is (a read-only file, folder or
    file system) raises :class:`~tokarc.errors.ReadOnlyStoreError` on opening, before
    anything is written. Another connection's lock, still held after the busy timeout, raises
    :class:`~tokarc.errors.TransientError`.
    """

    dialect = SQLITE

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.url = str(path)
        self.read_only = read_only
        self._conn = _read_only(self.url) if read_only else _writable(self.url)
        self._depth = 0

    @transient
    def execute(self, sql: str, params: Params = ()) -> int:
        return self._conn.execute(sql, params).rowcount

    @transient
    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._conn.executemany(sql, rows)

    @transient
    def upsert(self, statement: Upsert, rows: Sequence[Params], params: Params = ()) -> None:
        if rows:
            extra = tuple(params)
            self._conn.executemany(statement.sql, [(*r, *extra) for r in rows] if extra else rows)

    @transient
    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()

    @transient.each
    def stream(self, sql: str, params: Params = (), size: int = 1000) -> Iterator[list[Any]]:
        cursor = self._conn.execute(sql, params)
        try:
            while rows := cursor.fetchmany(size):
                yield rows
        finally:
            cursor.close()

    @contextmanager
    @transient.each
    def transaction(self) -> Iterator[None]:
        if self._depth:
            yield
            return
        if self._conn.in_transaction:  # a BEGIN a signal cut off from its block: nothing of it
            self._conn.execute("ROLLBACK")  # was committed, and nothing will be
        self._conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        self._conn.close()


def _connect(target: str, uri: bool = False) -> sqlite3.Connection:
    return sqlite3.connect(
        target, isolation_level=None, check_same_thread=False, cached_statements=256, uri=uri
    )


def _writable(path: str) -> sqlite3.Connection:
    """A connection that writes ``path``; ReadOnlyStoreError where it cannot be written."""
    if path != ":memory:" and (reason := unwritable(path, beside=("-wal", "-shm"))):
        raise ReadOnlyStoreError(f"cannot write the database {path}: {reason}")
    conn = _connect(path)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma)
    except sqlite3.OperationalError as exc:
        conn.close()
        if not is_unwritable(exc, UNWRITABLE_CODES):
            raise
        raise ReadOnlyStoreError(f"cannot write the database {path}: {exc}") from exc
    return conn


def _read_only(path: str) -> sqlite3.Connection:
    """A connection that cannot write ``path``: ``mode=ro``, or ``immutable`` if need be."""
    base = Path(path).resolve().as_uri()
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        conn = _connect(f"{base}?{flags}", uri=True)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
        except sqlite3.OperationalError:
            conn.close()
            if flags.endswith("immutable=1"):
                raise
            continue
        return conn
    raise AssertionError("unreachable")  # pragma: no cover
