"""What the store needs from a database connection: the seam between the Store and a driver."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import wraps
from typing import Any, ParamSpec, Protocol, TypeVar

from ..errors import ReadOnlyStoreError, TransientError
from ._dialect import Dialect, Upsert

Params = Sequence[Any]

_P = ParamSpec("_P")
_R = TypeVar("_R")


class Backend(Protocol):
    """A connection, in the store's terms. SQL is written with ``?`` placeholders.

    Every method raises :class:`TransientError` (decorated with a :class:`Transient`) when
    the database gives up because of another writer; other driver errors pass unchanged.
    """

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


class Transient:
    """Backend methods that raise :class:`TransientError` (the driver's exception as its
    ``__cause__``) for the driver's errors ``is_transient`` recognizes, and
    :class:`ReadOnlyStoreError` for those ``is_unwritable`` recognizes (a write the database
    refused because its files cannot be written), and let any other error through unchanged.
    Decorate a method with the instance, a generator method (a stream, a transaction) with
    :meth:`each`.
    """

    def __init__(
        self,
        is_transient: Callable[[BaseException], bool],
        is_unwritable: Callable[[BaseException], bool] = lambda exc: False,
    ) -> None:
        self.is_transient = is_transient
        self.is_unwritable = is_unwritable

    @contextmanager
    def translated(self, backend: object = None) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            if self.is_unwritable(exc):
                where = getattr(backend, "url", "")
                raise ReadOnlyStoreError(f"cannot write the database {where}: {reason}") from exc
            if not self.is_transient(exc):
                raise
            raise TransientError(
                f"the database gave up because of another writer, try again: {reason}"
            ) from exc

    def __call__(self, method: Callable[_P, _R]) -> Callable[_P, _R]:
        @wraps(method)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with self.translated(args[0] if args else None):
                return method(*args, **kwargs)

        return run

    def each(self, method: Callable[_P, Iterator[_R]]) -> Callable[_P, Iterator[_R]]:
        @wraps(method)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> Iterator[_R]:
            with self.translated(args[0] if args else None):
                yield from method(*args, **kwargs)

        return run
