"""One connection, many threads: every statement and transaction in turn.

A store is one database connection. Runs in threads sharing it (many targets at once, a
worker's concurrent jobs, a fetching thread recording its requests) must not interleave their
statements inside each other's transactions: :class:`Serialized` holds one re-entrant lock for
each statement, and for the whole of a transaction, so the store has one writer at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ._backend import Backend, Params
from ._dialect import Upsert


class Serialized:
    """A :class:`Backend` whose statements and transactions run one thread at a time."""

    def __init__(self, backend: Backend) -> None:
        self.inner = backend
        self.dialect = backend.dialect
        self.url = backend.url
        self.read_only = backend.read_only
        self._lock = threading.RLock()

    def execute(self, sql: str, params: Params = ()) -> int:
        with self._lock:
            return self.inner.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        with self._lock:
            self.inner.executemany(sql, rows)

    def upsert(self, statement: Upsert, rows: Sequence[Params], params: Params = ()) -> None:
        with self._lock:
            self.inner.upsert(statement, rows, params)

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self.inner.query(sql, params)

    def stream(self, sql: str, params: Params = (), size: int = 1000) -> Iterator[list[Any]]:
        """Not locked: a reader streams in one thread (an export), and a lock held across
        its yields would outlive a generator left unfinished."""
        return self.inner.stream(sql, params, size)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self.inner.transaction():
            yield

    def close(self) -> None:
        with self._lock:
            self.inner.close()
