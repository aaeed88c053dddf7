"""SQLite connections: stdlib ``sqlite3``, WAL, explicit transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._backend import Params
from ._dialect import SQLITE

PRAGMAS = (
    "PRAGMA journal_mode = WAL",  # readers do not block the writer
    "PRAGMA synchronous = NORMAL",  # durable at each checkpoint of the WAL; safe with WAL
    "PRAGMA busy_timeout = 10000",  # wait for another writer rather than fail at once
    "PRAGMA foreign_keys = OFF",
    # Checkpoint the WAL every ~40 MB rather than 4 MB: each checkpoint syncs the file, and
    # with the default the syncs, not the inserts, bound the rate of a collection.
    "PRAGMA wal_autocheckpoint = 10000",
)


class SQLiteBackend:
    """One SQLite file (or ``:memory:``) in autocommit mode; writes go in :meth:`transaction`."""

    dialect = SQLITE

    def __init__(self, path: str | Path) -> None:
        self.url = str(path)
        self._conn = sqlite3.connect(
            self.url, isolation_level=None, check_same_thread=False, cached_statements=256
        )
        self._depth = 0
        for pragma in PRAGMAS:
            self._conn.execute(pragma)

    def execute(self, sql: str, params: Params = ()) -> int:
        return self._conn.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()

    def stream(self, sql: str, params: Params = (), size: int = 1000) -> Iterator[list[Any]]:
        cursor = self._conn.execute(sql, params)
        try:
            while rows := cursor.fetchmany(size):
                yield rows
        finally:
            cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            yield
            return
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
