"""PostgreSQL connections: psycopg 3, autocommit, explicit transactions, server-side cursors."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any

from ..errors import InvalidInputError, TokarcError
from ._backend import Params, Transient
from ._dialect import POSTGRES, Upsert
from ._target import DatabaseTarget, redact

_names = itertools.count()


@lru_cache(maxsize=512)
def _sql(text: str) -> str:
    return POSTGRES.sql(text)


# The server gave the transaction up because of another one: deadlock_detected (40P01),
# serialization_failure (40001).
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is PostgreSQL aborting a transaction for the sake of another one."""
    return getattr(exc, "sqlstate", None) in TRANSIENT_SQLSTATES


transient = Transient(is_transient)


class PostgresBackend:
    """One psycopg connection; ``executemany`` is pipelined and statements are prepared.

    ``read_only=True`` makes every transaction of the session read-only. A deadlock or a
    serialization failure raises :class:`~tokarc.errors.TransientError`.
    """

    dialect = POSTGRES

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise ImportError(
                "a PostgreSQL store needs psycopg 3: pip install 'tokarc[postgres]'"
            ) from exc
        target = DatabaseTarget(url)
        self.url: str = target  # shown everywhere: the password reads ***
        self.read_only = read_only
        extra: dict[str, Any] = {"options": _read_only_options(target)} if read_only else {}
        try:
            self._conn = psycopg.connect(
                target.reveal(), autocommit=True, prepare_threshold=2, **extra
            )
        except psycopg.Error as exc:
            raise connect_error(target, exc) from None
        self._pipeline: psycopg.Pipeline | None = None
        self._prefer_lz4(psycopg.Error)

    def _prefer_lz4(self, error: type[Exception]) -> None:
        """Compress raw JSON with lz4 rather than pglz when the server can (PostgreSQL 14+
        built with lz4): several times faster to write, for about the same size."""
        with suppress(error):
            self._conn.execute("SET default_toast_compression = 'lz4'")

    @transient
    def execute(self, sql: str, params: Params = ()) -> int:
        cursor = self._conn.execute(_sql(sql), params)
        if self._pipeline is not None:
            self._pipeline.sync()  # the row count is only known once the server has answered
        return cursor.rowcount

    @transient
    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(_sql(sql), rows)

    @transient
    def upsert(self, statement: Upsert, rows: Sequence[Params], params: Params = ()) -> None:
        # Measured against COPY into a staging table + INSERT ... SELECT (docs/performance.md):
        # at a page's few dozen rows, prepared statements in one pipeline are as fast, and need
        # no temporary tables (whose truncation at each commit cost more than the COPY saved).
        if rows:
            extra = tuple(params)
            self.executemany(statement.sql, [(*r, *extra) for r in rows] if extra else rows)

    @transient
    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(_sql(sql), params).fetchall()

    @transient.each
    def stream(self, sql: str, params: Params = (), size: int = 1000) -> Iterator[list[Any]]:
        with self._conn.transaction(), self._conn.cursor(name=f"tokarc_{next(_names)}") as cur:
            cur.itersize = size
            cur.execute(_sql(sql), params)
            while rows := cur.fetchmany(size):
                yield rows

    @contextmanager
    @transient.each
    def transaction(self) -> Iterator[None]:
        # Pipeline mode: statements whose results are not read go out without waiting for the
        # server, so a page's dozen statements cost a few round trips, not a dozen.
        if self._pipeline is not None:  # nested: join the outer transaction
            with self._conn.transaction():
                yield
            return
        with self._conn.pipeline() as pipeline, self._conn.transaction():
            self._pipeline = pipeline
            try:
                yield
            finally:
                self._pipeline = None

    def close(self) -> None:
        self._conn.close()


_MISSING_DB = re.compile(r'database "([^"]+)" does not exist')


def connect_error(target: DatabaseTarget, exc: Exception) -> TokarcError:
    """A connection failure as one line without the password; a database that does not exist
    is bad input, named with the command that creates it."""
    reason = " ".join(redact(str(exc)).split()) or type(exc).__name__
    missing = _MISSING_DB.search(reason)
    if missing is None:
        return TokarcError(f"cannot connect to the PostgreSQL database {str(target)!r}: {reason}")
    return InvalidInputError(
        f"invalid database {str(target)!r}: PostgreSQL has no database {missing.group(1)!r}; "
        f"create it with: {_createdb(target, missing.group(1))}"
    )


def _createdb(target: DatabaseTarget, name: str) -> str:
    """The ``createdb`` command for the missing database, on the URL's server and user."""
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(target.reveal())
    flags = [
        f"-{flag} {info[key]}"
        for flag, key in (("h", "host"), ("p", "port"), ("U", "user"))
        if info.get(key)
    ]
    return " ".join(["createdb", *flags, name])


def _read_only_options(target: DatabaseTarget) -> str:
    """The URL's own ``options`` (a search_path...) and read-only transactions for the session
    (a write then raises ``ReadOnlySqlTransaction``)."""
    from psycopg.conninfo import conninfo_to_dict

    given = str(conninfo_to_dict(target.reveal()).get("options") or "")
    return f"{given} -c default_transaction_read_only=on".strip()
