"""A small bounded memo (LRU), so the lazy world never grows without limit.

Each cache is bounded twice: in entries and in bytes. A value's bytes are what ``weigh`` says
(its encoded length for bytes; a measured estimate for world objects), plus :data:`ENTRY_BYTES`
for the key and the bookkeeping.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

ENTRY_BYTES = 120  # an OrderedDict entry, its key and its (value, size) pair, measured


class LRU(Generic[K, V]):
    """Keep the most recently used values: at most ``maxsize`` of them and ``max_bytes``."""

    def __init__(
        self,
        maxsize: int,
        max_bytes: int | None = None,
        weigh: Callable[[V], int] = lambda _: 0,
    ) -> None:
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.weigh = weigh
        self.bytes = 0  # what the kept values weigh now
        self._data: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def get(self, key: K, make: Callable[[K], V]) -> V:
        """The value for ``key``, made with ``make(key)`` on a miss."""
        data = self._data
        entry = data.get(key)  # a (value, size) pair, never None
        if entry is not None:
            data.move_to_end(key)
            return entry[0]
        value = make(key)
        size = self.weigh(value) + ENTRY_BYTES
        data[key] = (value, size)
        self.bytes += size
        if len(data) > self.maxsize or (self.max_bytes is not None and self.bytes > self.max_bytes):
            self._shrink()
        return value

    def _shrink(self) -> None:
        data, limit = self._data, self.max_bytes
        while data and (len(data) > self.maxsize or (limit is not None and self.bytes > limit)):
            self.bytes -= data.popitem(last=False)[1][1]

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        """Forget everything."""
        self._data.clear()
        self.bytes = 0
