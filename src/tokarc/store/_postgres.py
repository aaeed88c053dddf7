"""PostgreSQL connections: psycopg 3, autocommit, explicit transactions, server-side cursors."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from ._backend import Params
from ._dialect import POSTGRES

_names = itertools.count()


@lru_cache(maxsize=512)
def _sql(text: str) -> str:
    return POSTGRES.sql(text)


class PostgresBackend:
    """One psycopg connection; ``executemany`` is pipelined and statements are prepared."""

    dialect = POSTGRES

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise ImportError(
                "a PostgreSQL store needs psycopg 3: pip install 'tokarc[postgres]'"
            ) from exc
        self.url = url
        self._conn = psycopg.connect(url, autocommit=True, prepare_threshold=2)

    def execute(self, sql: str, params: Params = ()) -> int:
        return self._conn.execute(_sql(sql), params).rowcount

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(_sql(sql), rows)

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(_sql(sql), params).fetchall()

    def stream(self, sql: str, params: Params = (), size: int = 5000) -> Iterator[list[Any]]:
        with self._conn.transaction(), self._conn.cursor(name=f"tokarc_{next(_names)}") as cur:
            cur.itersize = size
            cur.execute(_sql(sql), params)
            while rows := cur.fetchmany(size):
                yield rows

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._conn.transaction():
            yield

    def close(self) -> None:
        self._conn.close()
