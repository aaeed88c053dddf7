"""What the store needs from a database connection: the seam between the Store and a driver."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from ._dialect import Dialect, Upsert

Params = Sequence[Any]


class Backend(Protocol):
    """A connection, in the store's terms. SQL is written with ``?`` placeholders."""

    dialect: Dialect
    url: str
    read_only: bool  # opened so that it cannot write

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many rows, without a round trip per row."""

    def upsert(self, statement: Upsert, rows: Sequence[Params], params: Params = ()) -> None:
        """Run ``statement`` for ``rows`` (each followed by ``params``, its ``where``'s)."""

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Run a query and return its (few) rows."""

    def stream(self, sql: str, params: Params = (), size: int = 1000) -> Iterator[list[Any]]:
        """Run a query and yield its rows in chunks of at most ``size``, never all at once."""

    def transaction(self) -> AbstractContextManager[None]:
        """Commit on success, roll back on error; nested calls join the outer transaction."""

    def close(self) -> None:
        """Close the connection."""
