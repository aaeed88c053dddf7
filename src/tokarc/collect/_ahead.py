"""Fetching ahead: the next pages are fetched (and decoded) while the last ones are written.

A collection's two halves wait on different things: fetching on the network, writing on the
database. :class:`Ahead` runs the fetching half (an iterator of pages) in a thread, at most
``depth`` pages ahead of the writer, and hands the writer every page that is waiting at once, so
that it can commit them together. An error of the fetching half is raised to the writer in its
place, after the pages fetched before it.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Generic, Self, TypeVar

T = TypeVar("T")

#: Pages fetched ahead of the one being written, at most (each is one response in memory).
DEPTH = 3


class _End:
    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class Ahead(Generic[T]):
    """Runs ``items`` in a thread, at most ``depth`` items ahead; iterate :meth:`groups`.

    ::

        with Ahead(pages_of(pager)) as ahead:
            for group in ahead.groups():
                store.save_pages([batch(page) for page in group])
    """

    def __init__(self, items: Iterator[T], depth: int = DEPTH) -> None:
        self._items = items
        self._queue: queue.Queue[T | _End] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        # In a copy of the caller's context: the client's scoped budget and ledger see its calls.
        run = contextvars.copy_context().run
        self._thread = threading.Thread(
            target=run, args=(self._produce,), name="tokarc-fetch", daemon=True
        )
        self._thread.start()

    def _produce(self) -> None:
        end = _End()
        try:
            for item in self._items:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the writer, raised there
            end = _End(exc)
        self._put(end)

    def _put(self, item: T | _End) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def groups(self) -> Iterator[list[T]]:
        """Lists of items in order: the next one (waited for) and any others already here."""
        while True:
            group = [self._queue.get()]
            while len(group) < self._queue.maxsize and not isinstance(group[-1], _End):
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            items = [i for i in group if not isinstance(i, _End)]
            if items:
                yield items
            if isinstance(group[-1], _End):
                if group[-1].error is not None:
                    raise group[-1].error
                return

    def close(self, wait: float | None = None) -> None:
        """Stop fetching and wait for the thread (a fetch under way ends first), at most
        ``wait`` seconds: a Ctrl-C does not wait out a fetch's retries."""
        self._stop.set()
        self._thread.join(wait)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(None if et is None else 1.0)
