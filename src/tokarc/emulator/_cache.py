"""A small bounded memo (LRU), so the lazy world never grows without limit."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """Keep the ``maxsize`` most recently used values."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[K], V]) -> V:
        """The value for ``key``, made with ``make(key)`` on a miss."""
        data = self._data
        try:
            data.move_to_end(key)
            return data[key]
        except KeyError:
            value = data[key] = make(key)
            if len(data) > self.maxsize:
                data.popitem(last=False)
            return value

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        """Forget everything."""
        self._data.clear()
